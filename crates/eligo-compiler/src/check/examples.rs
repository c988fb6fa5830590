//! Examples: the citizen data they give is validated exactly as a portal's JSON would be (it is
//! turned into JSON and read by `facts`), and every expectation must name a real policy, output
//! or input, with a value of the right type.

use super::expr::literal_value;
use super::Checker;
use crate::ast::{self, Check, DataValue, LitKind, OutputName};
use crate::diagnostic::{did_you_mean, Bilingual, Code, Diagnostic};
use crate::examples::{ExampleDef, ExpectDef, OutputExpect};
use crate::text;
use eligo_core::program::Type;
use eligo_core::source::Span;
use eligo_core::value::Value;
use serde_json::Value as Json;

impl Checker<'_> {
    pub(super) fn check_example(&mut self, example: &ast::ExampleDecl) {
        let mut data = serde_json::Map::new();
        let mut spans: Vec<(String, Span)> = Vec::new();
        self.given_twice(&example.given);
        for binding in &example.given {
            if data.contains_key(&binding.name.name) {
                continue;
            }
            data.insert(binding.name.name.clone(), data_json(&binding.value));
            spans.push((binding.name.name.clone(), binding.span));
        }
        let span_of = |path: &str| -> Span {
            let top = path.split(['[', '.']).next().unwrap_or(path);
            spans.iter().find(|(name, _)| name == top).map_or(example.span, |(_, s)| *s)
        };
        let facts = match eligo_core::facts::from_json(&self.program, &Json::Object(data)) {
            Ok(facts) => {
                for warning in &facts.warnings {
                    let inputs: Vec<&str> = self.program.inputs.iter().map(|i| i.name.as_str()).collect();
                    let top = warning.path.split(['[', '.']).next().unwrap_or("");
                    let (code, what) = if warning.path.contains('.') {
                        let path = &warning.path;
                        (
                            Code::UnknownField,
                            text!("`{path}` 不是这个记录的字段", "`{path}` is not a field of the record"),
                        )
                    } else {
                        (
                            Code::UnknownInput,
                            text!("`{top}` 不是这些规则的输入项", "`{top}` is not an input of these rules"),
                        )
                    };
                    let help = match self.suggest(top, inputs) {
                        Some(close) if !warning.path.contains('.') => did_you_mean(close),
                        // The data reader says why in English only (eligo-core's facts).
                        _ => Bilingual::new("这些规则里没有这个名称：请核对拼写", warning.message.clone()),
                    };
                    self.report(Diagnostic::new(code, span_of(&warning.path), what).with_help(help));
                }
                facts.values
            }
            Err(problems) => {
                for problem in problems {
                    self.report(
                        Diagnostic::new(Code::ValueType, span_of(&problem.path), {
                            let (path, why) = (&problem.path, &problem.message);
                            // The data reader says why in English only (eligo-core's facts).
                            text!("示例给 `{path}` 的值不符合它声明的类型", "{path}: {why}")
                        })
                        .with_help(text!("按输入项声明的类型给出取值", "give the value as the input is declared")),
                    );
                }
                Vec::new()
            }
        };
        let expects = example.expects.iter().filter_map(|e| self.check_expectation(e)).collect();
        self.examples.push(ExampleDef {
            name: example.name.clone(),
            date: example.date.date,
            facts,
            expects,
            span: example.span,
        });
    }

    fn check_expectation(&mut self, expect: &ast::Expectation) -> Option<ExpectDef> {
        let policy = self.policy_ref(&expect.policy)?;
        let mut outputs = Vec::new();
        let mut missing = None;
        for check in &expect.checks {
            match check {
                Check::Missing(paths, _) => {
                    missing =
                        Some(paths.iter().filter(|p| self.check_fact_path(p)).map(ast::FactPath::render).collect());
                }
                Check::Payable(literal) => {
                    let def = &self.program.policies[policy as usize];
                    if def.output(&OutputName::Fee).is_none() {
                        self.report(
                            Diagnostic::new(
                                Code::UnknownOutput,
                                literal.span,
                                Bilingual::new(
                                    format!("`{}` 没有收费（fee），所以没有应付金额", def.id),
                                    format!("`{}` has no fee, so nothing is payable", def.id),
                                ),
                            )
                            .with_help(text!(
                                "改为预期 `amount = …`，或者给政策加上 `fee = …`",
                                "expect `amount = …` instead, or add `fee = …` to the policy"
                            )),
                        );
                        continue;
                    }
                    let value = self.constant_of_type(literal, Type::Money, ("值", "value"));
                    outputs.push(OutputExpect { name: "payable".into(), ty: Type::Money, value, span: literal.span });
                }
                Check::Output(name, name_span, literal) => {
                    let def = &self.program.policies[policy as usize];
                    let Some(output) = def.output(name) else {
                        let defined: Vec<&str> = def.outputs.iter().map(|o| o.name.as_str()).collect();
                        let help = match self.suggest(name.as_str(), defined.iter().copied()) {
                            Some(close) => did_you_mean(close),
                            None if defined.is_empty() => {
                                let id = &def.id;
                                text!("`{id}` 没有任何输出", "`{id}` has no outputs")
                            }
                            None => {
                                let (id, zh, en) = (&def.id, defined.join("、"), defined.join(", "));
                                text!("`{id}` 的输出有：{zh}", "`{id}` defines: {en}")
                            }
                        };
                        self.report(
                            Diagnostic::new(
                                Code::UnknownOutput,
                                *name_span,
                                Bilingual::new(
                                    format!("政策 `{}` 没有输出 `{}`", def.id, name.as_str()),
                                    format!("policy `{}` has no output `{}`", def.id, name.as_str()),
                                ),
                            )
                            .with_help(help),
                        );
                        continue;
                    };
                    let ty = output.ty;
                    let value = self.constant_of_type(literal, ty, ("值", "value"));
                    outputs.push(OutputExpect { name: name.as_str().to_string(), ty, value, span: literal.span });
                }
            }
        }
        Some(ExpectDef { policy, status: expect.status, outputs, missing, span: expect.span })
    }

    /// `birth_date` or `household[0].income` must name a declared input (and field).
    fn check_fact_path(&mut self, path: &ast::FactPath) -> bool {
        let Some(index) = self.program.inputs.iter().position(|i| i.name == path.input.name) else {
            let help = match self.suggest(&path.input.name, self.program.inputs.iter().map(|i| i.name.as_str())) {
                Some(close) => did_you_mean(close),
                None => text!("写一个用 `input` 声明的输入项", "name an input declared with `input`"),
            };
            self.report(
                Diagnostic::new(
                    Code::UnknownInput,
                    path.input.span,
                    Bilingual::new(
                        format!("没有名为 `{}` 的输入项", path.input.name),
                        format!("unknown input `{}`", path.input.name),
                    ),
                )
                .with_help(help),
            );
            return false;
        };
        let Some((_, field)) = &path.item else { return true };
        let Type::List(record) = self.program.inputs[index].ty else {
            self.report(
                Diagnostic::new(
                    Code::UnknownField,
                    field.span,
                    Bilingual::new(
                        format!("`{}` 不是列表，没有条目", path.input.name),
                        format!("`{}` is not a list, so it has no items", path.input.name),
                    ),
                )
                .with_help(Bilingual::new(
                    format!("只写 `{}`", path.input.name),
                    format!("write `{}` alone", path.input.name),
                )),
            );
            return false;
        };
        let fields = &self.program.records[record as usize].fields;
        if fields.iter().any(|f| f.name == field.name) {
            return true;
        }
        let help = match self.suggest(&field.name, fields.iter().map(|f| f.name.as_str())) {
            Some(close) => did_you_mean(close),
            None => {
                let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                let (zh, en) = (names.join("、"), names.join(", "));
                text!("字段有：{zh}", "the fields are: {en}")
            }
        };
        self.report(
            Diagnostic::new(
                Code::UnknownField,
                field.span,
                Bilingual::new(format!("没有名为 `{}` 的字段", field.name), format!("unknown field `{}`", field.name)),
            )
            .with_help(help),
        );
        false
    }
}

