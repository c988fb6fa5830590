#![no_main]
// See src/harness.rs: `api_json`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| eligo_fuzz::harness::api_json(data));
