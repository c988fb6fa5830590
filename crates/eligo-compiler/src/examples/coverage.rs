//! How much of the rules the examples exercise (`eligo test --coverage`), counted from the traced
//! decisions of each example's evaluation: every condition seen true and seen false, every
//! exception applied, every output computed, every table row (band) that decided a value.
//!
//! An example counts for the policies it expects: what it does not check is not tested by it.
//! The rows reached by definitions (`let`), computed once for every policy, count for every
//! example. A table is shared by the policies that look it up: its rows are counted under the
//! table, once.

use eligo_core::eval::{self, PolicyOutcome, TableHit};
use eligo_core::program::{Expr, PolicyDef, Program, RowDef};
use eligo_core::report::Location;
use eligo_core::source::Span;
use eligo_core::value::Value;
use eligo_core::vocabulary::Lang;
use serde::Serialize;

/// Covered items out of all items of one kind; written with its `percent` (see `Tally::percent`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub covered: usize,
    pub total: usize,
}

impl Tally {
    fn count(&mut self, covered: bool) {
        self.total += 1;
        self.covered += usize::from(covered);
    }

    fn add(&mut self, other: Tally) {
        self.covered += other.covered;
        self.total += other.total;
    }

    /// Whether every item is covered (also when there are none).
    pub fn full(self) -> bool {
        self.covered == self.total
    }

    /// The covered share in percent with one decimal, rounded down so that 100.0 means all:
    /// "97.5"; "100.0" when there is nothing to cover. Integers only: the figure is exact.
    pub fn percent(self) -> String {
        let tenths = self.covered.saturating_mul(1000).checked_div(self.total).unwrap_or(1000);
        format!("{}.{}", tenths / 10, tenths % 10)
    }

    /// Whether at least `min` percent is covered.
    pub fn at_least(self, min: u8) -> bool {
        self.covered.saturating_mul(100) >= usize::from(min).saturating_mul(self.total)
    }
}

impl Serialize for Tally {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut tally = serializer.serialize_struct("Tally", 3)?;
        tally.serialize_field("covered", &self.covered)?;
        tally.serialize_field("total", &self.total)?;
        tally.serialize_field("percent", &self.percent())?;
        tally.end()
    }
}

/// What is not covered, and why.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Reason {
    /// A condition (`require`, `unless`) false or unknown in every example.
    NeverTrue,
    /// A condition (or an exception's condition) true or unknown in every example.
    NeverFalse,
    /// Neither true nor false in any example: unknown, or not reached.
    NeverDecided,
    /// An exception whose condition held in no example.
    NeverApplied,
    /// An output no example computed a value of.
    NeverComputed,
    /// A table row (or `otherwise`) that decided no value in any example.
    NeverReached,
}

impl Reason {
    pub fn message(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Reason::NeverTrue, Lang::Zh) => "从未为真",
            (Reason::NeverTrue, Lang::En) => "never true",
            (Reason::NeverFalse, Lang::Zh) => "从未为假",
            (Reason::NeverFalse, Lang::En) => "never false",
            (Reason::NeverDecided, Lang::Zh) => "从未得出真假",
            (Reason::NeverDecided, Lang::En) => "never true nor false",
            (Reason::NeverApplied, Lang::Zh) => "从未适用",
            (Reason::NeverApplied, Lang::En) => "never applied",
            (Reason::NeverComputed, Lang::Zh) => "没有示例算出这一输出",
            (Reason::NeverComputed, Lang::En) => "no example computes it",
            (Reason::NeverReached, Lang::Zh) => "没有示例用到这一行",
            (Reason::NeverReached, Lang::En) => "no example reaches this row",
        }
    }
}

/// The kind of item not covered.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Item {
    Condition,
    ExceptionCondition,
    Exception,
    Output,
    Row,
}

impl Item {
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Item::Condition, Lang::Zh) => "条件",
            (Item::Condition, Lang::En) => "condition",
            (Item::ExceptionCondition, Lang::Zh) => "例外的条件",
            (Item::ExceptionCondition, Lang::En) => "condition of exception",
            (Item::Exception, Lang::Zh) => "例外",
            (Item::Exception, Lang::En) => "exception",
            (Item::Output, Lang::Zh) => "输出",
            (Item::Output, Lang::En) => "output",
            (Item::Row, Lang::Zh) => "行",
            (Item::Row, Lang::En) => "row",
        }
    }
}

