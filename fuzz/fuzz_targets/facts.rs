#![no_main]
// See src/harness.rs: `facts`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| eligo_fuzz::harness::facts(data));
