#![no_main]
// See src/harness.rs: `structured`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| eligo_fuzz::harness::structured(data));
