//! Turns pest's errors into diagnostics that say, in the policy author's terms, what was expected,
//! what was found, and how to fix it.

use super::Rule;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use pest::error::{ErrorVariant, InputLocation};

pub fn syntax_error(err: pest::error::Error<Rule>, file: FileId, offset: usize, chunk: &str) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let found = token_at(chunk, pos);
    let mut expected: Vec<&str> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        for rule in positives {
            let what = describe(*rule);
            if !expected.contains(&what) {
                expected.push(what);
            }
        }
    }
    let span = Span::new(file, offset + pos, offset + pos + found.len());
    let found_text = if found.is_empty() { "the end of the file".to_string() } else { format!("`{found}`") };
    let message = match expected.as_slice() {
        [] => format!("unexpected {found_text}"),
        [one] => format!("expected {one}, found {found_text}"),
        [rest @ .., last] => format!("expected {} or {last}, found {found_text}", rest.join(", ")),
    };
    let diagnostic = Diagnostic::error(Code::Syntax, span, message).with_label("unexpected here");
    match help_for(found, &expected) {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
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

fn help_for(found: &str, expected: &[&str]) -> Option<String> {
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
        _ => None,
    };
    if let Some(ascii) = ascii {
        return Some(format!("`{found}` is a full-width character; type the half-width `{ascii}` instead (switch the input method to English)"));
    }
    if expected.contains(&CONDITION_LABEL) {
        return Some("every condition needs its label in quotes, for example: require 年龄 >= 65 \"年满65周岁\" en \"Aged 65 or over\"".into());
    }
    if expected.contains(&NAME) && is_keyword(found) {
        return Some(format!("`{found}` is a reserved word of the language; choose another name, such as `{found}_1`"));
    }
    if found.chars().next().is_some_and(|c| c.is_ascii_digit()) && expected.contains(&NAME) {
        return Some("names cannot start with a digit".into());
    }
    if expected.contains(&DECLARATION) {
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

const NAME: &str = "a name";
const CONDITION_LABEL: &str = "the condition's label in quotes";
const DECLARATION: &str = "a declaration";

fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::ident | Rule::table_key => NAME,
        Rule::word => "a function name",
        Rule::string | Rule::str_inner | Rule::cn_str_inner => "a text in quotes",
        Rule::text => CONDITION_LABEL,
        Rule::date => "a date like 2025-01-01",
        Rule::int | Rule::decimal | Rule::percent | Rule::money => "a number",
        Rule::signed_literal | Rule::boolean | Rule::data_value | Rule::data_list | Rule::data_record => "a value",
        Rule::expr | Rule::unary | Rule::if_expr | Rule::call | Rule::list_expr | Rule::today => "an expression",
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
        Rule::not_op | Rule::neg_op => "an expression",
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
        Rule::EOI => "the end of the file",
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
        _ => "more text",
    }
}
