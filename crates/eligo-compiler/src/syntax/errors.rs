//! Turns pest's errors into diagnostics that say, in the policy author's terms, what was expected,
//! what was found, and how to fix it.

use super::Rule;
use crate::diagnostic::{Code, Diagnostic};
use eligo_core::source::{FileId, Span};
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
    } else {
        (pos, pos + found.len(), format!("`{found}`"))
    };
    // A text that never closes: the line holds an odd number of quotes.
    let line_start = chunk[..pos.min(chunk.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = chunk[line_start..].lines().next().unwrap_or("");
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

fn help_for(found: &str, expected: &[String]) -> Option<String> {
    let expects = |what: &str| expected.iter().any(|e| e == what);
    let ascii = match found {
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
    };
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
