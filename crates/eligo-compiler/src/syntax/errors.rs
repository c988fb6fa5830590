//! Turns pest's errors into diagnostics that say, in the policy author's terms, what was expected,
//! what was found, and how to fix it.

use super::Rule;
use crate::diagnostic::{did_you_mean, Bilingual, Code, Diagnostic};
use crate::text;
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
    let mut expected: Vec<Said> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        for rule in positives {
            push_unique(&mut expected, describe(*rule).into());
        }
    }
    // pest's rule list leaves out punctuation (`:`, `=>`): when the attempts went further than
    // the rules, or the rules say nothing useful, the punctuation expected there is the news.
    let vague = expected.iter().all(|e| e.is(MORE) || e.is(END) || e.is(DECLARATION));
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
        let has = |what: Words| expected.iter().any(|e| e.is(what));
        let (operators, text) = (has(OPERATOR), has(TEXT));
        let value = has(EXPRESSION) || has(VALUE) || has(NAME);
        for token in &attempts.punctuation {
            let said = token == "//"
                || (operators && is_operator(token))
                || ((text || value) && token == "\"")
                || (value && matches!(token.as_str(), "(" | "-" | "[" | "_"));
            if !said {
                push_unique(&mut expected, Said::code(token));
            }
        }
    }
    if expected.len() > 1 {
        expected.retain(|e| !e.is(END) && !e.is(MORE));
    }
    let rest = chunk.get(pos..).unwrap_or("");
    let at_end = rest.trim().is_empty();
    let found = token_at(chunk, pos);
    // A declaration cut short: point just after its last word, not at the next declaration.
    let (start, end, found_text) = if at_end {
        let last = chunk.trim_end().len();
        let what = if more_follows { ("下一个声明的开头", "the start of the next declaration") } else { END };
        (last, last, Said::from(what))
    } else if found.chars().all(is_line_break) {
        // Said in words, and at the end of the line rather than over its break: the same,
        // whichever line break ends the line.
        (pos, pos, Said::from(("行尾", "the end of the line")))
    } else {
        (pos, pos + found.len(), Said::code(found))
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
    let (found_zh, found_en) = (&found_text.zh, &found_text.en);
    let message = if unclosed {
        text!("这段文字缺少结尾的引号", "this text has no closing quote")
    } else {
        match expected.as_slice() {
            [] => Bilingual::new(spaced(&format!("此处不应出现{found_zh}")), format!("unexpected {found_en}")),
            [one] => {
                let (one_zh, one_en) = (&one.zh, &one.en);
                Bilingual::new(
                    spaced(&format!("此处应为{one_zh}，实际是{found_zh}")),
                    format!("expected {one_en}, found {found_en}"),
                )
            }
            [rest @ .., last] => {
                let rest_zh = rest.iter().map(|e| e.zh.as_str()).collect::<Vec<_>>().join("、");
                let rest_en = rest.iter().map(|e| e.en.as_str()).collect::<Vec<_>>().join(", ");
                let (last_zh, last_en) = (&last.zh, &last.en);
                Bilingual::new(
                    spaced(&format!("此处应为{rest_zh}或{last_zh}，实际是{found_zh}")),
                    format!("expected {rest_en} or {last_en}, found {found_en}"),
                )
            }
        }
    };
    let label = if unclosed {
        text!("这段文字从这里开始", "this text starts here")
    } else if at_end {
        text!("这里还缺内容", "expected more here")
    } else {
        text!("这里不应出现", "unexpected here")
    };
    let diagnostic = Diagnostic::new(Code::Syntax, span, message).with_label(label);
    let help = if unclosed {
        Some(text!(
            "在同一行用 `\"` 结束这段文字；一段文字不能跨行",
            "end the text with `\"` on the same line; a text cannot span lines"
        ))
    } else {
        help_for(found, &expected)
    };
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// A word at the start of a line that is not a keyword but one edit or so from a declaration or
/// clause keyword, where pest stopped (`requir`, `polciy`, `labl`).
pub struct Misspelt {
    /// Where the word starts in the chunk.
    pub at: usize,
    pub word: String,
    /// The keyword it is read as.
    pub keyword: &'static str,
    declares: bool,
}

impl Misspelt {
    /// The one diagnostic for it, at `span` (the word's place in the file); `read` when the rest
    /// of the line was read with the keyword, not left out.
    pub fn diagnostic(&self, span: Span, read: bool) -> Diagnostic {
        let (word, keyword) = (&self.word, self.keyword);
        let (what_zh, what_en) = if self.declares { ("声明", "declaration") } else { ("子句", "clause") };
        Diagnostic::new(
            Code::Syntax,
            span,
            text!(
                "没有 `{word}` 这种{what_zh}，是不是要写 `{keyword}`？",
                "unknown {what_en} `{word}`, did you mean `{keyword}`?"
            ),
        )
        .with_label(text!("不是{what_zh}的关键字", "not a {what_en} keyword"))
        .with_help(if read {
            text!(
                "改成 `{keyword}`；其余部分已按 `{keyword}` 读入并检查",
                "write `{keyword}`; the rest was read as `{keyword}` and checked"
            )
        } else {
            text!(
                "改成 `{keyword}`（或别的关键字）；这一行没有读入，其余部分已检查",
                "write `{keyword}` (or another keyword); this line was left out and the rest checked"
            )
        })
    }
}

/// The misspelt keyword that made pest stop, if that is what it stopped on: the readings of it,
/// as a declaration keyword and as a clause keyword (`lable` is one edit from `table` and from
/// `label`), the declaration first.
pub fn misspelt_keyword(err: &pest::error::Error<Rule>, chunk: &str) -> Vec<Misspelt> {
    let pos = error_at(err);
    // The first word of the line pest stopped on: pest may stop after it, as `requiree x` is
    // read as `require` and the expression `e`.
    let start = line_start(chunk, pos);
    let line = chunk.get(start..).unwrap_or("");
    let at = start + line.len() - line.trim_start_matches([' ', '\t', '\u{3000}', '\u{FEFF}']).len();
    let word = token_at(chunk, at);
    if word.is_empty() || !word.chars().all(|c| c.is_ascii_alphabetic()) || is_keyword(word) {
        return Vec::new();
    }
    [(super::DECLARATION_KEYWORDS.as_slice(), true), (super::CLAUSE_KEYWORDS.as_slice(), false)]
        .into_iter()
        .filter_map(|(keywords, declares)| {
            let keyword = eligo_core::suggest::did_you_mean(word, keywords.iter().copied())?;
            Some(Misspelt { at, word: word.to_string(), keyword, declares })
        })
        .collect()
}

/// Chinese with code in it, as written by hand elsewhere: a space between a Chinese character
/// and code in backticks (`此处应为 `:`，实际是 `：``), none next to punctuation.
fn spaced(text: &str) -> String {
    let ideograph = |c: Option<char>| c.is_some_and(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_code = false;
    let mut chars = text.chars().peekable();
    let mut before = None;
    while let Some(c) = chars.next() {
        if c == '`' {
            if !in_code && ideograph(before) {
                out.push(' ');
            }
            out.push(c);
            if in_code && ideograph(chars.peek().copied()) {
                out.push(' ');
            }
            in_code = !in_code;
        } else {
            out.push(c);
        }
        before = Some(c);
    }
    out
}

/// Where pest stopped.
pub fn error_at(err: &pest::error::Error<Rule>) -> usize {
    match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    }
}

/// Where the line holding `pos` starts.
pub fn line_start(chunk: &str, pos: usize) -> usize {
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
        ">=" => text!("把区间写成 `{bound}..`（包含两端）", "write the band as `{bound}..` (its ends are included)"),
        "<=" => text!("把区间写成 `..{bound}`（包含两端）", "write the band as `..{bound}` (its ends are included)"),
        "<" => text!("把区间写成 `..<{bound}`", "write the band as `..<{bound}`"),
        ">" => text!(
            "把区间写成 `N..`，N 是大于 {bound} 的第一个值（整数大于 70 写 `71..`）",
            "write the band as `N..` with N the first value above {bound} (`71..` for whole numbers above 70)"
        ),
        _ => text!("行首先写这一行的条件值，例如 `70.. => 3`", "write the row's cells first, for example `70.. => 3`"),
    };
    Some(
        Diagnostic::new(
            Code::Syntax,
            Span::new(file, offset + at, offset + at + op.len()),
            text!(
                "表的一行应以条件值开头，不能以 `{op}` 开头：这一行被当成了上一行取值的后半部分",
                "a table row starts with its cells, not with `{op}`: this line was read as the rest of the previous row's value"
            ),
        )
        .with_label(text!("这一行以运算符开头", "this row starts with an operator"))
        .with_help(band),
    )
}