/// One item not covered: its label (a row as written: `80..89`), place and reason.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Gap {
    pub item: Item,
    pub label: String,
    pub at: Location,
    pub reason: Reason,
    #[serde(skip)]
    span: Span,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PolicyCoverage {
    pub id: String,
    pub at: Location,
    /// Conditions seen both ways: `require`, `unless` and each exception's condition.
    pub conditions: Tally,
    pub exceptions: Tally,
    pub outputs: Tally,
    /// The rows of the tables it looks up, directly, through definitions or through other tables'
    /// rows: counted (and listed when not covered) under each table, shown here too.
    pub rows: Tally,
    /// In file order; its tables' rows are listed under the tables.
    pub uncovered: Vec<Gap>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TableCoverage {
    pub name: String,
    /// The table's label in the language asked for, else its name.
    pub label: String,
    pub at: Location,
    /// Its rows (bands) and its `otherwise` row.
    pub rows: Tally,
    pub uncovered: Vec<Gap>,
}

/// The sums over every policy and table.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Total {
    pub conditions: Tally,
    pub exceptions: Tally,
    pub outputs: Tally,
    pub rows: Tally,
    /// Every item of the four kinds.
    pub all: Tally,
}

/// The coverage of a rule set by its examples: policies and tables in file order.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    pub total: Total,
    pub policies: Vec<PolicyCoverage>,
    pub tables: Vec<TableCoverage>,
}

impl Coverage {
    /// Every item not covered, with the id of its policy or the label of its table, in file order.
    pub fn uncovered(&self) -> Vec<(&str, &Gap)> {
        let policies = self.policies.iter().flat_map(|p| p.uncovered.iter().map(|g| (p.id.as_str(), g)));
        let tables = self.tables.iter().flat_map(|t| t.uncovered.iter().map(|g| (t.label.as_str(), g)));
        let mut all: Vec<(&str, &Gap)> = policies.chain(tables).collect();
        all.sort_by_key(|(_, gap)| key(gap.span));
        all
    }
}

/// Seen true, seen false.
type BothWays = [bool; 2];

fn see(seen: &mut BothWays, value: Option<bool>) {
    if let Some(b) = value {
        seen[usize::from(!b)] = true;
    }
}

/// What the examples have reached so far, item by item (indexed as the program is).
pub struct Seen {
    conditions: Vec<Vec<BothWays>>,
    /// Per policy, per output, per exception.
    exceptions: Vec<Vec<Vec<BothWays>>>,
    outputs: Vec<Vec<bool>>,
    /// Per table: each row, then `otherwise`.
    rows: Vec<Vec<bool>>,
}

impl Seen {
    pub fn new(program: &Program) -> Seen {
        let policies = &program.policies;
        Seen {
            conditions: policies.iter().map(|p| vec![[false; 2]; p.conditions.len()]).collect(),
            exceptions: policies
                .iter()
                .map(|p| p.outputs.iter().map(|o| vec![[false; 2]; o.exceptions.len()]).collect())
                .collect(),
            outputs: policies.iter().map(|p| vec![false; p.outputs.len()]).collect(),
            rows: program.tables.iter().map(|t| vec![false; t.rows.len() + 1]).collect(),
        }
    }

    /// Records one example's decisions: those of the `expected` policies, and the rows the
    /// definitions reached.
    pub fn record(&mut self, expected: impl Iterator<Item = u32>, outcomes: &[PolicyOutcome], let_hits: &[TableHit]) {
        self.hit(let_hits);
        for p in expected {
            let p = p as usize;
            let Some(outcome) = outcomes.get(p) else { continue };
            if let Some(seen) = self.conditions.get_mut(p) {
                for (seen, value) in seen.iter_mut().zip(&outcome.conditions) {
                    see(
                        seen,
                        match value {
                            Ok(Value::Bool(b)) => Some(*b),
                            _ => None,
                        },
                    );
                }
            }
            self.hit(&outcome.condition_hits);
            for (o, out) in outcome.outputs.iter().enumerate() {
                if let Some(computed) = self.outputs.get_mut(p).and_then(|s| s.get_mut(o)) {
                    *computed |= !out.value.is_unknown();
                }
                if let Some(seen) = self.exceptions.get_mut(p).and_then(|s| s.get_mut(o)) {
                    for (seen, when) in seen.iter_mut().zip(&out.exceptions) {
                        see(seen, *when);
                    }
                }
                self.hit(&out.hits);
            }
        }
    }

