//! `RiskLimitsChange`: a partial change of the limits, as an operator sends it.
//!
//! What is `Some` changes, the rest stays. It arrives as JSON (the control plane) —
//! `{"max_daily_loss_usd": 50, "coins": [{"coin": "BTC", "max_position_base": 0.01}]}` —
//! or as `KEY=VALUE` assignments (`hyperquote ctl risk set`): `max_daily_loss_usd=50`,
//! `max_position_base.BTC=0.01`; a coin's optional limit is cleared with `none` (JSON
//! `null`), and coin `*` means every coin. `apply_to` writes it onto a copy of the limits and
//! validates the whole result, so an invalid change leaves the old limits untouched.
//! Its `Display` is the assignment form, for the journal.

use super::{AccountRiskLimits, RiskLimits, RiskLimitsError};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::str::FromStr;

/// Coin name of a change that applies to every coin.
pub const ALL_COINS: &str = "*";

/// The account-wide fields, each once: the change's fields, `apply`, assignments, display.
macro_rules! account_change {
    ($($field:ident: $ty:ty),* $(,)?) => {
        /// A partial change of the limits (field meanings: `AccountRiskLimits`, `CoinRiskLimits`).
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RiskLimitsChange {
            $(
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub coins: Vec<CoinRiskLimitsChange>,
        }

        impl RiskLimitsChange {
            fn apply_account(&self, account: &mut AccountRiskLimits) {
                $(if let Some(value) = self.$field {
                    account.$field = value;
                })*
            }

            /// `None`: `key` is not an account-wide field.
            fn assign_account(&mut self, key: &str, value: &str) -> Option<Result<(), String>> {
                match key {
                    $(stringify!($field) => Some(parse_value::<$ty>(value).map(|v| self.$field = Some(v))),)*
                    _ => None,
                }
            }

            /// The account-wide keys, in declaration order.
            pub const ACCOUNT_FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn is_account_field(key: &str) -> bool {
                Self::ACCOUNT_FIELDS.contains(&key)
            }

            fn fmt_account(&self, parts: &mut Vec<String>) {
                $(if let Some(value) = self.$field {
                    parts.push(format!("{}={}", stringify!($field), value));
                })*
            }

            fn account_is_empty(&self) -> bool {
                true $(&& self.$field.is_none())*
            }
        }
    };
}

account_change! {
    max_open_orders: u32,
    price_band_mid_bps: f64,
    price_band_oracle_bps: f64,
    max_daily_loss_usd: f64,
    max_drawdown_usd: f64,
    vol_widen_sigma_frac_per_sqrt_s: f64,
    vol_widen_bps: f64,
    vol_widen_factor: f64,
    vol_pull_sigma_frac_per_sqrt_s: f64,
    max_new_orders_per_s: f64,
    new_orders_burst: u32,
    request_budget_initial: u64,
    requests_per_usd_traded: f64,
    request_headroom: u64,
    rate_limited_cooldown_ms: u64,
    margin_refusals_to_restrict: u32,
    margin_refusal_cooldown_ms: u64,
    bug_refusals_to_halt: u32,
    bug_refusal_window_ms: u64,
}

/// A change of one coin's limits (`coin` = `*`: every coin). For the optional limits,
/// `Some(None)` clears the limit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoinRiskLimitsChange {
    pub coin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_position_base: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub soft_position_base: Option<Option<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub max_position_usd: Option<Option<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub soft_position_usd: Option<Option<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_order_size_base: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "nullable")]
    pub max_order_usd: Option<Option<f64>>,
}

/// A present field, `null` included: `null` → `Some(None)` (clear), absent → `None` (keep).
fn nullable<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(deserializer).map(Some)
}

/// A `KEY=VALUE` assignment refused: the key as given and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct AssignmentError {
    pub key: String,
    pub message: String,
}

fn parse_value<T: FromStr>(value: &str) -> Result<T, String> {
    let expected = if std::any::type_name::<T>() == "f64" { "a number" } else { "a whole number ≥ 0" };
    value.trim().parse::<T>().map_err(|_| format!("expected {expected}, got `{value}`"))
}

fn parse_optional(value: &str) -> Result<Option<f64>, String> {
    if value.trim().eq_ignore_ascii_case("none") {
        Ok(None)
    } else {
        parse_value::<f64>(value).map(Some)
    }
}