fn is_operator(token: &str) -> bool {
    matches!(token, "==" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/")
}

fn push_unique(list: &mut Vec<Said>, item: Said) {
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

fn help_for(found: &str, expected: &[Said]) -> Option<Bilingual> {
    let expects = |what: Words| expected.iter().any(|e| e.is(what));
    let ascii = half_width(found);
    if let Some(c) = found.chars().next().filter(|c| crate::render::invisible(*c) && !is_line_break(*c)) {
        // Copied from a web page or a PDF: it looks like a space, or like nothing.
        let code = c as u32;
        return Some(text!(
            "U+{code:04X} 是一个看不见的字符，不是规则语言里的空格；请删除它，或输入普通空格",
            "U+{code:04X} is an invisible character, not a space of the language; delete it, or type an ordinary space"
        ));
    }
    if let Some(ascii) = ascii {
        return Some(match found {
            "≥" | "≤" | "≠" => text!("把 `{found}` 写成 `{ascii}`", "write `{found}` as `{ascii}`"),
            _ => text!(
                "`{found}` 是全角字符；请改用半角的 `{ascii}`（把输入法切换到英文）",
                "`{found}` is a full-width character; type the half-width `{ascii}` instead (switch the input method to English)"
            ),
        });
    }
    if expects(CONDITION_LABEL) || (expects(TEXT) && expects(OPERATOR)) {
        return Some(text!(
            "每个条件都以带引号的说明结尾，例如：`require 年龄 >= 65 \"年满65周岁\" en \"Aged 65 or over\"`",
            "every condition ends with its label in quotes, for example: require 年龄 >= 65 \"年满65周岁\" en \"Aged 65 or over\""
        ));
    }
    if expects(NAME) && is_keyword(found) {
        return Some(text!(
            "`{found}` 是规则语言的保留字；请换一个名称，例如 `{found}_1`",
            "`{found}` is a reserved word of the language; choose another name, such as `{found}_1`"
        ));
    }
    if found.chars().next().is_some_and(|c| c.is_ascii_digit()) && expects(NAME) {
        return Some(text!("名称不能以数字开头", "names cannot start with a digit"));
    }
    if found.chars().all(|c| c.is_ascii_alphabetic()) {
        if let Some(keyword) = eligo_core::suggest::did_you_mean(
            found,
            super::DECLARATION_KEYWORDS.iter().chain(&super::CLAUSE_KEYWORDS).chain(OTHER_KEYWORDS).copied(),
        ) {
            return Some(did_you_mean(keyword));
        }
    }
    if expects(DECLARATION) {
        return Some(text!(
            "每个声明以下列关键字之一开头：ruleset、record、input、param、let、table、policy、group、example",
            "each declaration starts with one of: ruleset, record, input, param, let, table, policy, group, example"
        ));
    }
    None
}

fn is_keyword(word: &str) -> bool {
    use pest::Parser;
    super::EligoParser::parse(Rule::keyword, word).is_ok_and(|pairs| pairs.as_str() == word)
}

/// Words a misspelling is compared with, besides those that start declarations and clauses.
const OTHER_KEYWORDS: &[&str] = &[
    "excludes",
    "highest",
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

/// A thing the parser expected or found, as said in both languages.
#[derive(Clone, PartialEq)]
struct Said {
    zh: String,
    en: String,
}

impl Said {
    /// Code quoted as it is, the same in both languages: `` `=>` ``.
    fn code(token: &str) -> Said {
        Said { zh: format!("`{token}`"), en: format!("`{token}`") }
    }

    fn is(&self, what: Words) -> bool {
        self.en == what.1
    }
}

impl From<Words> for Said {
    fn from((zh, en): Words) -> Said {
        Said { zh: zh.into(), en: en.into() }
    }
}

/// A description in Chinese and in English.
type Words = (&'static str, &'static str);

const NAME: Words = ("名称", "a name");
const TEXT: Words = ("带引号的文字", "a text in quotes");
const OPERATOR: Words = ("运算符", "an operator");
const END: Words = ("文件结尾", "the end of the file");
const EXPRESSION: Words = ("表达式", "an expression");
const VALUE: Words = ("值", "a value");
const MORE: Words = ("更多内容", "more text");
const CONDITION_LABEL: Words = ("带引号的条件说明", "the condition's label in quotes");
const DECLARATION: Words = ("声明", "a declaration");

fn describe(rule: Rule) -> Words {
    match rule {
        Rule::ident | Rule::table_key => NAME,
        Rule::word => ("函数名", "a function name"),
        Rule::string | Rule::str_inner | Rule::cn_str_inner => TEXT,
        Rule::text => CONDITION_LABEL,
        Rule::date => ("日期，如 2025-01-01", "a date like 2025-01-01"),
        Rule::int | Rule::decimal | Rule::percent | Rule::money => ("数字", "a number"),
        Rule::signed_literal | Rule::boolean | Rule::data_value | Rule::data_list | Rule::data_record => VALUE,
        Rule::expr | Rule::unary | Rule::if_expr | Rule::call | Rule::list_expr | Rule::today => EXPRESSION,
        Rule::value_from => ("`from`", "`from`"),
        Rule::value_until => ("`until`", "`until`"),
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
        | Rule::div_op => OPERATOR,
        Rule::not_op | Rule::neg_op => EXPRESSION,
        Rule::type_expr | Rule::list_type | Rule::enum_type => (
            "类型（bool、int、decimal、money、date、text、one of …、list of …）",
            "a type (bool, int, decimal, money, date, text, one of …, list of …)",
        ),
        Rule::enum_option => ("带引号的选项", "an option in quotes"),
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
        Rule::label_clause => ("`label`", "`label`"),
        Rule::question_clause => ("`question`", "`question`"),
        Rule::hint_clause => ("`hint`", "`hint`"),
        Rule::min_clause => ("`min`", "`min`"),
        Rule::max_clause => ("`max`", "`max`"),
        Rule::field_decl => ("`field`", "`field`"),
        Rule::param_value => {
            ("带日期的取值，如 1450 from 2024-07-01", "a value with its date, like 1450 from 2024-07-01")
        }
        Rule::source_clause => ("`source`", "`source`"),
        Rule::hit_policy => ("`unique` 或 `first`", "`unique` or `first`"),
        Rule::table_row | Rule::cell | Rule::band | Rule::band_bound | Rule::otherwise | Rule::any_cell => {
            ("表的一行，如 `65..69 => 75`", "a table row like `65..69 => 75`")
        }
        Rule::band_open => ("`<`", "`<`"),
        Rule::effective_clause => ("`effective`", "`effective`"),
        Rule::require_clause => ("`require`", "`require`"),
        Rule::unless_clause => ("`unless`", "`unless`"),
        Rule::amount_clause => ("`amount`", "`amount`"),
        Rule::period => ("`monthly`、`yearly` 或 `once`", "`monthly`, `yearly` or `once`"),
        Rule::fee_clause => ("`fee`", "`fee`"),
        Rule::waiver_clause => ("`waiver`", "`waiver`"),
        Rule::output_clause => ("`output`", "`output`"),
        Rule::exception_clause => ("`exception`", "`exception`"),
        Rule::output_ref | Rule::amount_kw | Rule::fee_kw | Rule::waiver_kw => {
            ("一项输出（amount、fee、waiver 或一个名称）", "an output (amount, fee, waiver or a name)")
        }
        Rule::excludes_clause => ("`excludes`", "`excludes`"),
        Rule::given_clause => ("`given`", "`given`"),
        Rule::binding => ("“名称 = 值”", "a name = value pair"),
        Rule::missing_kw => ("`missing`", "`missing`"),
        Rule::expect_clause => ("`expect`", "`expect`"),
        Rule::status => (
            "一个结论（eligible、ineligible、undetermined、not_applicable、error）",
            "a status (eligible, ineligible, undetermined, not_applicable, error)",
        ),
        Rule::expectation | Rule::missing_expectation | Rule::payable_expectation | Rule::output_expectation => (
            "预期的输出，如 `amount = 75` 或 `missing = [birth_date]`",
            "an expected output like `amount = 75` or `missing = [birth_date]`",
        ),
        Rule::fact_path => ("输入项的名称", "an input name"),
        Rule::neg_sign => ("`-`", "`-`"),
        _ => MORE,
    }
}
