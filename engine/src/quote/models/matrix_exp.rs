//! e^(t·M) and e^(t·M)·v for small dense square matrices, for the exact finite-horizon quoting
//! models (GLFT exact, Cartea–Jaimungal), whose value functions are e^(±M·(T − t)) applied to
//! a vector, M tridiagonal of size 2·Q + 1 ≤ 61.
//!
//! Method: scaling and squaring (Moler & Van Loan 2003, "Nineteen dubious ways to compute the
//! exponential of a matrix, twenty-five years later", SIAM Rev. 45(1), §3; Higham 2005, SIAM
//! J. Matrix Anal. Appl. 26(4)) with a truncated Taylor series as the base approximant:
//!
//! 1. shift: X = t·M − c·I with c = trace(t·M)/n (e^(t·M) = e^c·e^X; Higham's preprocessing,
//!    it takes the mean of the diagonal out — for GLFT's α·q² diagonal it halves the norm);
//! 2. scale: Y = X / 2^s with the smallest s ≥ 0 such that ‖Y‖₁ ≤ θ = 1/2;
//! 3. Taylor: e^Y ≈ Σ_{k≤m} Y^k/k!, terms T_k = T_(k−1)·Y/k, stopping at the first m whose
//!    tail bound ‖T_m‖₁·θ'/(m + 1 − θ') (θ' = ‖Y‖₁; from ‖T_(m+j)‖ ≤ ‖T_m‖·θ'^j/((m+1)…(m+j)),
//!    a geometric series) is below u·e^(−θ'), u = f64::EPSILON/2 the unit roundoff, and
//!    e^(−θ') ≤ ‖e^Y‖₁ (since 1 = ‖e^Y·e^(−Y)‖ ≤ ‖e^Y‖·e^(θ')). So the truncation error is
//!    below rounding relative to the result; with θ ≤ 1/2 it stops by m = 14 (0.5^15/15! =
//!    2.3e−17). Taylor rather than Padé: no linear solve, and an a-posteriori stopping rule
//!    that is rigorous; the cost (≤ 14 products + s squarings) only matters when the model's
//!    parameters change, never per quote.
//! 4. square s times. After each squaring the matrix is divided by a power of two near its
//!    largest entry (exact in binary floating point) and the logarithm of the factor carried
//!    aside, so e^(t·M) = e^(ln_scale)·(returned matrix) never overflows even when the true
//!    entries would (e^(1000)): the quoting models only need ratios of the result's entries.
//!
//! Accuracy: for the symmetric (GLFT) and diagonally-similar-to-symmetric (Cartea–Jaimungal)
//! matrices here the squaring phase is stable and the result is accurate to a small multiple
//! of u·‖e^X‖ (the tests check ~1e−13 relative against closed forms and an independent
//! eigen-decomposition). Entries far below the largest one (relative < 1e−300) underflow to 0:
//! callers must check before taking logarithms.
//!
//! The workspace (`MatrixExp`) owns every buffer, so repeated evaluation never allocates.

/// Largest ‖Y‖₁ of the scaled matrix fed to the Taylor series.
const TAYLOR_NORM_BOUND: f64 = 0.5;
/// Unit roundoff of f64.
const UNIT_ROUNDOFF: f64 = f64::EPSILON / 2.0;
/// Upper bound on the Taylor degree: with ‖Y‖₁ ≤ 1/2 the stopping rule fires by degree 14; the
/// bound only guards the loop.
const MAX_TAYLOR_DEGREE: u32 = 30;
/// Most squarings allowed: ‖t·M‖₁ up to 2^63·θ ≈ 4.6e18, far beyond any quoting model's
/// (rate × horizon ≤ ~1e6); beyond it the input is treated as an error, not a slow loop.
const MAX_SQUARINGS: i32 = 64;

/// Why the exponential could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MatrixExpError {
    #[error("matrix exponential: expected a {n}×{n} matrix and length-{n} vectors, got length {got}")]
    Dimension { n: usize, got: usize },
    #[error("matrix exponential: the matrix or the time scale is not finite")]
    NonFinite,
    #[error("matrix exponential: ‖t·M‖₁ is too large to scale")]
    NormTooLarge,
    #[error("matrix exponential: the result lost all its entries to underflow or overflow")]
    Degenerate,
}

