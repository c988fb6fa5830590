//! Turns pest's errors into diagnostics that say, in the policy author's terms, what was expected,
//! what was found, and how to fix it.

use super::Rule;
use crate::diagnostic::{Code, Diagnostic};
use eligo_core::source::{is_line_break, lines_inclusive, trim_line_break, FileId, Span};
use pest::error::{ErrorVariant, InputLocation};

/// What pest tried at the furthest point it reached: where, and which punctuation would fit.
pub struct Attempts {
    pub max_position: usize,
    pub punctuation: Vec<String>,
}

/// The diagnostic for a parse error in `chunk` (a declaration starting at `offset` in the file).
/// `attempts` come from parsing again with pest's error detail on: they name the punctuation
/// (`:`, `=>`) that pest's rule list leaves out.
pub fn syntax_error(
    err: pest::error::Error<Rule>,
    attempts: Option<Attempts>,
    file: FileId,
    offset: usize,
    chunk: &str,
    more_follows: bool,
) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let mut expected: Vec<String> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        for rule in positives {
            push_unique(&mut expected, describe(*rule).to_string());
        }
    }
    // pest's rule list leaves out punctuation (`:`, `=>`): when the attempts went further than
    // the rules, or the rules say nothing useful, the punctuation expected there is the news.
    let vague = expected.iter().all(|e| e == MORE || e == END || e == DECLARATION);
    let mut pos = pos;
    if let Some(attempts) = attempts.as_ref().filter(|a| a.max_position > pos && !a.punctuation.is_empty()) {
        let there = token_at(chunk, attempts.max_position);
        if vague || !attempts.punctuation.iter().any(|p| p == there) {
            pos = attempts.max_position;
            expected.clear();
        }
    }
    // Only punctuation is taken from the attempts: the rules already say the rest, better.
    if let Some(attempts) = attempts.filter(|a| a.max_position == pos) {
        let has = |what: &str| expected.iter().any(|e| e == what);
        let (operators, text) = (has(OPERATOR), has(TEXT));
        let value = has(EXPRESSION) || has(VALUE) || has(NAME);
        for token in &attempts.punctuation {
            let said = token == "//"
                || (operators && is_operator(token))
                || ((text || value) && token == "\"")
                || (value && matches!(token.as_str(), "(" | "-" | "[" | "_"));
            if !said {
                push_unique(&mut expected, format!("`{token}`"));
            }
        }
    }
    if expected.len() > 1 {
        expected.retain(|e| e != END && e != MORE);
    }
    let rest = chunk.get(pos..).unwrap_or("");
    let at_end = rest.trim().is_empty();
    let found = token_at(chunk, pos);
    // A declaration cut short: point just after its last word, not at the next declaration.
    let (start, end, found_text) = if at_end {
        let last = chunk.trim_end().len();
        let what = if more_follows { "the start of the next declaration" } else { "the end of the file" };
        (last, last, what.to_string())
    } else if found.chars().all(is_line_break) {
        // Said in words, and at the end of the line rather than over its break: the same,
        // whichever line break ends the line.
        (pos, pos, "the end of the line".to_string())
    } else {
        (pos, pos + found.len(), format!("`{found}`"))
    };
    if let Some(merged) = merged_row(file, offset, chunk, pos) {
        return merged;
    }
    // A text that never closes: the line holds an odd number of quotes.
    let line_start = line_start(chunk, pos);
    let line = lines_inclusive(chunk.get(line_start..).unwrap_or("")).next().map_or("", trim_line_break);
    let unclosed = line.matches('"').count() % 2 == 1;
    let (start, end, found_text) = match line.rfind('"') {
        Some(quote) if unclosed => (line_start + quote, line_start + quote + 1, found_text),
        _ => (start, end, found_text),
    };
    let span = Span::new(file, offset + start, offset + end);
    let message = if unclosed {
        "this text has no closing quote".to_string()
    } else {
        match expected.as_slice() {
            [] => format!("unexpected {found_text}"),
            [one] => format!("expected {one}, found {found_text}"),
            [rest @ .., last] => format!("expected {} or {last}, found {found_text}", rest.join(", ")),
        }
    };
    let label = if unclosed {
        "this text starts here"
    } else if at_end {
        "expected more here"
    } else {
        "unexpected here"
    };
    let diagnostic = Diagnostic::new(Code::Syntax, span, message).with_label(label);
    let help = if unclosed {
        Some("end the text with `\"` on the same line; a text cannot span lines".to_string())
    } else {
        help_for(found, &expected)
    };
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// A word at the start of a line that is not a keyword but one edit or so from a declaration or
/// clause keyword, where pest stopped (`requir`, `polciy`): the diagnostic for it, and the text
/// to leave out to read on: to the next line that starts a clause, or to the end of the
/// declaration for a misspelt declaration keyword (its clauses are its own).
pub fn misspelt_keyword(
    err: &pest::error::Error<Rule>,
    file: FileId,
    offset: usize,
    chunk: &str,
) -> Option<(std::ops::Range<usize>, Diagnostic)> {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    // The first word of the line pest stopped on: pest may stop after it, as `requiree x` is
    // read as `require` and the expression `e`.
    let start = line_start(chunk, pos);
    let line = chunk.get(start..).unwrap_or("");
    let pos = start + line.len() - line.trim_start_matches([' ', '\t', '\u{3000}', '\u{FEFF}']).len();
    let word = token_at(chunk, pos);
    if word.is_empty() || !word.chars().all(|c| c.is_ascii_alphabetic()) || is_keyword(word) {
        return None;
    }
    let declaration = eligo_core::suggest::did_you_mean(word, super::DECLARATION_KEYWORDS);
    let clause = eligo_core::suggest::did_you_mean(word, super::CLAUSE_KEYWORDS);
    let (keyword, what, end) = match (declaration, clause) {
        (Some(keyword), _) => (keyword, "declaration", chunk.len()),
        (None, Some(keyword)) => {
            let rest = chunk.get(pos..).unwrap_or("");
            let next = lines_inclusive(rest)
                .scan(pos, |line_at, line| {
                    let at = *line_at;
                    *line_at += line.len();
                    Some((at, line))
                })
                .skip(1)
                .find(|(_, line)| {
                    let first = line.trim_start().split(|c: char| !(c.is_alphanumeric() || c == '_')).next();
                    first.is_some_and(|w| {
                        super::CLAUSE_KEYWORDS.contains(&w) || super::DECLARATION_KEYWORDS.contains(&w)
                    })
                })
                .map_or(chunk.len(), |(at, _)| at);
            (keyword, "clause", next)
        }
        (None, None) => return None,
    };
    let diagnostic = Diagnostic::new(
        Code::Syntax,
        Span::new(file, offset + pos, offset + pos + word.len()),
        format!("unknown {what} `{word}`, did you mean `{keyword}`?"),
    )
    .with_label(format!("not a {what} keyword"))
    .with_help(format!("write `{keyword}`; the {what} starting here was not read"));
    Some((start..end, diagnostic))
}