impl Checker<'_> {
    /// A name given twice in an example, or in one of its records, is an error at both places:
    /// which of the two values is meant?
    fn given_twice(&mut self, bindings: &[ast::Binding]) {
        let mut seen: std::collections::BTreeMap<&str, Span> = std::collections::BTreeMap::new();
        for binding in bindings {
            if let Some(&first) = seen.get(binding.name.name.as_str()) {
                self.report(
                    Diagnostic::new(
                        Code::DuplicateName,
                        binding.name.span,
                        Bilingual::new(
                            format!("`{}` 给了两次", binding.name.name),
                            format!("`{}` is given twice", binding.name.name),
                        ),
                    )
                    .with_label(text!("这里又给了一次", "given again here"))
                    .with_note(first, text!("第一次在这里给出", "first given here"))
                    .with_help(text!(
                        "每个输入项（以及记录的每个字段）只给一次",
                        "give each input (and each field of a record) once"
                    )),
                );
            } else {
                seen.insert(&binding.name.name, binding.name.span);
            }
            let mut stack = vec![&binding.value];
            while let Some(value) = stack.pop() {
                match value {
                    DataValue::List(items, _) => stack.extend(items),
                    DataValue::Record(fields, _) => self.given_twice(fields),
                    DataValue::Literal(_) | DataValue::Missing(_) => {}
                }
            }
        }
    }
}

/// Example data as the JSON a portal would send: money and decimals as exact strings.
fn data_json(value: &DataValue) -> Json {
    match value {
        DataValue::Missing(_) => Json::Null,
        DataValue::List(items, _) => Json::Array(items.iter().map(data_json).collect()),
        DataValue::Record(bindings, _) => {
            Json::Object(bindings.iter().map(|b| (b.name.name.clone(), data_json(&b.value))).collect())
        }
        DataValue::Literal(literal) => match &literal.kind {
            LitKind::Int(i) => Json::from(*i),
            LitKind::Bool(b) => Json::Bool(*b),
            LitKind::Text(t) => Json::String(t.clone()),
            LitKind::Date(d) => Json::String(d.to_string()),
            other => match literal_value(other).0 {
                Value::Dec(d) => Json::String(d.to_string()),
                _ => Json::Null,
            },
        },
    }
}