    fn hit(&mut self, hits: &[TableHit]) {
        for hit in hits {
            if let Some(rows) = self.rows.get_mut(hit.table as usize) {
                let otherwise = rows.len().saturating_sub(1);
                if let Some(row) = rows.get_mut(hit.row.unwrap_or(otherwise)) {
                    *row = true;
                }
            }
        }
    }

    /// The coverage so far, labels in `lang`.
    pub fn coverage(&self, program: &Program, lang: Lang) -> Coverage {
        let at = |span: Span| eval::location(program, span);
        let gap =
            |item: Item, label: String, span: Span, reason: Reason| Gap { item, label, at: at(span), reason, span };
        let mut total = Total::default();
        // Each table's rows, indexed as the program's tables: a policy's are those of the tables it looks up.
        let mut table_rows = vec![Tally::default(); program.tables.len()];
        let mut tables = Vec::new();
        for (t, table) in in_file_order(program.tables.iter().map(|t| t.span)).map(|t| (t, &program.tables[t])) {
            let mut rows = Tally::default();
            let mut uncovered = Vec::new();
            let all: Vec<&RowDef> = table.rows.iter().chain(&table.otherwise).collect();
            for (r, row) in all.into_iter().enumerate() {
                let reached = self.rows.get(t).and_then(|s| s.get(r)).is_some_and(|h| *h);
                rows.count(reached);
                if !reached {
                    uncovered.push(gap(Item::Row, row.text.clone(), row.span, Reason::NeverReached));
                }
            }
            total.rows.add(rows);
            if let Some(slot) = table_rows.get_mut(t) {
                *slot = rows;
            }
            let label = table.label.as_ref().map_or(table.name.as_str(), |l| l.get(lang)).to_string();
            tables.push(TableCoverage { name: table.name.clone(), label, at: at(table.span), rows, uncovered });
        }
        let mut policies = Vec::new();
        for (p, policy) in in_file_order(program.policies.iter().map(|p| p.span)).map(|p| (p, &program.policies[p])) {
            let (mut conditions, mut exceptions, mut outputs) = (Tally::default(), Tally::default(), Tally::default());
            let mut uncovered = Vec::new();
            let no_conditions = Vec::new();
            let seen = self.conditions.get(p).unwrap_or(&no_conditions);
            for (condition, seen) in policy.conditions.iter().zip(seen) {
                conditions.count(seen[0] && seen[1]);
                let reason = match seen {
                    [true, true] => continue,
                    [true, false] => Reason::NeverFalse,
                    [false, true] => Reason::NeverTrue,
                    [false, false] => Reason::NeverDecided,
                };
                uncovered.push(gap(Item::Condition, condition.label.get(lang).to_string(), condition.span, reason));
            }
            for (o, output) in policy.outputs.iter().enumerate() {
                let computed = self.outputs.get(p).and_then(|s| s.get(o)).is_some_and(|c| *c);
                outputs.count(computed);
                let label = output.label.as_ref().map_or(output.name.as_str(), |l| l.get(lang)).to_string();
                if !computed {
                    uncovered.push(gap(Item::Output, label, output.span, Reason::NeverComputed));
                }
                for (e, exception) in output.exceptions.iter().enumerate() {
                    let seen = self.exceptions.get(p).and_then(|s| s.get(o)).and_then(|s| s.get(e));
                    let [applied, false_seen] = seen.copied().unwrap_or_default();
                    conditions.count(applied && false_seen);
                    exceptions.count(applied);
                    let label = exception.label.get(lang).to_string();
                    // An exception that never applied is its condition never true: one line says both.
                    if !applied {
                        uncovered.push(gap(Item::Exception, label.clone(), exception.span, Reason::NeverApplied));
                    }
                    if !false_seen {
                        uncovered.push(gap(Item::ExceptionCondition, label, exception.span, Reason::NeverFalse));
                    }
                }
            }
            uncovered.sort_by_key(|g: &Gap| key(g.span));
            let mut rows = Tally::default();
            for (used, tally) in tables_of(program, policy).into_iter().zip(&table_rows) {
                if used {
                    rows.add(*tally);
                }
            }
            total.conditions.add(conditions);
            total.exceptions.add(exceptions);
            total.outputs.add(outputs);
            policies.push(PolicyCoverage {
                id: policy.id.clone(),
                at: at(policy.span),
                conditions,
                exceptions,
                outputs,
                rows,
                uncovered,
            });
        }
        for tally in [total.conditions, total.exceptions, total.outputs, total.rows] {
            total.all.add(tally);
        }
        Coverage { total, policies, tables }
    }
}

