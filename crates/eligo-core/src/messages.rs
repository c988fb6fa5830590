//! The one place runtime errors become sentences, in Chinese or English: the errors themselves
//! are kinds with data, and each edge (the report writer, the CLI, the wasm module, the examples
//! runner) renders them in its language.

use crate::eval::{display, display_share, EvalError, EvalErrorKind, MoneyRange, Relation};
use crate::precompiled::{LoadError, LoadErrorKind, ENGINE_VERSION, FORMAT_VERSION};
use crate::program::ListOp;
use crate::vocabulary::Lang;
use std::fmt;

impl EvalErrorKind {
    /// What went wrong, as a sentence in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        use EvalErrorKind as K;
        let en = lang == Lang::En;
        match self {
            K::ParamNotYetInForce { param, date, first } if en => {
                format!("parameter `{param}` has no value on {date}: its first value starts on {first}")
            }
            K::ParamNotYetInForce { param, date, first } => {
                format!("参数 `{param}` 在 {date} 没有取值：它的第一个取值从 {first} 起才生效")
            }
            K::ParamEnded { param, date } if en => {
                format!("parameter `{param}` has no value on {date}: its last value has ended")
            }
            K::ParamEnded { param, date } => format!("参数 `{param}` 在 {date} 没有取值：它最后一个取值已经失效"),
            K::SharedStepsExceeded { limit } if en => format!(
                "the evaluation took more than {limit} steps in all; the rules do too much work for one citizen \
                 (or, running the examples, for all of them together)"
            ),
            K::SharedStepsExceeded { limit } => {
                format!("计算总共超过了 {limit} 步：规则对一个人（或运行示例时对全部示例）的计算量过大")
            }
            K::StepsExceeded { limit } if en => {
                format!("the rules took more than {limit} steps for this citizen; a list may be too long")
            }
            K::StepsExceeded { limit } => format!("为此人计算超过了 {limit} 步，可能是某个列表过长"),
            K::FieldOutsideList if en => "a field read outside the items of a list".into(),
            K::FieldOutsideList => "在列表的条目之外读取了字段".into(),
            K::NotABool { value } if en => format!("expected true or false, got {value:?}"),
            K::NotABool { value } => format!("这里应当是“是”或“否”，实际得到 {}", display(value)),
            K::EmptyList { op } => {
                let (name, zh) = if *op == ListOp::Min { ("min", "最小值") } else { ("max", "最大值") };
                match lang {
                    Lang::En => format!("`{name}` of an empty list has no value"),
                    Lang::Zh => format!("列表为空，无法求{zh}（`{name}`）"),
                }
            }
            K::NoTableRow { table, keys } => {
                let shown: Vec<String> = keys.iter().map(|(k, v)| format!("{k} = {}", display(v))).collect();
                match lang {
                    Lang::En => format!("no row of table `{table}` matches {}", shown.join(", ")),
                    Lang::Zh => format!("表 `{table}` 中没有与 {} 相符的行", shown.join("，")),
                }
            }
            K::Overflow if en => "a number grew too large to compute exactly".into(),
            K::Overflow => "数值过大，无法精确计算".into(),
            K::NotNumbers if en => "arithmetic on values that are not numbers".into(),
            K::NotNumbers => "对不是数字的值做了算术运算".into(),
            K::DivisionByZero if en => "division by zero".into(),
            K::DivisionByZero => "除数为零".into(),
            K::BuiltinArguments if en => "a built-in function got arguments of the wrong type".into(),
            K::BuiltinArguments => "内置函数收到了类型不对的参数".into(),
            K::DateOutOfRange if en => "the date falls outside the years 1 to 9999".into(),
            K::DateOutOfRange => "日期超出了公元 1 年至 9999 年的范围".into(),
            K::NotADate { year, month, day } if en => format!("{year}-{month}-{day} is not a date in the calendar"),
            K::NotADate { year, month, day } => format!("{year}-{month}-{day} 不是日历上存在的日期"),
            K::DecimalPlaces if en => "decimal places must be between 0 and 28".into(),
            K::DecimalPlaces => "小数位数必须在 0 到 28 之间".into(),
            K::OutputType { output } if en => format!("the output `{output}` is not of its type"),
            K::OutputType { output } => format!("结果 `{output}` 的值与它的类型不符"),
            // The English message has always named the exceptions by their Chinese labels.
            K::ExceptionsDisagree { first, first_value, second, second_value } if en => format!(
                "two exceptions apply and disagree: \"{}\" gives {} but \"{}\" gives {}",
                first.zh,
                display(first_value),
                second.zh,
                display(second_value)
            ),
            K::ExceptionsDisagree { first, first_value, second, second_value } => format!(
                "有两条例外同时适用但结果不同：“{}”得出 {}，“{}”得出 {}",
                first.zh,
                display(first_value),
                second.zh,
                display(second_value)
            ),
            K::NoDefinition { output } if en => format!("no definition of `{output}` applies"),
            K::NoDefinition { output } => format!("`{output}` 没有适用的定义"),
            K::TooManyMissing { limit } if en => format!(
                "the answer depends on more missing facts than a report names ({limit} in all); give more of the data"
            ),
            K::TooManyMissing { limit } => {
                format!("结论取决于太多尚未提供的信息（超过报告能列出的 {limit} 项），请补充更多资料")
            }
            K::MoneyOutOfRange { output, value, range: MoneyRange::NotNegative } if en => format!(
                "`{output}` is {} for this citizen, below zero: an amount, fee or waiver is never negative",
                display(value)
            ),
            K::MoneyOutOfRange { output, value, range: MoneyRange::NotNegative } => {
                format!("`{output}` 对此人为 {}，小于零：金额、费用或减免都不能为负数", display(value))
            }
            K::MoneyOutOfRange { output, value, range: MoneyRange::Share } if en => format!(
                "`{output}` is {} of the fee for this citizen: a waiver that is a share of the fee is between 0% and 100%",
                display_share(value)
            ),
            K::MoneyOutOfRange { output, value, range: MoneyRange::Share } => {
                format!("`{output}` 对此人为费用的 {}：按比例的减免须在 0% 到 100% 之间", display_share(value))
            }
            K::Unsettled { relation } if en => {
                let relation = match relation {
                    Relation::Group(name) => format!("group `{name}`"),
                    Relation::ExcludedBy(by) => format!("`{by}` excludes it"),
                };
                format!(
                    "the relations between policies took too much work for this citizen to settle ({relation}); \
                     the rule set has too many large groups"
                )
            }
            K::Unsettled { relation } => {
                let relation = match relation {
                    Relation::Group(name) => format!("就高不就低组 `{name}`"),
                    Relation::ExcludedBy(by) => format!("被 `{by}` 排除"),
                };
                format!("为此人判定政策之间的关系计算量过大（{relation}），规则中的大型政策组过多")
            }
        }
    }
}