impl CoinRiskLimitsChange {
    const FIELDS: [&'static str; 6] = [
        "max_position_base",
        "soft_position_base",
        "max_position_usd",
        "soft_position_usd",
        "max_order_size_base",
        "max_order_usd",
    ];

    fn assign(&mut self, field: &str, value: &str) -> Result<(), String> {
        match field {
            "max_position_base" => self.max_position_base = Some(parse_value(value)?),
            "max_order_size_base" => self.max_order_size_base = Some(parse_value(value)?),
            "soft_position_base" => self.soft_position_base = Some(parse_optional(value)?),
            "max_position_usd" => self.max_position_usd = Some(parse_optional(value)?),
            "soft_position_usd" => self.soft_position_usd = Some(parse_optional(value)?),
            "max_order_usd" => self.max_order_usd = Some(parse_optional(value)?),
            _ => unreachable!("only FIELDS are assigned"),
        }
        Ok(())
    }

    fn apply(&self, limits: &mut super::CoinRiskLimits) {
        if let Some(v) = self.max_position_base {
            limits.max_position_base = v;
        }
        if let Some(v) = self.max_order_size_base {
            limits.max_order_size_base = v;
        }
        if let Some(v) = self.soft_position_base {
            limits.soft_position_base = v;
        }
        if let Some(v) = self.max_position_usd {
            limits.max_position_usd = v;
        }
        if let Some(v) = self.soft_position_usd {
            limits.soft_position_usd = v;
        }
        if let Some(v) = self.max_order_usd {
            limits.max_order_usd = v;
        }
    }

    /// The first field this change sets (names an unknown coin in errors).
    fn first_field(&self) -> &'static str {
        let set = [
            self.max_position_base.is_some(),
            self.soft_position_base.is_some(),
            self.max_position_usd.is_some(),
            self.soft_position_usd.is_some(),
            self.max_order_size_base.is_some(),
            self.max_order_usd.is_some(),
        ];
        set.iter().position(|&s| s).map_or("coins", |i| Self::FIELDS[i])
    }

    fn fmt_into(&self, parts: &mut Vec<String>) {
        let coin = &self.coin;
        let number = |v: f64| v.to_string();
        let optional = |v: Option<f64>| v.map_or_else(|| "none".to_string(), |v| v.to_string());
        let fields = [
            ("max_position_base", self.max_position_base.map(number)),
            ("soft_position_base", self.soft_position_base.map(optional)),
            ("max_position_usd", self.max_position_usd.map(optional)),
            ("soft_position_usd", self.soft_position_usd.map(optional)),
            ("max_order_size_base", self.max_order_size_base.map(number)),
            ("max_order_usd", self.max_order_usd.map(optional)),
        ];
        for (name, value) in fields {
            if let Some(value) = value {
                parts.push(format!("{name}.{coin}={value}"));
            }
        }
    }
}

impl RiskLimitsChange {
    /// Builds a change from `KEY=VALUE` strings: `max_daily_loss_usd=50` for an account-wide
    /// limit, `max_position_base.BTC=0.01` for a coin's (`.*` for every coin; `none` clears
    /// an optional one). A malformed assignment is refused with its key; values are checked
    /// against the whole limits only by `apply_to`.
    pub fn from_assignments<S: AsRef<str>>(assignments: &[S]) -> Result<Self, AssignmentError> {
        let mut change = RiskLimitsChange::default();
        let mut seen: Vec<String> = Vec::with_capacity(assignments.len());
        for assignment in assignments {
            let assignment = assignment.as_ref();
            let Some((key, value)) = assignment.split_once('=') else {
                return Err(AssignmentError { key: assignment.to_string(), message: "expected KEY=VALUE".into() });
            };
            let key = key.trim();
            let refuse = |message: String| AssignmentError { key: key.to_string(), message };
            if seen.iter().any(|k| k == key) {
                return Err(refuse("given twice".into()));
            }
            seen.push(key.to_string());
            match key.split_once('.') {
                None => match change.assign_account(key, value) {
                    Some(result) => result.map_err(refuse)?,
                    None if CoinRiskLimitsChange::FIELDS.contains(&key) => {
                        return Err(refuse(format!("a coin's limit: name the coin, e.g. `{key}.BTC` (or `{key}.*`)")));
                    }
                    None => return Err(refuse(format!("unknown risk limit (known: {})", known_keys()))),
                },
                Some((field, coin)) => {
                    if Self::is_account_field(field) {
                        return Err(refuse(format!("`{field}` is account-wide: no coin suffix")));
                    }
                    if !CoinRiskLimitsChange::FIELDS.contains(&field) {
                        return Err(refuse(format!("unknown risk limit `{field}` (known: {})", known_keys())));
                    }
                    if coin.trim().is_empty() {
                        return Err(refuse("empty coin name".into()));
                    }
                    let entry = match change.coins.iter().position(|c| c.coin == coin) {
                        Some(i) => &mut change.coins[i],
                        None => {
                            change.coins.push(CoinRiskLimitsChange { coin: coin.to_string(), ..Default::default() });
                            change.coins.last_mut().expect("just pushed")
                        }
                    };
                    entry.assign(field, value).map_err(refuse)?;
                }
            }
        }
        Ok(change)
    }

