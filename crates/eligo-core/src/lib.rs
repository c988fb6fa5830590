//! Eligo's runtime: a compiled [`program::Program`] and a citizen's [`facts`] on a date →
//! [`eval`] (three-valued decisions) → a [`report`]; many records on one date → status bytes
//! and amounts ([`batch`]). Programs are plain data, stored as bytes by
//! [`precompiled`]. Nothing here parses rule text or knows JavaScript.

pub mod batch;
pub mod builtins;
pub mod bundle;
pub mod date;
pub mod eval;
pub mod facts;
pub mod json;
pub mod json_writer;
pub mod keys;
pub mod limits;
pub mod messages;
pub mod number;
pub mod precompiled;
pub mod program;
pub mod report;
pub mod source;
pub mod suggest;
pub mod value;
pub mod vocabulary;
