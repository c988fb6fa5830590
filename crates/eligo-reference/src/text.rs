//! Values written as the report writes them, and as people read them: for comparisons and
//! messages. Not part of the semantics.

use crate::{civil, V};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive};

/// A number that is a finite decimal written as the report writes decimals: without trailing
/// zeros (`0.5`, `3350`); others to 28 places.
pub fn decimal_text(n: &BigRational) -> String {
    let mut places = 0;
    let mut scaled = n.clone();
    while !scaled.is_integer() && places < 28 {
        scaled *= BigInt::from(10);
        places += 1;
    }
    let digits = scaled.round().to_integer().abs().to_string();
    let sign = if n.is_negative() { "-" } else { "" };
    if places == 0 {
        return format!("{sign}{digits}");
    }
    let digits = format!("{digits:0>width$}", width = places + 1);
    let (whole, fraction) = digits.split_at(digits.len() - places);
    format!("{sign}{whole}.{}", fraction.trim_end_matches('0'))
}

/// Money as the report prints it: yuan with two decimals, half away from zero (docs/report.md).
pub fn money_text(amount: &BigRational) -> String {
    let cents = (amount * BigInt::from(100)).round().to_integer();
    let sign = if cents.is_negative() { "-" } else { "" };
    let cents = cents.abs();
    let hundred = BigInt::from(100);
    format!("{sign}{}.{:02}", &cents / &hundred, (&cents % &hundred).to_u8().unwrap_or(0))
}

/// One of: a number's exact value, for tests and messages.
pub fn show(v: &V) -> String {
    match v {
        V::Bool(b) => b.to_string(),
        V::Num(n) if n.is_integer() => n.to_integer().to_string(),
        V::Num(n) => format!("{}/{}", n.numer(), n.denom()),
        V::Date(d) => {
            let (y, m, dd) = civil(*d);
            format!("{y:04}-{m:02}-{dd:02}")
        }
        V::Text(t) => format!("{t:?}"),
        V::List(items) => format!("[{} items]", items.len()),
    }
}
