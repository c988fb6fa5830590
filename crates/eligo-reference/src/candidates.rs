//! Values to try for the facts a citizen's data leaves missing: what `compare` gives one at a
//! time to find which missing facts are relevant to a policy. Not part of the semantics.

use crate::{civil, days, int, literal, show, Reference, V};
use eligo_compiler::ast::{self, CellKind, Expr, ExprKind, LitKind, TypeExpr};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive};
use serde_json::Value as Json;

impl Reference {
    /// The facts `data` leaves missing, each with values to try: both truths, the numbers, dates
    /// and texts the rules mention (and their neighbours), the options, an empty list and a list
    /// of one item whose fields are all missing. Used to find which missing facts are relevant.
    pub fn candidates(&self, data: &serde_json::Map<String, Json>) -> Vec<(String, Vec<Json>)> {
        let mut literals = Vec::new();
        let mut exprs: Vec<&Expr> = self.lets.values().collect();
        for p in &self.policies {
            exprs.extend(p.conditions.iter().map(|c| &c.expr));
            exprs.extend(p.outputs.iter().map(|o| &o.value));
            exprs.extend(p.exceptions.iter().flat_map(|x| [&x.when, &x.value]));
        }
        for t in self.tables.values() {
            for row in &t.rows {
                exprs.push(&row.value);
                for cell in &row.cells {
                    match &cell.kind {
                        CellKind::Value(l) => literals.push(l.kind.clone()),
                        CellKind::Band { low, high, .. } => {
                            literals.extend(low.iter().chain(high).map(|l| l.kind.clone()))
                        }
                        CellKind::Any => {}
                    }
                }
            }
        }
        exprs.iter().for_each(|e| collect_literals(e, &mut literals));
        let mut numbers: Vec<String> = vec!["0".into()];
        let mut dates: Vec<String> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        for lit in &literals {
            match lit {
                LitKind::Int(_) | LitKind::Decimal(_) | LitKind::Money(_) | LitKind::Percent(_) => {
                    if let V::Num(n) = literal(lit) {
                        for delta in [0, 1, -1] {
                            numbers.push(plain(&(n.clone() + int(delta))));
                        }
                    }
                }
                LitKind::Date(d) => {
                    for delta in [0, 1, -1] {
                        let (y, m, dd) = civil(days(*d) + delta);
                        dates.push(format!("{y:04}-{m:02}-{dd:02}"));
                    }
                }
                LitKind::Text(t) => texts.push(t.clone()),
                LitKind::Bool(_) => {}
            }
        }
        numbers.dedup();
        let ty_values = |decl: &ast::InputDecl| -> Vec<Json> {
            // The input's own bounds first: values outside them are not data.
            let bounds = decl.min.iter().chain(&decl.max).map(|l| match literal(&l.kind) {
                V::Num(n) if matches!(l.kind, LitKind::Int(_)) => Json::from(n.to_integer().to_i64().unwrap_or(0)),
                V::Num(n) => Json::String(plain(&n)),
                other => Json::String(show(&other)),
            });
            let values: Vec<Json> = bounds
                .chain(match &decl.ty {
                    TypeExpr::Named(n) => match n.name.as_str() {
                        "bool" => vec![Json::Bool(true), Json::Bool(false)],
                        "int" => numbers.iter().filter_map(|n| n.parse::<i64>().ok()).map(Json::from).collect(),
                        "decimal" | "money" => numbers.iter().cloned().map(Json::String).collect(),
                        "date" => dates.iter().cloned().map(Json::String).collect(),
                        _ => texts.iter().cloned().map(Json::String).collect(),
                    },
                    TypeExpr::OneOf(options, _) => options.iter().map(|o| Json::String(o.value.clone())).collect(),
                    TypeExpr::ListOf(..) => vec![Json::Array(Vec::new()), serde_json::json!([{}])],
                })
                .collect();
            values.into_iter().take(MAX_CANDIDATES).collect()
        };
        let given = |j: Option<&Json>| j.is_some_and(|j| !j.is_null());
        let mut found = Vec::new();
        for input in &self.inputs {
            let value = data.get(&input.name.name);
            if !given(value) {
                found.push((input.name.name.clone(), ty_values(input)));
            }
            if let (TypeExpr::ListOf(record, _), Some(Json::Array(items))) = (&input.ty, value) {
                let fields = self.records.get(&record.name).map_or(&[][..], |r| r.fields.as_slice());
                for (i, item) in items.iter().enumerate() {
                    for f in fields.iter().filter(|f| !given(item.get(&f.name.name))) {
                        found.push((format!("{}[{i}].{}", input.name.name, f.name.name), ty_values(f)));
                    }
                }
            }
        }
        found
    }
}

/// The most values tried for one missing fact.
const MAX_CANDIDATES: usize = 8;

fn collect_literals(e: &Expr, found: &mut Vec<LitKind>) {
    match &e.kind {
        ExprKind::Literal(lit) => found.push(lit.clone()),
        ExprKind::Unary(_, a) => collect_literals(a, found),
        ExprKind::Binary(_, a, b) => [a, b].iter().for_each(|x| collect_literals(x, found)),
        ExprKind::If(a, b, c) => [a, b, c].iter().for_each(|x| collect_literals(x, found)),
        ExprKind::Call(_, args) | ExprKind::List(args) => args.iter().for_each(|x| collect_literals(x, found)),
        ExprKind::Name(_) | ExprKind::Today => {}
    }
}

/// A number as data writes it: exact when it is a decimal, else to 10 places.
fn plain(n: &BigRational) -> String {
    let scale = BigInt::from(10).pow(10);
    let scaled = (n * &scale).round().to_integer();
    let sign = if scaled.is_negative() { "-" } else { "" };
    let scaled = scaled.abs();
    let (whole, fraction) = (&scaled / &scale, &scaled % &scale);
    let fraction = format!("{fraction:0>10}");
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}
