#![no_main]
// See src/harness.rs: `program`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| eligo_fuzz::harness::program(data));
