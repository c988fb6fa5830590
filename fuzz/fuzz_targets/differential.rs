#![no_main]
// See src/harness.rs: `differential`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| eligo_fuzz::harness::differential(data));
