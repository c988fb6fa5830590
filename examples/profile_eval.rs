//! Evaluates one citizen into a report (and its JSON text, as the WebAssembly module writes it)
//! many times, for profilers: `cargo build --release --example profile_eval`
//! then `valgrind --tool=callgrind target/release/examples/profile_eval`.
use eligo::{ffi::options, Engine};

fn main() {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from("rules")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rules") {
                files.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap_or_default()));
            }
        }
    }
    files.sort();
    let engine = match Engine::compile(&files) {
        Ok(engine) => engine,
        Err(error) => panic!("{}", error.message),
    };
    let profile = std::env::args().nth(2).unwrap_or("rules/profiles/disabled_adult_dibao.json".into());
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(profile).unwrap_or_default()).unwrap_or_default();
    let rounds: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(2000);
    // 0 rounds measures the set-up alone, to subtract.
    let mut eligible = 0;
    for _ in 0..rounds {
        if let Ok(report) = eligo::ffi::evaluate(&engine, &data, "2025-09-01", options(Some("zh"), false)) {
            eligible += report.policies.iter().filter(|p| p.status == eligo::vocabulary::Status::Eligible).count();
            // The report as the WebAssembly module hands it over: JSON text in UTF-16.
            eligible += eligo::json_writer::to_utf16(&report).map_or(0, |text| text.len() & 1);
        }
    }
    println!("{eligible}");
}
