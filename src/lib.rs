//! Eligo: a policy-rules engine for public services.
//!
//! Rule files (text) → [`syntax`] (pest grammar → AST) → [`check`] (names, types, tables, cycles)
//! → [`program::Program`] (slots, order, timelines) → [`eval`] (program + facts + date → report).
//! [`api`] wraps the pipeline in plain-data functions shared by the CLI and the WebAssembly module;
//! [`precompiled`] stores a compiled program as bytes, to load without compiling.
//!
//! Without the `compiler` feature (on by default) the crate only loads precompiled programs and
//! evaluates: no parser, no checker. That is the small WebAssembly module pages ship.
//!
//! ```
//! # #[cfg(feature = "compiler")] {
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
//! # }
//! ```

pub mod api;
pub mod ast;
#[cfg(feature = "compiler")]
pub mod check;
#[cfg(feature = "compiler")]
pub mod compile;
pub mod date;
#[cfg(feature = "compiler")]
pub mod diagnostic;
pub mod eval;
#[cfg(feature = "compiler")]
pub mod examples;
pub mod facts;
pub mod json;
pub mod json_writer;
pub mod precompiled;
pub mod program;
#[cfg(feature = "compiler")]
pub mod render;
pub mod report;
pub mod source;
pub mod suggest;
#[cfg(feature = "compiler")]
pub mod syntax;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
