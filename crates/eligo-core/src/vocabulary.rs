//! The words both sides of the engine use: the compiler writes them into programs, the runtime
//! reads them, reports print them. Named as in LANGUAGE.md.

use serde::{Deserialize, Serialize};

/// A zh text with its optional English, as written in the rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Text {
    pub zh: String,
    pub en: Option<String>,
}

impl Text {
    /// The text in `lang` ("en" or anything else for Chinese), falling back to Chinese.
    pub fn get(&self, lang: Lang) -> &str {
        match (lang, &self.en) {
            (Lang::En, Some(en)) => en,
            _ => &self.zh,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Eligible,
    Ineligible,
    Undetermined,
    NotApplicable,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Eligible => "eligible",
            Status::Ineligible => "ineligible",
            Status::Undetermined => "undetermined",
            Status::NotApplicable => "not_applicable",
            Status::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    Monthly,
    Yearly,
    Once,
}

impl Period {
    /// The period as the report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Monthly => "month",
            Period::Yearly => "year",
            Period::Once => "once",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OutputName {
    Amount,
    Fee,
    Waiver,
    Named(String),
}

impl OutputName {
    pub fn as_str(&self) -> &str {
        match self {
            OutputName::Amount => "amount",
            OutputName::Fee => "fee",
            OutputName::Waiver => "waiver",
            OutputName::Named(name) => name,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConditionKind {
    /// Must hold.
    Require,
    /// An exclusion: must not hold.
    Unless,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HitPolicy {
    /// Rows may not overlap: checked when the rules are compiled.
    Unique,
    /// The first matching row wins.
    First,
}
