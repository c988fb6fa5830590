//! Tables: the shape of each row, and the checks a policy annex needs: in a `unique` table no two
//! rows may match the same key, and no band may leave a gap before the next.

use super::expr::{literal_value, Scope};
use super::Checker;
use crate::ast::{self, CellKind, HitPolicy};
use crate::diagnostic::{Bilingual, Code, Diagnostic};
use crate::text;
use eligo_core::limits::MAX_TABLE_ROWS;
use eligo_core::program::{Expr, ExprKind, Match, RowDef, TableDef, Type};
use eligo_core::value::Value;
use std::cmp::Ordering;

impl Checker<'_> {
    pub(super) fn table_header(&mut self, table: &ast::TableDecl) -> TableDef {
        let result = self.resolve_type(&table.result);
        let key_types: Vec<Type> = table
            .keys
            .iter()
            .enumerate()
            .map(|(k, key)| match &key.ty {
                Some(ty) => self.resolve_type(ty),
                None => inferred_key_type(table, k),
            })
            .collect();
        let mut rows = Vec::new();
        let mut otherwise = None;
        for (r, row) in table.rows.iter().enumerate() {
            let placeholder = Expr { kind: ExprKind::Const(Value::Bool(false)), span: row.value.span };
            if row.otherwise {
                if r + 1 != table.rows.len() {
                    self.report(
                        Diagnostic::new(
                            Code::OtherwiseNotLast,
                            row.span,
                            text!("`otherwise` 行必须是最后一行", "the `otherwise` row must be the last row"),
                        )
                        .with_help(text!(
                            "把它移到最后：没有其他行相符时才用它",
                            "move it to the end: it applies when no other row matches"
                        )),
                    );
                }
                otherwise =
                    Some(RowDef { cells: Vec::new(), value: placeholder, text: "otherwise".into(), span: row.span });
                continue;
            }
            if row.cells.len() != table.keys.len() {
                self.report(
                    Diagnostic::new(Code::TableShape, row.span, {
                        let (has, wanted) = (row.cells.len(), table.keys.len());
                        let plural = if has == 1 { "" } else { "s" };
                        text!(
                            "这一行有 {has} 个键，但表有 {wanted} 个",
                            "this row has {has} key{plural} but the table has {wanted}"
                        )
                    })
                    .with_help({
                        let keys: Vec<&str> = table.keys.iter().map(|k| k.name.name.as_str()).collect();
                        let (keys_zh, keys_en) = (keys.join("、"), keys.join(", "));
                        text!(
                            "为下列每一项各给一个值或区间：{keys_zh}",
                            "give one value or band for each of: {keys_en}"
                        )
                    }),
                );
                continue;
            }
            let cells = row.cells.iter().zip(&key_types).map(|(cell, ty)| self.cell_match(cell, *ty)).collect();
            let text = match (row.cells.first(), row.cells.last()) {
                (Some(first), Some(last)) => self.sources.snippet(first.span.to(last.span)).to_string(),
                _ => String::new(),
            };
            rows.push(RowDef { cells, value: placeholder, text, span: row.span });
        }
        if let Some(label) = &table.label {
            self.warn_if_no_english(label);
        }
        let def = TableDef {
            name: table.name.name.clone(),
            keys: table.keys.iter().map(|k| k.name.name.clone()).collect(),
            key_types,
            result,
            hit: table.hit,
            rows,
            otherwise,
            label: table.label.as_ref().map(eligo_core::vocabulary::Text::from),
            source: table.source.as_ref().map(super::citation),
            span: table.span,
        };
        // Robustness: rows are compared pairwise below; a table longer than any policy annex is
        // refused before that (E0110), or checking it would take minutes.
        if def.rows.len() > MAX_TABLE_ROWS {
            let span = table.rows.get(MAX_TABLE_ROWS).map_or(table.span, |row| row.span);
            self.report(
                Diagnostic::new(
                    Code::TooManyRows,
                    span,
                    Bilingual::new(
                        format!("表 `{}` 超过了 {MAX_TABLE_ROWS} 行", def.name),
                        format!("table `{}` has more than {MAX_TABLE_ROWS} rows", def.name),
                    ),
                )
                .with_label(text!("多出的一行", "one row too many"))
                .with_help(text!(
                    "像 65..69 这样的区间一行就能覆盖许多取值；很长的表可以按第一个键拆开",
                    "a band such as 65..69 covers many values in one row; split a very long table by its first key"
                )),
            );
            return def;
        }
        if def.hit == HitPolicy::Unique {
            self.check_overlaps(&def);
        }
        if def.otherwise.is_none() {
            self.check_gaps(&def);
        }
        def
    }

    fn cell_match(&mut self, cell: &ast::Cell, key_type: Type) -> Match {
        let value = |this: &mut Self, literal: &ast::Literal| -> Value {
            let (value, ty) = literal_value(&literal.kind);
            let fits = match (key_type, ty) {
                (Type::Error, _) => true,
                (a, b) if a == b => true,
                (Type::Int | Type::Decimal | Type::Money, Type::Int | Type::Decimal | Type::Money) => true,
                (Type::Enum(_) | Type::Text, Type::Text) => true,
                _ => false,
            };
            if !fits {
                this.report(
                    Diagnostic::new(Code::TableShape, literal.span, {
                        let (this_key, table_key) = (this.type_name(ty), this.type_name(key_type));
                        text!(
                            "这个键是 `{this_key}`，但表的键是 `{table_key}`",
                            "this key is {this_key}, but the table's key is {table_key}"
                        )
                    })
                    .with_help(text!("每一行的键必须是同一种类型", "every row must use the same kind of key")),
                );
            } else if let Type::Enum(e) = key_type {
                let typed = super::Typed {
                    expr: Expr { kind: ExprKind::Const(value.clone()), span: literal.span },
                    ty,
                    literal: true,
                };
                this.check_option(e, &typed);
            }
            value
        };
        match &cell.kind {
            CellKind::Any => Match::Any,
            CellKind::Value(literal) => Match::Equal(value(self, literal)),
            CellKind::Band { low, high, high_open } => {
                let low_value = low.as_ref().map(|l| value(self, l));
                let high_value = high.as_ref().map(|h| value(self, h));
                if matches!(key_type, Type::Text | Type::Enum(_) | Type::Bool) {
                    self.report(
                        Diagnostic::new(
                            Code::TableShape,
                            cell.span,
                            text!("区间只能由数字、金额或日期构成", "a band needs numbers, money or dates"),
                        )
                        .with_help(text!("改为每行写一个文字取值", "list the texts one per row instead")),
                    );
                }
                if let (Some(l), Some(h)) = (&low_value, &high_value) {
                    match l.compare(h) {
                        Some(Ordering::Greater) => self.report(
                            Diagnostic::new(Code::EmptyBand, cell.span, text!("这个区间不包含任何取值：它的终点在起点之前", "this band contains no value: it ends before it starts"))
                                .with_help(text!("先写下限，例如 65..69", "write the lower end first, e.g. 65..69")),
                        ),
                        Some(Ordering::Equal) if *high_open => self.report(
                            Diagnostic::new(Code::EmptyBand, cell.span, text!("这个区间不包含任何取值：它的上限被排除在外", "this band contains no value: its upper end is left out"))
                                .with_help(text!("只有一个取值时单独写（70）或写成 70..70；`..<` 不包含上限", "for exactly one value write it on its own (70) or as 70..70; `..<` leaves the upper end out")),
                        ),
                        _ => {}
                    }
                }
                Match::Band { low: low_value, high: high_value, high_open: *high_open }
            }
        }
    }

    fn check_overlaps(&mut self, table: &TableDef) {
        for (j, later) in table.rows.iter().enumerate() {
            if let Some(earlier) = table.rows[..j].iter().find(|earlier| earlier.overlaps(later)) {
                let line = self.line_of(earlier.span);
                self.report(
                    Diagnostic::new(Code::TableOverlap, later.span, Bilingual::new(format!("行 {} 与第 {line} 行的 {} 重叠", later.text, earlier.text), format!("row {} overlaps row {} on line {line}", later.text, earlier.text)))
                        .with_label(text!("与前面的一行重叠", "overlaps an earlier row"))
                        .with_note(earlier.span, text!("前面的那一行", "the earlier row"))
                        .with_help(text!("在 `unique` 表中，每个键只能与一行相符：请调整区间，或在表的类型后面写 `first`，让第一个相符的行生效", "in a `unique` table each key may match only one row: adjust the bands, or write `first` after the table's type to let the first matching row win")),
                );
            }
        }
    }

    /// Bands of a one-key table, or of rows that agree on the other keys, must meet without a gap.
    fn check_gaps(&mut self, table: &TableDef) {
        for dimension in 0..table.keys.len() {
            let ty = table.key_types[dimension];
            let mut bands: Vec<(&RowDef, &Value, Option<&Value>, bool)> = table
                .rows
                .iter()
                .filter_map(|row| match &row.cells[dimension] {
                    Match::Band { low: Some(low), high, high_open } => Some((row, low, high.as_ref(), *high_open)),
                    _ => None,
                })
                .collect();
            bands.sort_by(|a, b| a.1.compare(b.1).unwrap_or(Ordering::Equal));
            let mut reported = false;
            for (i, (row, low, _, _)) in bands.iter().enumerate() {
                // The band just below, among rows that agree on the other keys.
                let previous = bands[..i].iter().rev().find(|(other, ..)| same_other_keys(other, row, dimension));
                let Some((previous_row, _, Some(previous_high), previous_open)) = previous else { continue };
                if reported || !leaves_gap(previous_high, *previous_open, low, ty) {
                    continue;
                }
                let line = self.line_of(previous_row.span);
                self.report(
                    Diagnostic::new(Code::TableGap, row.span, Bilingual::new(format!("第 {line} 行的区间 {} 与区间 {} 之间有空缺", previous_row.text, row.text), format!("a gap between band {} on line {line} and band {}", previous_row.text, row.text)))
                        .with_label(text!("前一个区间结束得太早", "the band before ends earlier"))
                        .with_note(previous_row.span, text!("下面的区间", "the band below"))
                        .with_help(text!("让区间首尾相接（整数写 65..69 再写 70..79；金额写 0..<1000 再写 1000..），或加一行 `otherwise`", "make the bands meet (for whole numbers 65..69 then 70..79; for amounts 0..<1000 then 1000..), or add an `otherwise` row")),
                );
                reported = true;
            }
        }
    }

    pub(super) fn check_table_rows(&mut self, table: &ast::TableDecl) {
        let Some(index) = self.program.tables.iter().position(|t| t.span == table.span) else { return };
        let result = self.program.tables[index].result;
        let mut values = Vec::new();
        for row in &table.rows {
            let typed = self.check_expr(&row.value, &mut Scope::default());
            if !self.assignable(&typed, result) {
                self.report(
                    Diagnostic::new(Code::ValueType, row.value.span, {
                        let (row_gives, table_gives) = (self.type_name(typed.ty), self.type_name(result));
                        text!(
                            "这一行给出的是 `{row_gives}`，但表给出的是 `{table_gives}`",
                            "this row gives {row_gives}, but the table gives {table_gives}"
                        )
                    })
                    .with_help(text!(
                        "每一行给出的值都必须是表的类型",
                        "every row must give a value of the table's type"
                    )),
                );
            }
            values.push((row.otherwise, typed.expr));
        }
        let def = &mut self.program.tables[index];
        let mut rows = def.rows.iter_mut();
        for (otherwise, expr) in values {
            if otherwise {
                if let Some(row) = def.otherwise.as_mut() {
                    row.value = expr;
                }
            } else if let Some(row) = rows.next() {
                row.value = expr;
            }
        }
    }
}

