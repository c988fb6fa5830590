//! The one place runtime errors become sentences, in Chinese or English: the errors themselves
//! are kinds with data, and each edge (the report writer, the CLI, the wasm module, the examples
//! runner) renders them in its language.

use crate::bundle::BUNDLE_FORMAT;
use crate::eval::{display, display_share, EvalError, EvalErrorKind, MoneyRange, Relation};
use crate::keys::{KeyError, KeyErrorKind, KeyId, MAX_ISSUER_BYTES};
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
            (K::Unsigned, Lang::En) => "the rules are not signed: only rules signed by a trusted issuer are accepted \
                (sign them with `eligo build --sign`; unsigned rules are for development only)"
                .into(),
            (K::Unsigned, Lang::Zh) => "规则文件没有签名：只接受受信任的发布机关签名的规则\
                （请用 `eligo build --sign` 签名；未签名的规则仅供开发使用）"
                .into(),
            (K::BundleFormat { found }, Lang::En) => format!(
                "a signed bundle in format {found}, this is Eligo {ENGINE_VERSION} (bundle format {BUNDLE_FORMAT}): \
                 rebuild it with `eligo build --sign`"
            ),
            (K::BundleFormat { found }, Lang::Zh) => format!(
                "签名规则包的格式版本为 {found}，当前 Eligo {ENGINE_VERSION} 的格式版本为 {BUNDLE_FORMAT}：\
                 请用 `eligo build --sign` 重新生成"
            ),
            (K::Algorithm { found }, Lang::En) => format!("signed with an algorithm this engine does not know ({found})"),
            (K::Algorithm { found }, Lang::Zh) => format!("签名算法（{found}）不受本引擎支持"),
            (K::KeyIdMissing, Lang::En) => "the bundle does not say which key signed it: refused".into(),
            (K::KeyIdMissing, Lang::Zh) => "规则包没有注明签名密钥：拒绝载入".into(),
            (K::KeyIdMismatch { claimed, signer }, Lang::En) => format!(
                "the bundle says key {claimed} signed it, but it was signed by key {signer}: the key id was altered"
            ),
            (K::KeyIdMismatch { claimed, signer }, Lang::Zh) => {
                format!("规则包注明的签名密钥是 {claimed}，实际签名的却是密钥 {signer}：密钥编号被改动过")
            }
            (K::UnknownKey { key_id, trusted }, Lang::En) if trusted.is_empty() => format!(
                "signed by key {key_id}, but no key is trusted: pass the issuer's public key (trustedKeys, --trusted-key)"
            ),
            (K::UnknownKey { key_id, trusted }, Lang::Zh) if trusted.is_empty() => {
                format!("规则由密钥 {key_id} 签名，但没有提供任何受信任的密钥：请提供发布机关的公钥（trustedKeys、--trusted-key）")
            }
            (K::UnknownKey { key_id, trusted }, Lang::En) => {
                format!("signed by key {key_id}, which is not trusted (trusted: {})", ids(trusted, ", "))
            }
            (K::UnknownKey { key_id, trusted }, Lang::Zh) => {
                format!("规则由密钥 {key_id} 签名，该密钥不受信任（受信任的密钥：{}）", ids(trusted, "、"))
            }
            (K::SignatureMissing, Lang::En) => "the signature has been removed: refused".into(),
            (K::SignatureMissing, Lang::Zh) => "规则包的签名已被去除：拒绝载入".into(),
            (K::SignatureTruncated, Lang::En) => "the signature is cut short: refused".into(),
            (K::SignatureTruncated, Lang::Zh) => "规则包的签名不完整：拒绝载入".into(),
            (K::BadSignature { key_id }, Lang::En) => {
                format!("the signature does not verify with key {key_id}: the bundle was altered after it was signed")
            }
            (K::BadSignature { key_id }, Lang::Zh) => format!("签名无法用密钥 {key_id} 验证：规则包在签名后被改动过"),
            (K::ProgramAltered, Lang::En) => {
                "the rules are not the ones that were signed (their hash differs): altered after signing".into()
            }
            (K::ProgramAltered, Lang::Zh) => "规则内容与签名时不一致（哈希值不同）：签名后被改动过".into(),
            (K::IssuerMismatch { bundle, key }, Lang::En) => {
                format!("the bundle names issuer “{bundle}”, but the key that signed it is “{key}”'s")
            }
            (K::IssuerMismatch { bundle, key }, Lang::Zh) => {
                format!("规则包注明的发布机关是“{bundle}”，签名密钥却属于“{key}”")
            }
            (K::OlderVersion { version, accepted }, Lang::En) => format!(
                "version {version} is older than version {accepted}, accepted before: rules that were replaced are refused"
            ),
            (K::OlderVersion { version, accepted }, Lang::Zh) => {
                format!("版本 {version} 早于此前已接受的版本 {accepted}：已被替换的旧规则不予载入")
            }
        }
    }

    /// A word for the kind, stable for programs (the `reason` of a JS load error).
    pub fn reason(&self) -> &'static str {
        use LoadErrorKind as K;
        match self {
            K::WrongMagic => "notAProgram",
            K::Truncated => "truncated",
            K::Checksum => "checksum",
            K::FormatVersion { .. } => "formatVersion",
            K::EngineVersion { .. } => "engineVersion",
            K::Invalid { .. } => "invalid",
            K::Unsigned => "unsigned",
            K::BundleFormat { .. } => "bundleFormat",
            K::Algorithm { .. } => "algorithm",
            K::KeyIdMissing => "keyIdMissing",
            K::KeyIdMismatch { .. } => "keyIdMismatch",
            K::UnknownKey { .. } => "unknownKey",
            K::SignatureMissing => "signatureMissing",
            K::SignatureTruncated => "signatureTruncated",
            K::BadSignature { .. } => "badSignature",
            K::ProgramAltered => "programAltered",
            K::IssuerMismatch { .. } => "issuerMismatch",
            K::OlderVersion { .. } => "olderVersion",
        }
    }
}

