#![no_main]
// See src/harness.rs: `bundle`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| eligo_fuzz::harness::bundle(data));
