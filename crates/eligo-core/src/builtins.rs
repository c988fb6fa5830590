//! The built-in functions, declared once: each one's name as written in rules, signature, usage
//! text and evaluation. The checker types calls by the signature and shows the usage text, the
//! validator of precompiled programs checks the number of arguments by it, and the evaluator calls
//! the entry's function: adding a built-in is a variant of [`Builtin`] and an entry here.
//!
//! (The list operations `count`, `sum`, `any`, `all`, `filter` and `min`/`max` of a list take an
//! expression over the items, not values: they are [`crate::program::ListOp`]s.)

use crate::date::Date;
use crate::eval::expr::overflow;
use crate::eval::{EvalError, EvalErrorKind};
use crate::number::MAX_PLACES;
use crate::program::{Builtin, Type};
use crate::source::Span;
use crate::value::Value;
use rust_decimal::RoundingStrategy;
use std::cmp::Ordering;

type Result<T> = std::result::Result<T, EvalError>;

/// What a built-in takes and gives, as the checker types a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signature {
    /// Exactly these parameters; the result is of this type.
    Fixed(&'static [Type], Type),
    /// A number or money, then, if `places`, optionally a whole number of decimal places; the
    /// result is of the number's type.
    Number { places: bool },
    /// Two or more numbers, money or dates of one type; the result is of that type.
    Extremum,
}

impl Signature {
    /// Whether a call with `args` arguments fits.
    pub fn takes(self, args: usize) -> bool {
        match self {
            Signature::Fixed(params, _) => args == params.len(),
            Signature::Number { places } => (1..=1 + usize::from(places)).contains(&args),
            Signature::Extremum => args >= 2,
        }
    }
}

/// One built-in function.
#[derive(Debug)]
pub struct BuiltinDef {
    /// As written in rules.
    pub name: &'static str,
    pub builtin: Builtin,
    pub signature: Signature,
    /// How to call it, for the checker's "write …" help.
    pub usage: &'static str,
    /// Whether some arguments of its types make it fail (a date outside the calendar, decimal
    /// places out of range, an overflow): a call with an argument not known yet may then fail.
    pub can_fail: bool,
    /// The result for arguments of the signature's types (known values: an unknown argument makes
    /// the call unknown before this is called).
    pub eval: fn(&[Value], Span) -> Result<Value>,
}

impl Builtin {
    pub fn def(self) -> &'static BuiltinDef {
        // In range: BUILTINS lists every variant in order (checked when the crate compiles).
        &BUILTINS[self as usize]
    }
}

/// The built-in called `name` in rules.
pub fn by_name(name: &str) -> Option<&'static BuiltinDef> {
    BUILTINS.iter().find(|def| def.name == name)
}

const DATES_TO_INT: Signature = Signature::Fixed(&[Type::Date, Type::Date], Type::Int);
const DATE_MOVED: Signature = Signature::Fixed(&[Type::Date, Type::Int], Type::Date);
const DATE_TO_DATE: Signature = Signature::Fixed(&[Type::Date], Type::Date);
const DATE_PART: Signature = Signature::Fixed(&[Type::Date], Type::Int);

