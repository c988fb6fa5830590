//! Names that look alike: `hukou` and `hukоu` (a Cyrillic о) would be two inputs that a reviewer
//! reads as one. Names are compared by their Unicode TS #39 skeletons (what a name looks like);
//! two different declared names with the same skeleton are refused, naming both.

use crate::ast::{File, Ident, Item};
use crate::diagnostic::{Code, Diagnostic};
use crate::text;
use std::collections::BTreeMap;
use unicode_security::skeleton;

/// One diagnostic per declared name that looks like an earlier, different one.
pub fn confusable_names(files: &[File]) -> Vec<Diagnostic> {
    // Skeleton → the first name declared with it.
    let mut seen: BTreeMap<String, &Ident> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    for name in files.iter().flat_map(|file| &file.items).flat_map(declared) {
        let looks = skeleton(&name.name).collect::<String>();
        match seen.get(&looks) {
            Some(first) if first.name != name.name => diagnostics.push(
                Diagnostic::new(
                    Code::ConfusableNames,
                    name.span,
                    {
                        let (this, other) = (&name.name, &first.name);
                        text!(
                            "名称 `{this}` 看起来和 `{other}` 一样，但它们是两个不同的名称",
                            "the name `{this}` looks like `{other}` but is a different name"
                        )
                    },
                )
                .with_label(text!("和另一个名称看起来一样", "looks like the other name"))
                .with_note(first.span, {
                    let other = &first.name;
                    text!("`{other}` 在这里声明", "`{other}` is declared here")
                })
                .with_help({
                    let differ = differing(&name.name, &first.name);
                    text!(
                        "两个名称只差在看起来相同的字符上（{differ}）；请写成一样的，或者换成看起来不同的名称",
                        "the names differ only in characters that look alike ({differ}); write both the same way, or choose names that look different"
                    )
                }),
            ),
            Some(_) => {}
            None => {
                seen.insert(looks, name);
            }
        }
    }
    diagnostics
}

/// The names a declaration brings in: its own, a record's fields.
fn declared(item: &Item) -> Vec<&Ident> {
    match item {
        Item::Record(record) => std::iter::once(&record.name).chain(record.fields.iter().map(|f| &f.name)).collect(),
        Item::Input(input) => vec![&input.name],
        Item::Param(param) => vec![&param.name],
        Item::Let(definition) => vec![&definition.name],
        Item::Table(table) => vec![&table.name],
        Item::Policy(policy) => vec![&policy.name],
        Item::Group(group) => vec![&group.name],
        Item::Ruleset(_) | Item::Example(_) => Vec::new(),
    }
}

/// The characters of `a` that `b` does not have at the same place, as code points.
fn differing(a: &str, b: &str) -> String {
    let mut b = b.chars();
    let codes: Vec<String> =
        a.chars().filter(|c| b.next() != Some(*c)).map(|c| format!("U+{:04X} {c}", c as u32)).collect();
    codes.join(", ")
}
