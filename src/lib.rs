//! Eligo: a policy-rules engine for public services.
//!
//! This is the façade over the workspace's crates: [`Engine`] is the typed Rust API, [`ffi`] the
//! same in JSON text and plain words (what the WebAssembly module and other hosts call).
//! Rule files (text) → `eligo-compiler` (syntax, check) → a [`program::Program`] → `eligo-core`
//! (facts, evaluation, report). Without the `compiler` feature (on by default) the façade only
//! loads precompiled programs ([`Engine::load`]) and evaluates: no parser, no checker. That is
//! the small WebAssembly module pages ship.
//!
//! ```
//! # #[cfg(feature = "compiler")] {
//! use eligo::{date::Date, eval::Options, vocabulary::Lang, Engine};
//!
//! let rules = r#"
//! input age: int label "年龄" en "Age"
//! policy senior "老年优待" en "Senior concession"
//!   require age >= 60 "年满60周岁" en "Aged 60 or over"
//!   amount monthly = 100
//! "#;
//! let engine = Engine::compile(&[("senior.rules", rules)]).unwrap();
//! let facts = engine.facts(&serde_json::json!({ "age": 61 })).unwrap();
//! let date = Date::parse("2025-03-01").unwrap();
//! let report = engine.evaluate(&facts, date, &Options { lang: Lang::En, trace: false });
//! let amount = report.policies[0].outputs.get("amount").map(ToString::to_string);
//! assert_eq!(amount.as_deref(), Some("100.00"));
//! # }
//! ```

mod engine;
pub mod ffi;

pub use engine::*;

#[cfg(feature = "compiler")]
pub use eligo_compiler::{ast, check, compile, diagnostic, editor, examples, format, render, syntax};
pub use eligo_core::{
    batch, builtins, bundle, date, eval, facts, json, json_writer, keys, limits, precompiled, program, report, source,
    suggest, value, vocabulary,
};
