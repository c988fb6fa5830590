//! Eligo's compiler: rule files (text) → [`syntax`] (pest grammar → AST) → [`check`] (names,
//! types, tables, cycles) → a checked `eligo_core::program::Program`, with [`diagnostic`]s
//! rendered by [`render`]; [`examples`] runs the examples written in the files; [`format`] lays a file out.

pub mod ast;
pub mod check;
pub mod compile;
pub mod diagnostic;
pub mod editor;
pub mod examples;
pub mod format;
pub mod render;
pub mod syntax;
