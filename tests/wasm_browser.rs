//! The wasm suite in headless Chromium: `bash scripts/test-wasm.sh`.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "wasm/suite.rs"]
mod suite;
