//! Diagnostics are data: every stage returns them, none prints them. Rendering (a caret snippet
//! for the terminal, positions for browser editors) lives in `render`.
//!
//! Codes are stable: docs/errors.md documents each with an example and its fix, and
//! tests/fixtures holds a file that triggers it.

use eligo_core::source::Span;
pub use eligo_core::vocabulary::Lang;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

macro_rules! codes {
    ($($variant:ident = $code:literal: $title:literal,)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed: `E0201`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A short title, as in docs/errors.md.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

codes! {
    // Syntax and limits
    Syntax = "E0101": "syntax error",
    InvalidUtf8 = "E0102": "file is not UTF-8",
    SourceTooLarge = "E0103": "source too large",
    NestingTooDeep = "E0104": "nesting too deep",
    NameTooLong = "E0105": "name too long",
    TextTooLong = "E0106": "text too long",
    InvalidDate = "E0107": "invalid date",
    NumberOutOfRange = "E0108": "number out of range",
    TooManyDeclarations = "E0109": "too many declarations",
    TooManyRows = "E0110": "table or group too long",
    InvisibleCharacter = "E0111": "invisible control character",
    // Names
    UnknownName = "E0201": "unknown name",
    DuplicateName = "E0202": "duplicate name",
    UnknownType = "E0203": "unknown type",
    UnknownFunction = "E0204": "unknown function",
    UnknownPolicy = "E0205": "unknown policy",
    UnknownInput = "E0206": "unknown input in an example",
    UnknownField = "E0207": "unknown field",
    DuplicateRuleset = "E0208": "more than one ruleset header",
    UnknownOutput = "E0209": "unknown output",
    DuplicateClause = "E0210": "clause written twice",
    ConfusableNames = "E0211": "names that look alike",
    // Types
    TypeMismatch = "E0301": "type mismatch",
    ArgumentCount = "E0302": "wrong number of arguments",
    ArgumentType = "E0303": "wrong type of argument",
    NotACondition = "E0304": "condition is not true/false",
    ValueType = "E0305": "value of the wrong type",
    OutputType = "E0306": "output of the wrong type",
    UnknownOption = "E0307": "value is not one of the options",
    ConstraintType = "E0308": "constraint of the wrong type",
    NotAList = "E0309": "not a list of records",
    // Definitions
    Cycle = "E0401": "definitions depend on each other in a cycle",
    // Tables
    TableOverlap = "E0501": "overlapping table rows",
    TableGap = "E0502": "gap between table bands",
    TableShape = "E0503": "row does not fit the table",
    EmptyBand = "E0504": "band is empty",
    OtherwiseNotLast = "E0505": "otherwise row is not the last",
    // Dates and periods
    UnsortedDates = "E0601": "dates out of order",
    DuplicateDate = "E0602": "the same date twice",
    EmptyPeriod = "E0603": "period ends before it starts",
    OverlappingValues = "E0604": "dated values overlap",
    // Policies and relations
    DuplicateOutput = "E0701": "output defined twice",
    RelationCycle = "E0702": "policies exclude each other in a cycle",
    GroupPeriod = "E0703": "group members pay over different periods",
    MissingAmount = "E0704": "policy has no amount",
    PolicyInTwoGroups = "E0705": "policy in two groups",
    MoneyOutOfRange = "E0706": "money out of range",
    // Warnings
    UnusedInput = "W0101": "unused input",
    UnusedDefinition = "W0102": "unused definition",
    MissingEnglish = "W0103": "text without English",
    NoExamples = "W0104": "policy without examples",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A text of a diagnostic, in Chinese and in English. It is made only by [`Bilingual::new`] (or the
/// [`text!`](crate::text) macro), which takes both: no diagnostic can be written in one language only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bilingual {
    zh: String,
    en: String,
}

impl Bilingual {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Bilingual {
        Bilingual { zh: zh.into(), en: en.into() }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// A [`Bilingual`] from two format strings, Chinese first: `text!("未知的名称 `{name}`", "unknown name `{name}`")`.
#[macro_export]
macro_rules! text {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::diagnostic::Bilingual::new(format!($zh), format!($en))
    };
}

/// The macro also by this module's path, for the crates that use the compiler's façade.
pub use crate::text;

/// "did you mean `x`?", in both languages: the help of every diagnostic that finds a close name.
pub fn did_you_mean(close: &str) -> Bilingual {
    crate::text!("是不是要写 `{close}`？", "did you mean `{close}`?")
}

/// A secondary place that explains the primary one ("the other row is here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub span: Span,
    pub message: Bilingual,
}

/// One problem found in the rules, with where it is and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: Bilingual,
    pub span: Span,
    /// Said under the caret.
    pub label: Option<Bilingual>,
    pub notes: Vec<Note>,
    /// How to fix it.
    pub help: Option<Bilingual>,
}

impl Diagnostic {
    /// A diagnostic whose severity follows its code: `W…` codes warn, the others are errors.
    pub fn new(code: Code, span: Span, message: Bilingual) -> Diagnostic {
        Diagnostic {
            code,
            severity: if code.as_str().starts_with('W') { Severity::Warning } else { Severity::Error },
            message,
            span,
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn with_label(mut self, label: Bilingual) -> Diagnostic {
        self.label = Some(label);
        self
    }

    pub fn with_help(mut self, help: Bilingual) -> Diagnostic {
        self.help = Some(help);
        self
    }

    pub fn with_note(mut self, span: Span, message: Bilingual) -> Diagnostic {
        self.notes.push(Note { span, message });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
        }
    }
}