/// Which tables (indexed as the program's) `policy` looks up: in its conditions and outputs, in
/// the definitions they read and in the rows of the tables they look up, each followed once.
fn tables_of(program: &Program, policy: &PolicyDef) -> Vec<bool> {
    use eligo_core::program::ExprKind as E;
    let mut tables = vec![false; program.tables.len()];
    let mut lets = vec![false; program.lets.len()];
    let mut stack: Vec<&Expr> = policy.conditions.iter().map(|c| &c.expr).collect();
    for output in &policy.outputs {
        stack.extend(&output.base);
        stack.extend(output.exceptions.iter().flat_map(|e| [&e.when, &e.value]));
    }
    while let Some(expr) = stack.pop() {
        match &expr.kind {
            E::Let(i) => {
                if let (Some(seen @ false), Some(def)) = (lets.get_mut(*i as usize), program.lets.get(*i as usize)) {
                    *seen = true;
                    stack.push(&def.expr);
                }
            }
            E::Table(t, keys) => {
                stack.extend(keys);
                if let (Some(seen @ false), Some(table)) =
                    (tables.get_mut(*t as usize), program.tables.get(*t as usize))
                {
                    *seen = true;
                    stack.extend(table.rows.iter().chain(&table.otherwise).map(|row| &row.value));
                }
            }
            E::Not(a) | E::Neg(a) => stack.push(a),
            E::And(a, b) | E::Or(a, b) | E::Compare(_, a, b) | E::Arith(_, a, b) => stack.extend([&**a, &**b]),
            E::In(a, items) => {
                stack.push(a);
                stack.extend(items);
            }
            E::If(a, b, c) => stack.extend([&**a, &**b, &**c]),
            E::Call(_, args) => stack.extend(args),
            E::List(_, list, item) => {
                stack.push(list);
                stack.extend(item.as_deref());
            }
            E::Const(_) | E::Input(_) | E::Param(_) | E::Field(_) | E::Today => {}
        }
    }
    tables
}

fn key(span: Span) -> (u32, u32) {
    (span.file, span.start)
}