/// Workspace for e^(t·M) of n×n row-major matrices.
#[derive(Debug, Clone)]
pub struct MatrixExp {
    n: usize,
    /// The scaled, shifted matrix Y.
    y: Vec<f64>,
    /// Current Taylor term T_k.
    term: Vec<f64>,
    /// Taylor sum, then the squared result.
    sum: Vec<f64>,
    /// Product scratch.
    tmp: Vec<f64>,
}

impl MatrixExp {
    /// A workspace for n×n matrices (all buffers allocated here, once).
    pub fn new(n: usize) -> Self {
        let len = n * n;
        Self { n, y: vec![0.0; len], term: vec![0.0; len], sum: vec![0.0; len], tmp: vec![0.0; len] }
    }

    pub fn dim(&self) -> usize {
        self.n
    }

    /// e^(t·M) into `out` (row-major n×n), scaled: the true exponential is
    /// e^(returned ln_scale)·out.
    pub fn exp_scaled(&mut self, m: &[f64], t: f64, out: &mut [f64]) -> Result<f64, MatrixExpError> {
        self.check_len(out.len(), self.n * self.n)?;
        let ln_scale = self.compute(m, t)?;
        out.copy_from_slice(&self.sum);
        Ok(ln_scale)
    }

    /// e^(t·M)·v into `out`, scaled: the true product is e^(returned ln_scale)·out.
    pub fn exp_times_vector(&mut self, m: &[f64], t: f64, v: &[f64], out: &mut [f64]) -> Result<f64, MatrixExpError> {
        self.check_len(v.len(), self.n)?;
        self.check_len(out.len(), self.n)?;
        let ln_scale = self.compute(m, t)?;
        for (o, row) in out.iter_mut().zip(self.sum.chunks_exact(self.n)) {
            *o = row.iter().zip(v).map(|(a, b)| a * b).sum();
        }
        if out.iter().any(|x| !x.is_finite()) {
            return Err(MatrixExpError::Degenerate);
        }
        Ok(ln_scale)
    }

    fn check_len(&self, got: usize, expected: usize) -> Result<(), MatrixExpError> {
        if got == expected {
            Ok(())
        } else {
            Err(MatrixExpError::Dimension { n: self.n, got })
        }
    }

    /// Leaves e^(t·M)·e^(−ln_scale) in `self.sum`, returns ln_scale.
    fn compute(&mut self, m: &[f64], t: f64) -> Result<f64, MatrixExpError> {
        let n = self.n;
        self.check_len(m.len(), n * n)?;
        if !t.is_finite() || m.iter().any(|x| !x.is_finite()) {
            return Err(MatrixExpError::NonFinite);
        }
        if n == 0 {
            return Ok(0.0);
        }
        // 1. X = t·M − c·I.
        let shift = (0..n).map(|i| m[i * n + i]).sum::<f64>() * t / n as f64;
        for (y, x) in self.y.iter_mut().zip(m) {
            *y = t * x;
        }
        for i in 0..n {
            self.y[i * n + i] -= shift;
        }
        if self.y.iter().any(|x| !x.is_finite()) {
            return Err(MatrixExpError::NonFinite);
        }
        // 2. Y = X / 2^s.
        let norm = norm1(&self.y, n);
        let mut squarings = 0i32;
        if norm > TAYLOR_NORM_BOUND {
            squarings = (norm / TAYLOR_NORM_BOUND).log2().ceil() as i32;
            if squarings > MAX_SQUARINGS {
                return Err(MatrixExpError::NormTooLarge);
            }
            let factor = 2f64.powi(-squarings);
            self.y.iter_mut().for_each(|x| *x *= factor);
        }
        let theta = norm1(&self.y, n);
        // 3. Taylor: sum = I + Y + Y²/2 + …
        self.sum.copy_from_slice(&self.y);
        self.term.copy_from_slice(&self.y);
        for i in 0..n {
            self.sum[i * n + i] += 1.0;
        }
        let target = UNIT_ROUNDOFF * (-theta).exp();
        for k in 2..=MAX_TAYLOR_DEGREE {
            let kf = f64::from(k);
            let tail_bound = norm1(&self.term, n) * theta / (kf - theta);
            if tail_bound <= target {
                break;
            }
            matmul(&self.term, &self.y, &mut self.tmp, n);
            std::mem::swap(&mut self.term, &mut self.tmp);
            self.term.iter_mut().for_each(|x| *x /= kf);
            self.sum.iter_mut().zip(&self.term).for_each(|(s, x)| *s += x);
        }
        // 4. Square, renormalising by powers of two.
        // The scale is 2^(binary_exponent): if sum = 2^(−b)·e^(Y·2^j), squaring gives
        // 2^(−2b)·e^(Y·2^(j+1)). Kept as an integer-valued f64 (exact below 2^53) so ln_scale
        // rounds once.
        let mut binary_exponent = 0.0;
        for _ in 0..squarings {
            matmul(&self.sum, &self.sum, &mut self.tmp, n);
            std::mem::swap(&mut self.sum, &mut self.tmp);
            binary_exponent = 2.0 * binary_exponent + renormalise(&mut self.sum)?;
        }
        Ok(binary_exponent * std::f64::consts::LN_2 + shift)
    }
}

