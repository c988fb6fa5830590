//! Eligo: a policy-rules engine for public services.
//!
//! Rule files (text) → [`syntax`] (pest grammar → AST) → [`check`] (names, types, tables, cycles)
//! → [`program::Program`] (slots, order, timelines) → [`eval`] (program + facts + date → report).
//! [`api`] wraps the pipeline in plain-data functions shared by the CLI and the WebAssembly module.
//!
//! ```
//! let rules = r#"
//! input age: int label "年龄" en "Age"
//! policy senior "老年优待" en "Senior concession"
//!   require age >= 60 "年满60周岁" en "Aged 60 or over"
//!   amount monthly = 100
//! "#;
//! let engine = eligo::api::Engine::compile(&[("senior.rules", rules)]).unwrap();
//! let report = engine
//!     .evaluate(&serde_json::json!({ "age": 61 }), "2025-03-01", eligo::api::options(Some("en"), false))
//!     .unwrap();
//! assert_eq!(report.policies[0].outputs["amount"], "100.00");
//! ```

pub mod api;
pub mod ast;
pub mod check;
pub mod compile;
pub mod date;
pub mod diagnostic;
pub mod eval;
pub mod examples;
pub mod facts;
pub mod json;
pub mod program;
pub mod render;
pub mod report;
pub mod source;
pub mod syntax;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