    /// Whether the change sets nothing at all.
    pub fn is_empty(&self) -> bool {
        self.account_is_empty() && self.coins.iter().all(|c| c.first_field() == "coins")
    }

    /// The limits this change leads to from `current`, validated as a whole; an unknown coin
    /// or an invalid result is refused with the field named.
    pub fn apply_to(&self, current: &RiskLimits) -> Result<RiskLimits, RiskLimitsError> {
        let mut next = current.clone();
        self.apply_account(&mut next.account);
        for change in &self.coins {
            if change.coin == ALL_COINS {
                next.coins.iter_mut().for_each(|c| change.apply(c));
                continue;
            }
            let Some(limits) = next.coin_mut(&change.coin) else {
                let known: Vec<&str> = current.coins.iter().map(|c| c.coin.as_str()).collect();
                return Err(RiskLimitsError::new(
                    format!("{}.{}", change.first_field(), change.coin),
                    format!("unknown coin `{}` (limits exist for {})", change.coin, known.join(", ")),
                ));
            };
            change.apply(limits);
        }
        next.validate()?;
        Ok(next)
    }
}

fn known_keys() -> String {
    let coin = CoinRiskLimitsChange::FIELDS.iter().map(|f| format!("{f}.COIN"));
    RiskLimitsChange::ACCOUNT_FIELDS.iter().map(|f| f.to_string()).chain(coin).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for RiskLimitsChange {
    /// The assignment form, e.g. `max_daily_loss_usd=50 max_position_base.BTC=0.01`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        self.fmt_account(&mut parts);
        for coin in &self.coins {
            coin.fmt_into(&mut parts);
        }
        f.write_str(&parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::CoinRiskLimits;

    fn limits() -> RiskLimits {
        RiskLimits {
            account: AccountRiskLimits::default(),
            coins: vec![CoinRiskLimits::new("BTC", 0.01, 0.002), CoinRiskLimits::new("ETH", 0.3, 0.05)],
        }
    }

    fn key_of(assignments: &[&str]) -> String {
        RiskLimitsChange::from_assignments(assignments).expect_err("must be refused").key
    }

    #[test]
    fn assignments_build_account_and_coin_changes() {
        let change = RiskLimitsChange::from_assignments(&[
            "max_position_base.BTC=0.005",
            "max_daily_loss_usd=50",
            "soft_position_base.BTC=0.004",
            "max_order_usd.*=500",
            "request_headroom=200",
        ])
        .unwrap();
        assert_eq!(change.max_daily_loss_usd, Some(50.0));
        assert_eq!(change.request_headroom, Some(200));
        assert_eq!(change.coins.len(), 2);
        assert_eq!(change.coins[0].coin, "BTC");
        assert_eq!(change.coins[0].max_position_base, Some(0.005));
        assert_eq!(change.coins[0].soft_position_base, Some(Some(0.004)));
        assert_eq!(
            change.to_string(),
            "max_daily_loss_usd=50 request_headroom=200 max_position_base.BTC=0.005 \
             soft_position_base.BTC=0.004 max_order_usd.*=500"
        );
        let next = change.apply_to(&limits()).unwrap();
        assert_eq!(next.account.max_daily_loss_usd, 50.0);
        assert_eq!(next.coins[0].max_position_base, 0.005);
        assert_eq!(next.coins[0].soft_position_base, Some(0.004));
        assert_eq!(next.coins[1].max_order_usd, Some(500.0), "`*` reaches every coin");
        assert_eq!(next.coins[1].max_position_base, 0.3, "the rest stays");
        // `none` clears an optional limit.
        let clear = RiskLimitsChange::from_assignments(&["max_order_usd.ETH=none"]).unwrap();
        assert_eq!(clear.apply_to(&next).unwrap().coins[1].max_order_usd, None);
        assert!(RiskLimitsChange::default().is_empty());
        assert!(!clear.is_empty());
    }

    #[test]
    fn assignment_errors_name_the_key() {
        assert_eq!(key_of(&["max_daily_loss_usd"]), "max_daily_loss_usd");
        assert_eq!(key_of(&["max_daily_loss_usd=lots"]), "max_daily_loss_usd");
        assert_eq!(key_of(&["max_open_orders=2.5"]), "max_open_orders");
        assert_eq!(key_of(&["max_loss=5"]), "max_loss");
        assert_eq!(key_of(&["max_position_base=0.1"]), "max_position_base");
        assert_eq!(key_of(&["max_daily_loss_usd.BTC=5"]), "max_daily_loss_usd.BTC");
        assert_eq!(key_of(&["max_size.BTC=5"]), "max_size.BTC");
        assert_eq!(key_of(&["max_position_base.=5"]), "max_position_base.");
        assert_eq!(key_of(&["max_position_base.BTC=1", "max_position_base.BTC=2"]), "max_position_base.BTC");
        let err = RiskLimitsChange::from_assignments(&["max_daily_loss_usd=lots"]).unwrap_err();
        assert_eq!(err.to_string(), "max_daily_loss_usd: expected a number, got `lots`");
        let err = RiskLimitsChange::from_assignments(&["max_position_base=0.1"]).unwrap_err();
        assert!(err.message.contains("max_position_base.BTC"), "{err}");
    }

    #[test]
    fn an_invalid_result_is_refused_with_the_field_and_the_old_value_kept() {
        let current = limits();
        let soft_above_hard = RiskLimitsChange::from_assignments(&["soft_position_base.BTC=0.02"]).unwrap();
        let err = soft_above_hard.apply_to(&current).unwrap_err();
        assert_eq!(err.field, "soft_position_base.BTC");
        // Lowering the hard limit under an existing soft one is refused the same way.
        let mut with_soft = current.clone();
        with_soft.coins[0].soft_position_base = Some(0.008);
        let lower = RiskLimitsChange::from_assignments(&["max_position_base.BTC=0.006"]).unwrap();
        assert_eq!(lower.apply_to(&with_soft).unwrap_err().field, "soft_position_base.BTC");
        let negative = RiskLimitsChange::from_assignments(&["max_order_size_base.ETH=-1"]).unwrap();
        assert_eq!(negative.apply_to(&current).unwrap_err().field, "max_order_size_base.ETH");
        let nan = RiskLimitsChange::from_assignments(&["price_band_mid_bps=NaN"]).unwrap();
        assert_eq!(nan.apply_to(&current).unwrap_err().field, "price_band_mid_bps");
        let unknown = RiskLimitsChange::from_assignments(&["max_position_base.DOGE=1"]).unwrap();
        let err = unknown.apply_to(&current).unwrap_err();
        assert_eq!(err.field, "max_position_base.DOGE");
        assert!(err.message.contains("BTC, ETH"), "{err}");
        assert_eq!(current, limits(), "apply_to never touches the current value");
    }

    #[test]
    fn json_changes_deserialize_with_null_clearing_and_unknown_fields_refused() {
        let change: RiskLimitsChange = serde_json::from_str(
            r#"{"max_drawdown_usd": 20, "coins": [{"coin": "BTC", "max_position_usd": null, "max_position_base": 0.004}]}"#,
        )
        .unwrap();
        assert_eq!(change.max_drawdown_usd, Some(20.0));
        assert_eq!(change.coins[0].max_position_usd, Some(None));
        assert_eq!(change.coins[0].soft_position_usd, None);
        let err = serde_json::from_str::<RiskLimitsChange>(r#"{"max_drawdown": 20}"#).unwrap_err();
        assert!(err.to_string().contains("max_drawdown"), "{err}");
        let back: RiskLimitsChange = serde_json::from_str(&serde_json::to_string(&change).unwrap()).unwrap();
        assert_eq!(back.max_drawdown_usd, change.max_drawdown_usd);
    }
}