/// The indices of items with these spans, in the order the files write them.
fn in_file_order(spans: impl Iterator<Item = Span>) -> impl Iterator<Item = usize> {
    let mut order: Vec<(usize, Span)> = spans.enumerate().collect();
    order.sort_by_key(|(_, span)| key(*span));
    order.into_iter().map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eligo_core::source::Sources;

    const RULES: &str = r#"
input age: int label "年龄" en "Age"
input disabled: bool label "残疾" en "Disabled"
input hukou: text label "户籍" en "Hukou"

table 标准(年龄: int) -> money
  60..69 => 100
  70..79 => 200
  80..   => 300

table 门槛(户籍) -> int
  "上海" => 60
  otherwise => 65

let 档次 = 标准(age)

policy senior "老年津贴" en "Senior allowance"
  require age >= 门槛(hukou) "达到年龄" en "Old enough"
  unless disabled "残疾人另行补贴" en "Disabled people are paid otherwise"
  amount monthly = 档次
  exception "九十岁以上" en "Ninety or over" when age >= 90 then amount = 400

policy other "其他" en "Other"
  require hukou == "北京" "北京户籍" en "Beijing hukou"
  amount monthly = 1
"#;

    /// The coverage of `RULES` with these examples (each must pass).
    fn coverage(examples: &str) -> Coverage {
        let mut sources = Sources::new();
        sources.add("t.rules", format!("{RULES}{examples}"));
        let compiled = crate::compile::compile(&sources);
        let program = compiled.program.unwrap_or_else(|| panic!("{:?}", compiled.diagnostics));
        let (results, coverage) = super::super::run_covered(&program, &compiled.examples, Lang::En);
        assert!(results.iter().all(|r| r.passed), "{results:?}");
        coverage
    }

    /// What is not covered, as `line item “label”: reason`, in file order.
    fn gaps(coverage: &Coverage) -> Vec<String> {
        coverage
            .uncovered()
            .into_iter()
            .map(|(_, g)| {
                format!("{} {} “{}”: {}", g.at.line, g.item.name(Lang::En), g.label, g.reason.message(Lang::En))
            })
            .collect()
    }

    const EIGHTY: &str = r#"
example "80, Shanghai" on 2025-03-01
  given age = 80, disabled = false, hukou = "上海"
  expect senior eligible, amount = 300
"#;

    #[test]
    fn a_condition_only_ever_true_or_only_false_is_left_with_the_way_never_seen() {
        let coverage = coverage(EIGHTY);
        let senior = Coverage { policies: coverage.policies[..1].to_vec(), tables: Vec::new(), ..coverage.clone() };
        // The exception's condition was seen false, not true: it never applied, the one line.
        assert_eq!(
            gaps(&senior),
            [
                "18 condition “Old enough”: never false",
                "19 condition “Disabled people are paid otherwise”: never true",
                "21 exception “Ninety or over”: never applied",
            ]
        );
        assert_eq!(coverage.policies[0].conditions, Tally { covered: 0, total: 3 });
        assert_eq!(coverage.policies[0].exceptions, Tally { covered: 0, total: 1 });
        assert_eq!(coverage.policies[0].outputs, Tally { covered: 1, total: 1 });
    }

    #[test]
    fn rows_never_reached_are_listed_with_the_table_wherever_it_is_looked_up() {
        // 标准 through a definition (`let`), 门槛 in a condition: both are traced.
        let coverage = coverage(EIGHTY);
        // Shown with the policy that looks them up (not with the one that does not), counted once.
        let rows: Vec<Tally> = coverage.policies.iter().map(|p| p.rows).collect();
        assert_eq!(rows, [Tally { covered: 2, total: 5 }, Tally::default()]);
        assert_eq!(coverage.total.rows, Tally { covered: 2, total: 5 });
        let gaps = gaps(&coverage);
        let rows: Vec<&String> = gaps.iter().filter(|g| g.contains("row")).collect();
        assert_eq!(
            rows,
            [
                "7 row “60..69”: no example reaches this row",
                "8 row “70..79”: no example reaches this row",
                "13 row “otherwise”: no example reaches this row",
            ]
        );
    }

    #[test]
    fn an_example_counts_only_for_the_policies_it_expects_and_unknown_is_neither_way() {
        let coverage = coverage(
            r#"
example "age unknown" on 2025-03-01
  given disabled = false, hukou = "北京"
  expect senior undetermined, missing = [age]
"#,
        );
        let gaps = gaps(&coverage);
        assert_eq!(
            gaps,
            [
                // `otherwise` was reached (a Beijing hukou) by the condition of the policy expected.
                "7 row “60..69”: no example reaches this row",
                "8 row “70..79”: no example reaches this row",
                "9 row “80..”: no example reaches this row",
                "12 row “\"上海\"”: no example reaches this row",
                "18 condition “Old enough”: never true nor false",
                "19 condition “Disabled people are paid otherwise”: never true",
                "20 output “amount”: no example computes it",
                "21 exception “Ninety or over”: never applied",
                "21 condition of exception “Ninety or over”: never false",
                // Beijing's hukou is false in this example, but `other` is not what it tests.
                "24 condition “Beijing hukou”: never true nor false",
                "25 output “amount”: no example computes it",
            ]
        );
    }

    #[test]
    fn examples_that_see_everything_both_ways_cover_all_of_it() {
        let coverage = coverage(
            r#"
example "65，上海" on 2025-03-01
  given age = 65, disabled = false, hukou = "上海"
  expect senior eligible, amount = 100
example "75，残疾" on 2025-03-01
  given age = 75, disabled = true, hukou = "上海"
  expect senior ineligible
example "90，北京" on 2025-03-01
  given age = 90, disabled = false, hukou = "北京"
  expect senior eligible, amount = 400
  expect other eligible, amount = 1
example "64，北京以外" on 2025-03-01
  given age = 64, disabled = false, hukou = "广州"
  expect senior ineligible
  expect other ineligible
"#,
        );
        assert_eq!(gaps(&coverage), Vec::<String>::new());
        let total = coverage.total;
        // 4 conditions (one an exception's), 1 exception, 2 outputs, 5 rows.
        assert_eq!(total.all, Tally { covered: 12, total: 12 });
        assert_eq!((total.all.percent().as_str(), total.all.at_least(100)), ("100.0", true));
    }

    #[test]
    fn percentages_are_rounded_down_so_that_100_means_everything() {
        let tally = |covered, total| Tally { covered, total };
        assert_eq!(tally(2, 3).percent(), "66.6");
        assert_eq!(tally(999, 1000).percent(), "99.9");
        assert_eq!(tally(1999, 2000).percent(), "99.9");
        assert_eq!(tally(0, 0).percent(), "100.0");
        assert!(!tally(1999, 2000).at_least(100));
        assert!(tally(1999, 2000).at_least(99));
        assert!(tally(0, 0).at_least(100));
    }
}
