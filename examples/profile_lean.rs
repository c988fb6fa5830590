//! Decides the comparison rule (bench/benefit.rules) for one record many times on the lean path
//! (statuses and amounts), for profilers: `cargo build --release --example profile_lean`, then
//! `valgrind --tool=callgrind target/release/examples/profile_lean 100000`.
use eligo::eval::{decide_into, Depth, OnDate};
use eligo::Engine;

fn main() {
    let engine = match Engine::compile(&[("benefit.rules", include_str!("../bench/benefit.rules"))]) {
        Ok(engine) => engine,
        Err(error) => panic!("{}", error.message),
    };
    let data = serde_json::json!({ "age": 67, "income": 2100, "residency": "SH", "household_size": 3, "already_receiving": false });
    let facts = eligo::facts::from_json(engine.program(), &data).unwrap_or_else(|e| panic!("{e:?}"));
    let on = OnDate::new(engine.program(), eligo::date::Date::parse("2025-03-01").unwrap_or(eligo::date::Date::EPOCH));
    let rounds: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let (mut outcomes, mut eligible) = (Vec::new(), 0);
    for _ in 0..rounds {
        decide_into(engine.program(), &on, std::hint::black_box(&facts.values), Depth::Lean, &mut outcomes);
        eligible += outcomes.iter().filter(|o| o.status == eligo::vocabulary::Status::Eligible).count();
    }
    println!("{eligible}");
}