/// Where the line holding `pos` starts.
fn line_start(chunk: &str, pos: usize) -> usize {
    let before = chunk.get(..pos.min(chunk.len())).unwrap_or("");
    before.char_indices().rev().find(|(_, c)| is_line_break(*c)).map_or(0, |(i, c)| i + c.len_utf8())
}

/// A table row that starts with an operator (`>= 70 => 3` after `65..69 => 75`) is read as the
/// rest of the previous row's value, and only its `=>` makes no sense: say that the row was
/// merged, at the operator, instead of what an expression would expect at the arrow.
fn merged_row(file: FileId, offset: usize, chunk: &str, pos: usize) -> Option<Diagnostic> {
    if !chunk.get(pos..)?.starts_with("=>") {
        return None;
    }
    let start = line_start(chunk, pos);
    let line = chunk.get(start..pos)?;
    let code = line.trim_start_matches([' ', '\t', '\u{3000}']);
    let at = start + line.len() - code.len();
    let op = ["<=", ">=", "==", "!=", "<", ">", "=", "+", "-", "*", "/", "×", "÷"]
        .into_iter()
        .find(|op| code.starts_with(op))?;
    // The first line of a table cannot continue a row.
    if start == 0 {
        return None;
    }
    let bound = code.get(op.len()..).unwrap_or("").trim();
    let band = match op {
        ">=" => format!("write the band as `{bound}..` (its ends are included)"),
        "<=" => format!("write the band as `..{bound}` (its ends are included)"),
        "<" => format!("write the band as `..<{bound}`"),
        ">" => {
            format!("write the band as `N..` with N the first value above {bound} (`71..` for whole numbers above 70)")
        }
        _ => "write the row's cells first, for example `70.. => 3`".to_string(),
    };
    Some(
        Diagnostic::new(
            Code::Syntax,
            Span::new(file, offset + at, offset + at + op.len()),
            format!("a table row starts with its cells, not with `{op}`: this line was read as the rest of the previous row's value"),
        )
        .with_label("this row starts with an operator")
        .with_help(band),
    )
}

