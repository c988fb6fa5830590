#![no_main]
// See src/harness.rs: `rule_text`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| eligo_fuzz::harness::rule_text(data));