/// Every built-in, in the order of [`Builtin`]'s variants.
pub const BUILTINS: &[BuiltinDef] = &[
    BuiltinDef {
        name: "age",
        builtin: Builtin::Age,
        signature: DATES_TO_INT,
        usage: "age(birth_date, today)",
        can_fail: false,
        eval: |v, span| Ok(Value::Int(date(v, 0, span)?.age_on(date(v, 1, span)?))),
    },
    BuiltinDef {
        name: "months_between",
        builtin: Builtin::MonthsBetween,
        signature: DATES_TO_INT,
        usage: "months_between(start, end)",
        can_fail: false,
        eval: |v, span| Ok(Value::Int(date(v, 0, span)?.months_until(date(v, 1, span)?))),
    },
    BuiltinDef {
        name: "calendar_months",
        builtin: Builtin::CalendarMonths,
        signature: DATES_TO_INT,
        usage: "calendar_months(first, last)",
        can_fail: false,
        eval: |v, span| {
            let (first, last) = (date(v, 0, span)?, date(v, 1, span)?);
            Ok(Value::Int((last.month_number() - first.month_number() + 1).max(0)))
        },
    },
    BuiltinDef {
        name: "days_between",
        builtin: Builtin::DaysBetween,
        signature: DATES_TO_INT,
        usage: "days_between(start, end)",
        can_fail: false,
        eval: |v, span| Ok(Value::Int(date(v, 1, span)?.days_since_epoch() - date(v, 0, span)?.days_since_epoch())),
    },
    BuiltinDef {
        name: "add_days",
        builtin: Builtin::AddDays,
        signature: DATE_MOVED,
        usage: "add_days(date, n)",
        can_fail: true,
        eval: |v, span| {
            Ok(Value::Date(date(v, 0, span)?.add_days(int(v, 1, span)?).ok_or_else(|| out_of_range(span))?))
        },
    },
    BuiltinDef {
        name: "add_months",
        builtin: Builtin::AddMonths,
        signature: DATE_MOVED,
        usage: "add_months(date, n)",
        can_fail: true,
        eval: |v, span| {
            Ok(Value::Date(date(v, 0, span)?.add_months(int(v, 1, span)?).ok_or_else(|| out_of_range(span))?))
        },
    },
    BuiltinDef {
        name: "add_years",
        builtin: Builtin::AddYears,
        signature: DATE_MOVED,
        usage: "add_years(date, n)",
        can_fail: true,
        eval: |v, span| {
            Ok(Value::Date(date(v, 0, span)?.add_years(int(v, 1, span)?).ok_or_else(|| out_of_range(span))?))
        },
    },
    BuiltinDef {
        name: "start_of_month",
        builtin: Builtin::StartOfMonth,
        signature: DATE_TO_DATE,
        usage: "start_of_month(date)",
        can_fail: false,
        eval: |v, span| Ok(Value::Date(date(v, 0, span)?.start_of_month())),
    },
    BuiltinDef {
        name: "end_of_month",
        builtin: Builtin::EndOfMonth,
        signature: DATE_TO_DATE,
        usage: "end_of_month(date)",
        can_fail: false,
        eval: |v, span| Ok(Value::Date(date(v, 0, span)?.end_of_month())),
    },
    BuiltinDef {
        name: "year",
        builtin: Builtin::Year,
        signature: DATE_PART,
        usage: "year(date)",
        can_fail: false,
        eval: |v, span| Ok(Value::Int(date(v, 0, span)?.year() as i64)),
    },
    BuiltinDef {
        name: "month",
        builtin: Builtin::Month,
        signature: DATE_PART,
        usage: "month(date)",
        can_fail: false,
        eval: |v, span| Ok(Value::Int(date(v, 0, span)?.month() as i64)),
    },
    BuiltinDef {
        name: "day",
        builtin: Builtin::Day,
        signature: DATE_PART,
        usage: "day(date)",
        can_fail: false,
        eval: |v, span| Ok(Value::Int(date(v, 0, span)?.day() as i64)),
    },
    BuiltinDef {
        name: "date",
        builtin: Builtin::MakeDate,
        signature: Signature::Fixed(&[Type::Int, Type::Int, Type::Int], Type::Date),
        usage: "date(year, month, day)",
        can_fail: true,
        eval: make_date,
    },
    BuiltinDef {
        name: "min",
        builtin: Builtin::Min,
        signature: Signature::Extremum,
        usage: "min(a, b, …) or min(list, value)",
        can_fail: false,
        eval: |v, span| extremum(v, span, Ordering::Less),
    },
    BuiltinDef {
        name: "max",
        builtin: Builtin::Max,
        signature: Signature::Extremum,
        usage: "max(a, b, …) or max(list, value)",
        can_fail: false,
        eval: |v, span| extremum(v, span, Ordering::Greater),
    },
    BuiltinDef {
        name: "round",
        builtin: Builtin::Round,
        signature: Signature::Number { places: true },
        usage: "round(x) or round(x, places)",
        can_fail: true,
        eval: |v, span| rounded(v, span, RoundingStrategy::MidpointAwayFromZero),
    },
    BuiltinDef {
        name: "floor",
        builtin: Builtin::Floor,
        signature: Signature::Number { places: true },
        usage: "floor(x) or floor(x, places)",
        can_fail: true,
        eval: |v, span| rounded(v, span, RoundingStrategy::ToNegativeInfinity),
    },
    BuiltinDef {
        name: "ceil",
        builtin: Builtin::Ceil,
        signature: Signature::Number { places: true },
        usage: "ceil(x) or ceil(x, places)",
        can_fail: true,
        eval: |v, span| rounded(v, span, RoundingStrategy::ToPositiveInfinity),
    },
    BuiltinDef {
        name: "abs",
        builtin: Builtin::Abs,
        signature: Signature::Number { places: false },
        usage: "abs(x)",
        can_fail: true,
        eval: |v, span| match v.first() {
            Some(Value::Int(i)) => Ok(Value::Int(i.checked_abs().ok_or_else(|| overflow(span))?)),
            Some(Value::Dec(d)) => Ok(Value::Dec(d.abs())),
            Some(Value::Ratio(r)) => Ok(Value::Ratio(r.checked_abs().ok_or_else(|| overflow(span))?)),
            _ => Err(bad(span)),
        },
    },
];