/// Max absolute column sum.
fn norm1(a: &[f64], n: usize) -> f64 {
    (0..n).map(|j| (0..n).map(|i| a[i * n + j].abs()).sum::<f64>()).fold(0.0, f64::max)
}

/// c = a·b, row-major n×n (i-k-j order: contiguous inner loop).
fn matmul(a: &[f64], b: &[f64], c: &mut [f64], n: usize) {
    for (a_row, c_row) in a.chunks_exact(n).zip(c.chunks_exact_mut(n)) {
        c_row.fill(0.0);
        for (&aik, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
            if aik != 0.0 {
                c_row.iter_mut().zip(b_row).for_each(|(c, b)| *c += aik * b);
            }
        }
    }
}

/// Divides `a` by 2^e with 2^e near its largest entry (exact); returns e.
fn renormalise(a: &mut [f64]) -> Result<f64, MatrixExpError> {
    let max = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if !(max.is_finite() && max > 0.0) {
        return Err(MatrixExpError::Degenerate);
    }
    // Clamped so 2^(−e) stays a finite normal number even when `max` is subnormal or huge.
    let exponent = (max.log2().round() as i32).clamp(f64::MIN_EXP, f64::MAX_EXP - 2);
    let factor = 2f64.powi(-exponent);
    a.iter_mut().for_each(|x| *x *= factor);
    Ok(f64::from(exponent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp_full(m: &[f64], n: usize, t: f64) -> Vec<f64> {
        let mut w = MatrixExp::new(n);
        let mut out = vec![0.0; n * n];
        let ln_scale = w.exp_scaled(m, t, &mut out).unwrap();
        out.iter().map(|x| x * ln_scale.exp()).collect()
    }

    fn close(got: f64, want: f64, rel: f64) -> bool {
        (got - want).abs() <= rel * want.abs()
    }

    #[test]
    fn diagonal_matrix_exponentiates_entrywise() {
        let d = [-3.0, 0.5, 2.0, -40.0];
        let mut m = [0.0; 16];
        for (i, x) in d.iter().enumerate() {
            m[i * 4 + i] = *x;
        }
        let e = exp_full(&m, 4, 1.5);
        for i in 0..4 {
            for j in 0..4 {
                let want = if i == j { (1.5 * d[i]).exp() } else { 0.0 };
                // ‖X‖₁ = 44.8 needs s = 7 squarings, each doubling e^Y's relative rounding
                // error: ~2^7·u·(a few) ≈ 1e−14 (measured 1.1e−14 on e^(−4.5)).
                assert!(close(e[i * 4 + j], want, 5e-14), "{i},{j}: {} vs {want}", e[i * 4 + j]);
            }
        }
    }

    #[test]
    fn rotation_generator_gives_cos_and_sin() {
        // M = [[0, −1], [1, 0]], t = 2.5: e^(tM) = [[cos t, −sin t], [sin t, cos t]].
        let t = 2.5f64;
        let e = exp_full(&[0.0, -1.0, 1.0, 0.0], 2, t);
        let want = [t.cos(), -t.sin(), t.sin(), t.cos()];
        for (g, w) in e.iter().zip(want) {
            assert!((g - w).abs() < 1e-14, "{g} vs {w}");
        }
    }

    #[test]
    fn nilpotent_series_terminates_exactly() {
        // N = [[0, 1], [0, 0]]: e^(tN) = I + tN, for a t large enough to need squarings.
        // The series stops after Y (Y² = 0) and squaring I + Y is exact in binary; only
        // multiplying back e^(ln_scale) rounds (measured 9e−16).
        let e = exp_full(&[0.0, 1.0, 0.0, 0.0], 2, 37.0);
        for (g, w) in e.iter().zip([1.0, 37.0, 0.0, 1.0]) {
            assert!((g - w).abs() <= 4.0 * f64::EPSILON * w, "{e:?}");
        }
    }

    #[test]
    fn symmetric_tridiagonal_matches_an_independent_eigen_decomposition() {
        // M = tridiag(off = −0.7, diag = [2, 0, 1, 3, 0.5]), t = −1.3 (the GLFT sign). Reference:
        // mpmath (50 digits) eigsy(M) = E·diag(λ)·Eᵀ, then e^(tM) = E·diag(e^(tλ))·Eᵀ, v = 1:
        //   from mpmath import mp, matrix, eigsy, exp, diag; mp.dps = 50
        //   d = [2, 0, 1, 3, 0.5]; M = matrix(5); M[i,i] = d[i]; M[i,i±1] = -0.7
        //   l, E = eigsy(M); X = E*diag([exp(-1.3*x) for x in l])*E.T; print(X*matrix([1]*5))
        // and the (0,4) and (2,2) entries of X.
        let d = [2.0, 0.0, 1.0, 3.0, 0.5];
        let n = 5;
        let mut m = vec![0.0; n * n];
        for i in 0..n {
            m[i * n + i] = d[i];
            if i + 1 < n {
                m[i * n + i + 1] = -0.7;
                m[(i + 1) * n + i] = -0.7;
            }
        }
        let want_v = [0.7970836860595085, 2.82692245376952, 1.6336332790125656, 0.5705746754652046, 0.9375630283664214];
        let mut w = MatrixExp::new(n);
        let mut v = vec![0.0; n];
        let ln_scale = w.exp_times_vector(&m, -1.3, &[1.0; 5], &mut v).unwrap();
        for (g, want) in v.iter().zip(want_v) {
            assert!(close(g * ln_scale.exp(), want, 1e-13), "{g} vs {want}");
        }
        let e = exp_full(&m, n, -1.3);
        assert!(close(e[4], 0.006848153894813418, 1e-12), "{}", e[4]);
        assert!(close(e[2 * n + 2], 0.5597221147618691, 1e-13), "{}", e[2 * n + 2]);
    }

    #[test]
    fn huge_exponents_are_carried_in_the_log_scale() {
        // diag(1000, 999): e^1000 overflows f64, the scaled result keeps the ratio e^1.
        let mut w = MatrixExp::new(2);
        let mut out = [0.0; 2];
        let ln_scale = w.exp_times_vector(&[1000.0, 0.0, 0.0, 999.0], 1.0, &[1.0, 1.0], &mut out).unwrap();
        assert!(close(out[0] / out[1], std::f64::consts::E, 1e-12), "{out:?}");
        assert!(close(ln_scale + out[0].ln(), 1000.0, 1e-12), "{ln_scale}");
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let mut w = MatrixExp::new(2);
        let mut out = [0.0; 2];
        assert_eq!(
            w.exp_times_vector(&[0.0; 3], 1.0, &[1.0; 2], &mut out),
            Err(MatrixExpError::Dimension { n: 2, got: 3 })
        );
        assert_eq!(
            w.exp_times_vector(&[f64::NAN, 0.0, 0.0, 0.0], 1.0, &[1.0; 2], &mut out),
            Err(MatrixExpError::NonFinite)
        );
        assert_eq!(
            w.exp_times_vector(&[1.0, 0.0, 0.0, -1.0], 1e300, &[1.0; 2], &mut out),
            Err(MatrixExpError::NormTooLarge)
        );
    }
}
