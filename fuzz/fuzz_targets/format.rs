#![no_main]
// See src/harness.rs: `format`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| eligo_fuzz::harness::format(data));