// `Builtin::def` indexes BUILTINS by the variant.
const _: () = {
    let mut i = 0;
    while i < BUILTINS.len() {
        assert!(BUILTINS[i].builtin as usize == i);
        i += 1;
    }
};

fn bad(span: Span) -> EvalError {
    EvalError::new(EvalErrorKind::BuiltinArguments, span)
}

fn out_of_range(span: Span) -> EvalError {
    EvalError::new(EvalErrorKind::DateOutOfRange, span)
}

fn date(values: &[Value], i: usize, span: Span) -> Result<Date> {
    match values.get(i) {
        Some(Value::Date(d)) => Ok(*d),
        _ => Err(bad(span)),
    }
}

fn int(values: &[Value], i: usize, span: Span) -> Result<i64> {
    match values.get(i) {
        Some(Value::Int(n)) => Ok(*n),
        _ => Err(bad(span)),
    }
}

fn make_date(values: &[Value], span: Span) -> Result<Value> {
    let (y, m, d) = (int(values, 0, span)?, int(values, 1, span)?, int(values, 2, span)?);
    let date = i32::try_from(y)
        .ok()
        .zip(u32::try_from(m).ok())
        .zip(u32::try_from(d).ok())
        .and_then(|((y, m), d)| Date::from_ymd(y, m, d));
    Ok(Value::Date(date.ok_or_else(|| EvalError::new(EvalErrorKind::NotADate { year: y, month: m, day: d }, span))?))
}

/// `min` (`wanted` is `Less`) or `max` (`Greater`) of values of one ordered type.
fn extremum(values: &[Value], span: Span, wanted: Ordering) -> Result<Value> {
    let (first, rest) = values.split_first().ok_or_else(|| bad(span))?;
    let mut best = first;
    for value in rest {
        if value.compare(best).ok_or_else(|| bad(span))? == wanted {
            best = value;
        }
    }
    Ok(best.clone())
}