fn inferred_key_type(table: &ast::TableDecl, key: usize) -> Type {
    let literal_type = |l: &ast::Literal| literal_value(&l.kind).1;
    let mut found = Type::Error;
    for row in &table.rows {
        let ty = match row.cells.get(key).map(|c| &c.kind) {
            Some(CellKind::Value(l)) => literal_type(l),
            Some(CellKind::Band { low, high, .. }) => match low.as_ref().or(high.as_ref()) {
                Some(l) => literal_type(l),
                None => continue,
            },
            _ => continue,
        };
        found = match (found, ty) {
            (Type::Error, t) => t,
            (Type::Int, Type::Decimal) | (Type::Decimal, Type::Int) => Type::Decimal,
            (Type::Money, Type::Int | Type::Decimal) | (Type::Int | Type::Decimal, Type::Money) => Type::Money,
            (f, _) => f,
        };
    }
    found
}

fn same_other_keys(a: &RowDef, b: &RowDef, dimension: usize) -> bool {
    a.cells.iter().zip(&b.cells).enumerate().all(|(d, (x, y))| d == dimension || same_match(x, y))
}

fn same_match(a: &Match, b: &Match) -> bool {
    match (a, b) {
        (Match::Any, Match::Any) => true,
        (Match::Equal(x), Match::Equal(y)) => x == y,
        (Match::Band { low: l1, high: h1, high_open: o1 }, Match::Band { low: l2, high: h2, high_open: o2 }) => {
            l1 == l2 && h1 == h2 && o1 == o2
        }
        _ => false,
    }
}

/// Whether a band ending at `high` and the next starting at `low` leave values in between.
fn leaves_gap(high: &Value, high_open: bool, low: &Value, ty: Type) -> bool {
    match (high, low) {
        (Value::Int(h), Value::Int(l)) if ty == Type::Int || ty == Type::Error => {
            let last_in = if high_open { h.saturating_sub(1) } else { *h };
            *l > last_in.saturating_add(1)
        }
        (Value::Date(h), Value::Date(l)) => {
            let last_in = if high_open { h.add_days(-1) } else { Some(*h) };
            last_in.and_then(|d| d.add_days(1)).is_some_and(|next| *l > next)
        }
        _ => high.compare(low) == Some(Ordering::Less),
    }
}
