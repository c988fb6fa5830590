//! The pipeline from rule files to a program: parse each file (syntax), check them together
//! (names, types, tables, cycles, examples), and return the program the evaluator runs.
//! Name resolution, slot numbering, dependency order and parameter timelines are all settled
//! here, once, so that evaluating a citizen never looks a name up.

use crate::diagnostic::{Code, Diagnostic};
use crate::examples::ExampleDef;
use eligo_core::program::Program;
use eligo_core::source::Sources;

/// The result of compiling a rule set: the program when there are no errors, and every
/// diagnostic (errors and warnings) either way.
#[derive(Debug)]
pub struct Compiled {
    pub program: Option<Program>,
    /// The examples written in the rules (none when there are errors, or when left out).
    pub examples: Vec<ExampleDef>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn compile(sources: &Sources) -> Compiled {
    compile_with(sources, true)
}

/// `compile`, without the examples when `examples` is false (for pages that only evaluate).
pub fn compile_with(sources: &Sources, examples: bool) -> Compiled {
    compile_parsed(sources, examples).0
}

/// `compile_with`, with the parsed files too (the editor services read them).
pub(crate) fn compile_parsed(sources: &Sources, examples: bool) -> (Compiled, Vec<crate::ast::File>) {
    let mut diagnostics = Vec::new();
    let mut files = Vec::with_capacity(sources.files.len());
    for (id, file) in sources.files.iter().enumerate() {
        let (ast, mut found) = crate::syntax::parse_with(id as u32, &file.text, examples);
        diagnostics.append(&mut found);
        files.push(ast);
    }
    diagnostics.extend(crate::syntax::confusable_names(&files));
    let (checked, mut found) = crate::check::check(sources, &files);
    // A declaration that did not parse may be what used an input or definition: do not blame
    // the author for unused names until the syntax is right.
    if diagnostics.iter().any(|d| d.code == Code::Syntax) {
        found.retain(|d| !matches!(d.code, Code::UnusedInput | Code::UnusedDefinition | Code::NoExamples));
    }
    if !examples {
        found.retain(|d| d.code != Code::NoExamples);
    }
    diagnostics.append(&mut found);
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    let compiled = match checked {
        Some(checked) if !has_errors => {
            Compiled { program: Some(checked.program), examples: checked.examples, diagnostics }
        }
        _ => Compiled { program: None, examples: Vec::new(), diagnostics },
    };
    (compiled, files)
}