/// `round`, `floor` or `ceil`, of the exact value (see [`crate::number::round`]).
fn rounded(values: &[Value], span: Span, strategy: RoundingStrategy) -> Result<Value> {
    let places = match values.get(1) {
        None => 0,
        Some(Value::Int(p)) if (0..=i64::from(MAX_PLACES)).contains(p) => *p as u32,
        Some(_) => return Err(EvalError::new(EvalErrorKind::DecimalPlaces, span)),
    };
    match values.first() {
        Some(value @ (Value::Int(_) | Value::Dec(_) | Value::Ratio(_))) => {
            crate::number::round(value, places, strategy).ok_or_else(|| overflow(span))
        }
        _ => Err(bad(span)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn doc(path: &str) -> String {
        let path = format!("{}/../../docs/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// A built-in that says it cannot fail (`can_fail: false`) gives a value for every argument of
    /// its types, the calendar's and the numbers' extremes included: the evaluator then lets a
    /// call with an argument not known yet hold up nothing (see `Env::may_fail`).
    #[test]
    fn a_builtin_that_cannot_fail_never_fails() {
        let dates: Vec<Value> =
            ["0001-01-01", "0001-12-31", "1958-01-15", "2000-02-29", "2024-02-29", "9999-12-01", "9999-12-31"]
                .iter()
                .filter_map(|d| Date::parse(d))
                .map(Value::Date)
                .collect();
        let numbers = [
            Value::Int(i64::MIN),
            Value::Int(-1),
            Value::Int(0),
            Value::Int(i64::MAX),
            Value::Dec(Decimal::MIN),
            Value::Dec(Decimal::new(-1, 28)),
            Value::Dec(Decimal::MAX),
        ];
        let of = |ty: &Type| -> &[Value] {
            match ty {
                Type::Date => &dates,
                _ => &numbers,
            }
        };
        let span = Span::new(0, 0, 0);
        for def in BUILTINS.iter().filter(|def| !def.can_fail) {
            let calls: Vec<Vec<Value>> = match def.signature {
                Signature::Fixed([], _) => vec![Vec::new()],
                Signature::Fixed([one], _) => of(one).iter().map(|a| vec![a.clone()]).collect(),
                Signature::Fixed([one, two], _) => {
                    of(one).iter().flat_map(|a| of(two).iter().map(|b| vec![a.clone(), b.clone()])).collect()
                }
                Signature::Extremum => [&dates[..], &numbers[..]]
                    .iter()
                    .flat_map(|values| values.iter().flat_map(|a| values.iter().map(|b| vec![a.clone(), b.clone()])))
                    .collect(),
                other => panic!("{}: add its arguments to this test ({other:?})", def.name),
            };
            for args in calls {
                assert!((def.eval)(&args, span).is_ok(), "{}({args:?}) failed", def.name);
            }
        }
    }

    #[test]
    fn every_builtin_is_reachable_by_name_and_documented() {
        let (language, errors) = (doc("language.md"), doc("errors.md"));
        for def in BUILTINS {
            let found = by_name(def.name).map(|d| d.builtin);
            assert_eq!(found, Some(def.builtin), "{}", def.name);
            assert_eq!(def.builtin.def().name, def.name);
            assert!(def.usage.starts_with(&format!("{}(", def.name)), "{}: {}", def.name, def.usage);
            assert!(language.contains(&format!("`{}(", def.name)), "docs/language.md does not show `{}(…)`", def.name);
            assert!(errors.contains(&format!("`{}`", def.name)), "docs/errors.md (E0204) does not list `{}`", def.name);
        }
    }

    #[test]
    fn the_arity_follows_the_signature() {
        let arities = |s: Signature| (0..5).filter(|&n| s.takes(n)).collect::<Vec<_>>();
        assert_eq!(arities(Builtin::MakeDate.def().signature), [3]);
        assert_eq!(arities(Builtin::Round.def().signature), [1, 2]);
        assert_eq!(arities(Builtin::Abs.def().signature), [1]);
        assert_eq!(arities(Builtin::Max.def().signature), [2, 3, 4]);
    }
}