fn is_operator(token: &str) -> bool {
    matches!(token, "==" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/")
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The word, or the single character, at `pos`.
fn token_at(chunk: &str, pos: usize) -> &str {
    let rest = chunk.get(pos..).unwrap_or("");
    let word_len: usize =
        rest.char_indices().take_while(|(_, c)| c.is_alphanumeric() || *c == '_').map(|(_, c)| c.len_utf8()).sum();
    if word_len > 0 {
        &rest[..word_len]
    } else {
        rest.chars().next().map_or("", |c| &rest[..c.len_utf8()])
    }
}

/// What a Chinese input method's full-width punctuation (or a typographic sign) stands for in the
/// language: the help of a syntax error and the editor's quick fix.
pub(crate) fn half_width(found: &str) -> Option<&'static str> {
    match found {
        "，" => Some(","),
        "：" => Some(":"),
        "（" => Some("("),
        "）" => Some(")"),
        "；" => Some(";"),
        "＝" => Some("="),
        "＞" => Some(">"),
        "＜" => Some("<"),
        "【" | "［" => Some("["),
        "】" | "］" => Some("]"),
        "‘" | "’" | "「" | "」" | "『" | "』" => Some("\""),
        "≥" => Some(">="),
        "≤" => Some("<="),
        "≠" => Some("!="),
        _ => None,
    }
}

fn help_for(found: &str, expected: &[String]) -> Option<String> {
    let expects = |what: &str| expected.iter().any(|e| e == what);
    let ascii = half_width(found);
    if let Some(c) = found.chars().next().filter(|c| crate::render::invisible(*c) && !is_line_break(*c)) {
        // Copied from a web page or a PDF: it looks like a space, or like nothing.
        return Some(format!(
            "U+{:04X} is an invisible character, not a space of the language; delete it, or type an ordinary space",
            c as u32
        ));
    }
    if let Some(ascii) = ascii {
        return Some(match found {
            "≥" | "≤" | "≠" => format!("write `{found}` as `{ascii}`"),
            _ => format!(
                "`{found}` is a full-width character; type the half-width `{ascii}` instead (switch the input method to English)"
            ),
        });
    }
    if expects(CONDITION_LABEL) || (expects(TEXT) && expects(OPERATOR)) {
        return Some(
            "every condition ends with its label in quotes, for example: require 年龄 >= 65 \"年满65周岁\" en \"Aged 65 or over\""
                .into(),
        );
    }
    if expects(NAME) && is_keyword(found) {
        return Some(format!("`{found}` is a reserved word of the language; choose another name, such as `{found}_1`"));
    }
    if found.chars().next().is_some_and(|c| c.is_ascii_digit()) && expects(NAME) {
        return Some("names cannot start with a digit".into());
    }
    if found.chars().all(|c| c.is_ascii_alphabetic()) {
        if let Some(keyword) = eligo_core::suggest::did_you_mean(
            found,
            super::DECLARATION_KEYWORDS.iter().chain(&super::CLAUSE_KEYWORDS).chain(OTHER_KEYWORDS).copied(),
        ) {
            return Some(format!("did you mean `{keyword}`?"));
        }
    }
    if expects(DECLARATION) {
        return Some(
            "each declaration starts with one of: ruleset, record, input, param, let, table, policy, group, example"
                .into(),
        );
    }
    None
}

fn is_keyword(word: &str) -> bool {
    use pest::Parser;
    super::EligoParser::parse(Rule::keyword, word).is_ok_and(|pairs| pairs.as_str() == word)
}

/// Words a misspelling is compared with, besides those that start declarations and clauses.
const OTHER_KEYWORDS: &[&str] = &[
    "label",
    "question",
    "hint",
    "excludes",
    "highest",
    "given",
    "monthly",
    "yearly",
    "once",
    "otherwise",
    "eligible",
    "ineligible",
    "undetermined",
    "not_applicable",
    "missing",
    "payable",
    "unique",
    "first",
];

const NAME: &str = "a name";
const TEXT: &str = "a text in quotes";
const OPERATOR: &str = "an operator";
const END: &str = "the end of the file";
const EXPRESSION: &str = "an expression";
const VALUE: &str = "a value";
const MORE: &str = "more text";
const CONDITION_LABEL: &str = "the condition's label in quotes";
const DECLARATION: &str = "a declaration";

fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::ident | Rule::table_key => NAME,
        Rule::word => "a function name",
        Rule::string | Rule::str_inner | Rule::cn_str_inner => TEXT,
        Rule::text => CONDITION_LABEL,
        Rule::date => "a date like 2025-01-01",
        Rule::int | Rule::decimal | Rule::percent | Rule::money => "a number",
        Rule::signed_literal | Rule::boolean | Rule::data_value | Rule::data_list | Rule::data_record => VALUE,
        Rule::expr | Rule::unary | Rule::if_expr | Rule::call | Rule::list_expr | Rule::today => EXPRESSION,
        Rule::value_from => "`from`",
        Rule::value_until => "`until`",
        Rule::or_op
        | Rule::and_op
        | Rule::eq_op
        | Rule::ne_op
        | Rule::le_op
        | Rule::ge_op
        | Rule::lt_op
        | Rule::gt_op
        | Rule::in_op
        | Rule::add_op
        | Rule::sub_op
        | Rule::mul_op
        | Rule::div_op => "an operator",
        Rule::not_op | Rule::neg_op => EXPRESSION,
        Rule::type_expr | Rule::list_type | Rule::enum_type => {
            "a type (bool, int, decimal, money, date, text, one of …, list of …)"
        }
        Rule::enum_option => "an option in quotes",
        Rule::ruleset_decl
        | Rule::record_decl
        | Rule::input_decl
        | Rule::param_decl
        | Rule::let_decl
        | Rule::table_decl
        | Rule::policy_decl
        | Rule::group_decl
        | Rule::example_decl => DECLARATION,
        Rule::EOI => END,
        Rule::label_clause => "`label`",
        Rule::question_clause => "`question`",
        Rule::hint_clause => "`hint`",
        Rule::min_clause => "`min`",
        Rule::max_clause => "`max`",
        Rule::field_decl => "`field`",
        Rule::param_value => "a value with its date, like 1450 from 2024-07-01",
        Rule::source_clause => "`source`",
        Rule::hit_policy => "`unique` or `first`",
        Rule::table_row | Rule::cell | Rule::band | Rule::band_bound | Rule::otherwise | Rule::any_cell => {
            "a table row like `65..69 => 75`"
        }
        Rule::band_open => "`<`",
        Rule::effective_clause => "`effective`",
        Rule::require_clause => "`require`",
        Rule::unless_clause => "`unless`",
        Rule::amount_clause => "`amount`",
        Rule::period => "`monthly`, `yearly` or `once`",
        Rule::fee_clause => "`fee`",
        Rule::waiver_clause => "`waiver`",
        Rule::output_clause => "`output`",
        Rule::exception_clause => "`exception`",
        Rule::output_ref | Rule::amount_kw | Rule::fee_kw | Rule::waiver_kw => {
            "an output (amount, fee, waiver or a name)"
        }
        Rule::excludes_clause => "`excludes`",
        Rule::given_clause => "`given`",
        Rule::binding => "a name = value pair",
        Rule::missing_kw => "`missing`",
        Rule::expect_clause => "`expect`",
        Rule::status => "a status (eligible, ineligible, undetermined, not_applicable, error)",
        Rule::expectation | Rule::missing_expectation | Rule::payable_expectation | Rule::output_expectation => {
            "an expected output like `amount = 75` or `missing = [birth_date]`"
        }
        Rule::fact_path => "an input name",
        Rule::neg_sign => "`-`",
        _ => MORE,
    }
}