/// In English, as logs and tests read it.
impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind.message(Lang::En))
    }
}

impl LoadErrorKind {
    /// Why the bytes did not load, as a sentence in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        use LoadErrorKind as K;
        match (self, lang) {
            (K::WrongMagic, Lang::En) => "not an Eligo program (wrong magic)".into(),
            (K::WrongMagic, Lang::Zh) => "这不是 Eligo 程序文件（文件头不对）".into(),
            (K::Truncated, Lang::En) => "damaged (truncated)".into(),
            (K::Truncated, Lang::Zh) => "文件已损坏（不完整）".into(),
            (K::Checksum, Lang::En) => "damaged (checksum)".into(),
            (K::Checksum, Lang::Zh) => "文件已损坏（校验和不符）".into(),
            (K::FormatVersion { found }, Lang::En) => format!(
                "made by an Eligo with format {found}, this is {ENGINE_VERSION} with format {FORMAT_VERSION}: \
                 rebuild it with `eligo build`"
            ),
            (K::FormatVersion { found }, Lang::Zh) => format!(
                "该文件由格式版本 {found} 的 Eligo 生成，当前为 {ENGINE_VERSION}（格式版本 {FORMAT_VERSION}）：\
                 请用 `eligo build` 重新生成"
            ),
            (K::EngineVersion { found }, Lang::En) => {
                format!("made by Eligo {found}, this is {ENGINE_VERSION}: rebuild it with `eligo build`")
            }
            (K::EngineVersion { found }, Lang::Zh) => {
                format!("该文件由 Eligo {found} 生成，当前为 {ENGINE_VERSION}：请用 `eligo build` 重新生成")
            }
            (K::Invalid { detail }, Lang::En) => format!("invalid: {detail}"),
            (K::Invalid { detail }, Lang::Zh) => format!("文件内容无效：{detail}"),
        }
    }
}

/// In English, as logs and tests read it.
impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind.message(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::value::Value;

    #[test]
    fn every_language_has_its_own_text() {
        let date = Date::from_ymd(2025, 9, 1).unwrap();
        let kinds = [
            EvalErrorKind::ParamEnded { param: "标准".into(), date },
            EvalErrorKind::NoTableRow { table: "档次".into(), keys: vec![("年龄".into(), Value::Int(3))] },
            EvalErrorKind::Unsettled { relation: Relation::Group("养老".into()) },
            EvalErrorKind::DivisionByZero,
            EvalErrorKind::MoneyOutOfRange {
                output: "fee".into(),
                value: Value::Int(-5),
                range: MoneyRange::NotNegative,
            },
            EvalErrorKind::MoneyOutOfRange { output: "waiver".into(), value: Value::Int(2), range: MoneyRange::Share },
        ];
        for kind in kinds {
            let (zh, en) = (kind.message(Lang::Zh), kind.message(Lang::En));
            assert_ne!(zh, en);
        }
        assert_eq!(
            EvalErrorKind::NoTableRow { table: "t".into(), keys: vec![("a".into(), Value::Int(1))] }.message(Lang::En),
            "no row of table `t` matches a = 1"
        );
        let load = LoadError { kind: LoadErrorKind::Checksum };
        assert_eq!(load.to_string(), "damaged (checksum)");
        assert_eq!(load.kind.message(Lang::Zh), "文件已损坏（校验和不符）");
    }
}
