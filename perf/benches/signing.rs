//! Signing latency of Hyperliquid L1 actions (`actors::venues::hyperliquid::exchange`), one
//! order and a 10-order batch, our path beside the SDK's (ethers) and beside libsecp256k1
//! (the paths: `signing/paths.rs`), then each step alone. The setup asserts that every path
//! signs the same bytes. Criterion reports means; `examples/signing_latency.rs` prints the
//! percentiles of single calls.

#[path = "signing/paths.rs"]
mod paths;

use actors::venues::hyperliquid::exchange::{action_hash, agent_digest, build_action, Network};
use criterion::{criterion_group, criterion_main, Criterion};
use ethers::types::transaction::eip712::Eip712 as _;
use ethers::types::H256;
use paths::{assert_paths_agree, fixture, libsecp256k1, ours, ours_prebuilt, sdk_ethers, sdk_hash, Agent, NONCE};
use std::hint::black_box;
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn end_to_end(c: &mut Criterion) {
    let f = fixture();
    assert_paths_agree(&f);
    let mut group = c.benchmark_group("signing");
    group.sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_millis(1500));
    for (n, batch, action, sdk) in [(1, &f.one, &f.one_action, &f.sdk_one), (10, &f.ten, &f.ten_action, &f.sdk_ten)] {
        group.bench_function(format!("ours/{n}_order"), |b| b.iter(|| ours(&f, black_box(batch))));
        group.bench_function(format!("ours_prebuilt/{n}_order"), |b| b.iter(|| ours_prebuilt(&f, black_box(action))));
        group.bench_function(format!("sdk_ethers/{n}_order"), |b| b.iter(|| sdk_ethers(&f, black_box(sdk))));
        group.bench_function(format!("libsecp256k1/{n}_order"), |b| b.iter(|| libsecp256k1(&f, black_box(action))));
    }
    group.finish();
}

/// Where the time goes: each step alone.
fn steps(c: &mut Criterion) {
    let f = fixture();
    let mut group = c.benchmark_group("signing_steps");
    group.sample_size(30).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_millis(800));
    for (n, batch, action, sdk) in [(1, &f.one, &f.one_action, &f.sdk_one), (10, &f.ten, &f.ten_action, &f.sdk_ten)] {
        group.bench_function(format!("ours_build_action/{n}_order"), |b| {
            b.iter(|| build_action(black_box(batch), &f.assets).unwrap())
        });
        group.bench_function(format!("ours_action_hash/{n}_order"), |b| {
            b.iter(|| action_hash(black_box(action), NONCE, None, None).unwrap())
        });
        group.bench_function(format!("sdk_msgpack_keccak/{n}_order"), |b| b.iter(|| sdk_hash(black_box(sdk))));
    }
    let connection_id = action_hash(&f.one_action, NONCE, None, None).unwrap();
    let digest = agent_digest(&connection_id, Network::Mainnet);
    group.bench_function("ours_agent_digest", |b| b.iter(|| agent_digest(black_box(&connection_id), Network::Mainnet)));
    group.bench_function("sdk_eip712_derive", |b| {
        b.iter(|| Agent { source: "a".to_string(), connection_id: H256(*black_box(&connection_id)) }.encode_eip712())
    });
    group.bench_function("ecdsa_k256_ours", |b| b.iter(|| f.signer.sign_digest(black_box(&digest)).unwrap()));
    group.bench_function("ecdsa_k256_ethers_sign_hash", |b| b.iter(|| f.wallet.sign_hash(H256(*black_box(&digest)))));
    let message = secp256k1::Message::from_digest(digest);
    group.bench_function("ecdsa_libsecp256k1", |b| {
        b.iter(|| f.secp.sign_ecdsa_recoverable(black_box(&message), &f.secp_key))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Fewer bootstrap resamples than the default 100,000: the analysis, not the timing, was
    // most of the bench's minute.
    config = Criterion::default().nresamples(10_000);
    targets = end_to_end, steps
}
criterion_main!(benches);