fn ids(ids: &[KeyId], separator: &str) -> String {
    ids.iter().map(KeyId::to_string).collect::<Vec<_>>().join(separator)
}

impl KeyErrorKind {
    /// Why a key file's text is not a key, as a sentence in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        use KeyErrorKind as K;
        match (self, lang) {
            (K::SecretNotPublic, Lang::En) => {
                "this is a secret key (issuer.key): give the public key (issuer.pub), and keep the secret one offline"
                    .into()
            }
            (K::SecretNotPublic, Lang::Zh) => {
                "这是私钥（issuer.key）：这里应提供公钥（issuer.pub），私钥请离线保管".into()
            }
            (K::PublicNotSecret, Lang::En) => {
                "this is a public key (issuer.pub): signing needs the secret key (issuer.key)".into()
            }
            (K::PublicNotSecret, Lang::Zh) => "这是公钥（issuer.pub）：签名需要私钥（issuer.key）".into(),
            (K::NotAField { line }, Lang::En) => {
                format!("line {line} is not `field: value` (a key file has issuer, key-id and the key)")
            }
            (K::NotAField { line }, Lang::Zh) => {
                format!("第 {line} 行不是“字段: 值”的形式（密钥文件包含 issuer、key-id 和密钥）")
            }
            (K::UnknownField { field }, Lang::En) => format!("a key file has no field `{field}`"),
            (K::UnknownField { field }, Lang::Zh) => format!("密钥文件中没有 `{field}` 这个字段"),
            (K::FieldTwice { field }, Lang::En) => format!("`{field}` is written twice: which one is meant?"),
            (K::FieldTwice { field }, Lang::Zh) => format!("`{field}` 写了两次：无法确定以哪一个为准"),
            (K::MissingField { field }, Lang::En) => format!("`{field}` is missing: not a key file"),
            (K::MissingField { field }, Lang::Zh) => format!("缺少 `{field}`：这不是密钥文件"),
            (K::BadHex { field, digits }, Lang::En) => format!("`{field}` must be {digits} hexadecimal digits"),
            (K::BadHex { field, digits }, Lang::Zh) => format!("`{field}` 应为 {digits} 位十六进制数字"),
            (K::EmptyIssuer, Lang::En) => "the issuer's name is empty: name the office that issues the rules".into(),
            (K::EmptyIssuer, Lang::Zh) => "发布机关名称为空：请写明发布规则的机关".into(),
            (K::IssuerTooLong, Lang::En) => {
                format!("the issuer's name must be one line of at most {MAX_ISSUER_BYTES} bytes")
            }
            (K::IssuerTooLong, Lang::Zh) => format!("发布机关名称应为一行，不超过 {MAX_ISSUER_BYTES} 字节"),
            (K::KeyIdMismatch { written, actual }, Lang::En) => {
                format!("the key id says {written}, but the key's id is {actual}: the file was altered")
            }
            (K::KeyIdMismatch { written, actual }, Lang::Zh) => {
                format!("文件写明的密钥编号是 {written}，而密钥实际的编号是 {actual}：文件被改动过")
            }
            (K::NotAKey, Lang::En) => "`public-key` is not an Ed25519 public key".into(),
            (K::NotAKey, Lang::Zh) => "`public-key` 不是有效的 Ed25519 公钥".into(),
        }
    }
}

/// In English, as logs and tests read it.
impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind.message(Lang::En))
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
