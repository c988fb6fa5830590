//! The wasm suite in Node.js: `bash scripts/test-wasm.sh`.
#![cfg(target_arch = "wasm32")]

#[path = "wasm/suite.rs"]
mod suite;
