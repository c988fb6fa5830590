//! Exact arithmetic on numbers, decimal and money: nothing is rounded until a rule says `round`
//! (or `floor`, `ceil`), or a report prints the value (docs/language.md, "Exact numbers").
//!
//! Two forms, one value each (so that equal values are equal data):
//!
//! - a decimal (`Value::Dec`, rust_decimal: a 96-bit mantissa and up to 28 places), for every
//!   value that has such a form: what facts, constants and almost every result are. Sums,
//!   differences and products of decimals are computed on the mantissas in `i128`, checked, and
//!   kept only when they fit again: rust_decimal's own operations round a result that does not
//!   fit (`checked_div` rounds 1/3 to 28 places), which is what this module exists to prevent;
//! - a [`Ratio`] (`Value::Ratio`): numerator and denominator in `i128`, reduced, for a value
//!   that has no such decimal form (1000/3, or 10⁻³⁰ from a product). Only division, and
//!   arithmetic on a ratio, makes one; the result goes back to a decimal as soon as it has that
//!   form again (`1000 / 3 * 3` is the decimal 1000).
//!
//! The decimal path is the fast one and the usual one: a ratio costs a gcd per operation. Every
//! number, in either form, is within the decimal range (±79,228,162,514,264,337,593,543,950,335):
//! a result beyond it, or one whose numerator or denominator does not fit in `i128`, is `None`
//! here and an `Overflow` error in the evaluator, never a rounded value.

use crate::program::Arith;
use crate::value::Value;
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;

/// The largest mantissa of a decimal, 2⁹⁶ − 1: the bound of every number's magnitude.
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// The most places a decimal has.
pub const MAX_PLACES: u32 = 28;

/// A number with no decimal form within 28 places: `num / den`, reduced, `den > 1`, the sign in
/// the numerator, the magnitude within the decimal range. Made only by [`from_fraction`], which
/// gives a decimal whenever one holds the value exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ratio {
    num: i128,
    den: i128,
}

impl Ratio {
    pub fn numerator(self) -> i128 {
        self.num
    }

    pub fn denominator(self) -> i128 {
        self.den
    }

    pub fn is_negative(self) -> bool {
        self.num < 0
    }

    pub fn checked_neg(self) -> Option<Ratio> {
        Some(Ratio { num: self.num.checked_neg()?, den: self.den })
    }

    pub fn checked_abs(self) -> Option<Ratio> {
        Some(Ratio { num: self.num.checked_abs()?, den: self.den })
    }

    /// The value rounded half-up at `places` places, or at fewer when a decimal cannot hold that
    /// many for a number this large: what a report prints (money at 2, decimals at 28).
    pub fn to_decimal(self, places: u32) -> Decimal {
        let (magnitude, den) = (self.num.unsigned_abs(), self.den.unsigned_abs());
        let (mut q, mut r) = (magnitude / den, magnitude % den);
        let mut scale = 0;
        while scale < places.min(MAX_PLACES) {
            let (digit, rest) = times_ten(r, den);
            // Room for the digit and for rounding up after it (q ≤ MAX_MANTISSA: no overflow).
            if q * 10 + digit + 1 > MAX_MANTISSA {
                break;
            }
            (q, r, scale) = (q * 10 + digit, rest, scale + 1);
        }
        if r >= den - r {
            q += 1;
        }
        // q ≤ MAX_MANTISSA: at scale 0 because the magnitude is in range (a whole q = MAX_MANTISSA
        // leaves no remainder), after that because the loop left room for the carry.
        let (lo, mid, hi) = (q as u32, (q >> 32) as u32, (q >> 64) as u32);
        Decimal::from_parts(lo, mid, hi, self.num < 0, scale).normalize()
    }

    /// `round`, `floor` or `ceil` at `places` places: exact, so a decimal whenever it fits.
    fn rounded(self, places: u32, strategy: RoundingStrategy) -> Option<Value> {
        let (magnitude, den) = (self.num.unsigned_abs(), self.den.unsigned_abs());
        let (mut q, mut r) = (magnitude / den, magnitude % den);
        for _ in 0..places {
            let (digit, rest) = times_ten(r, den);
            q = q.checked_mul(10)?.checked_add(digit)?;
            r = rest;
        }
        let away = match strategy {
            RoundingStrategy::ToNegativeInfinity => self.num < 0 && r > 0,
            RoundingStrategy::ToPositiveInfinity => self.num > 0 && r > 0,
            // Half-up (away from zero), the only other strategy the built-ins use.
            _ => r >= den - r,
        };
        let q = i128::try_from(q.checked_add(u128::from(away))?).ok()?;
        from_fraction(if self.num < 0 { -q } else { q }, pow10(places)?)
    }
}

/// `⌊10·r / den⌋` and `10·r mod den`, for `r < den < 2¹²⁷`. 10·r can exceed `u128` for a large
/// denominator: then it is added up ten times, reduced each time (each sum is below 2·den).
fn times_ten(r: u128, den: u128) -> (u128, u128) {
    if let Some(ten_r) = r.checked_mul(10) {
        return (ten_r / den, ten_r % den);
    }
    let (mut digit, mut acc) = (0, 0u128);
    for _ in 0..10 {
        acc += r;
        if acc >= den {
            acc -= den;
            digit += 1;
        }
    }
    (digit, acc)
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `num / den` reduced, for `den > 0`.
fn reduced(num: i128, den: i128) -> (i128, i128) {
    // The gcd divides den, so it fits in i128; it is at least 1 since den > 0.
    let g = gcd(num.unsigned_abs(), den.unsigned_abs()) as i128;
    (num / g, den / g)
}

/// The exact value `num / den` (`den > 0`): a decimal when one holds it, else a ratio. `None`
/// beyond the decimal range.
pub fn from_fraction(num: i128, den: i128) -> Option<Value> {
    let (num, den) = reduced(num, den);
    let (magnitude, unsigned_den) = (num.unsigned_abs(), den.unsigned_abs());
    let whole = magnitude / unsigned_den;
    if whole > MAX_MANTISSA || (whole == MAX_MANTISSA && magnitude % unsigned_den != 0) {
        return None;
    }
    // A decimal form exists when the denominator is 2^a·5^b, with max(a, b) places.
    let (mut rest, mut twos, mut fives) = (den, 0u32, 0u32);
    while rest % 2 == 0 {
        (rest, twos) = (rest / 2, twos + 1);
    }
    while rest % 5 == 0 {
        (rest, fives) = (rest / 5, fives + 1);
    }
    let places = twos.max(fives);
    if rest == 1 && places <= MAX_PLACES {
        let decimal = pow10(places)
            .and_then(|scale| num.checked_mul(scale / den))
            .and_then(|mantissa| Decimal::try_from_i128_with_scale(mantissa, places).ok());
        if let Some(decimal) = decimal {
            return Some(Value::Dec(decimal.normalize()));
        }
    }
    Some(Value::Ratio(Ratio { num, den }))
}

/// A number as a fraction (`den > 0`); `None` for anything that is not a number.
pub fn fraction(value: &Value) -> Option<(i128, i128)> {
    match value {
        Value::Int(i) => Some((i128::from(*i), 1)),
        Value::Dec(d) => Some(reduced(d.mantissa(), pow10(d.scale())?)),
        Value::Ratio(r) => Some((r.num, r.den)),
        _ => None,
    }
}

/// A whole number or decimal as mantissa and places.
fn decimal_parts(value: &Value) -> Option<(i128, u32)> {
    match value {
        Value::Int(i) => Some((i128::from(*i), 0)),
        Value::Dec(d) => Some((d.mantissa(), d.scale())),
        _ => None,
    }
}

/// `a op b` for two numbers, exactly (`b` not zero under division: the caller says so). `None`
/// on overflow, or when either is not a number.
pub fn arith(op: Arith, a: &Value, b: &Value) -> Option<Value> {
    if let (Some(x), Some(y)) = (decimal_parts(a), decimal_parts(b)) {
        if let Some(decimal) = decimal_arith(op, x, y) {
            return Some(Value::Dec(decimal.normalize()));
        }
    }
    let ((a, b), (c, d)) = (fraction(a)?, fraction(b)?);
    let (num, den) = match op {
        Arith::Add | Arith::Sub => {
            let c = if op == Arith::Sub { c.checked_neg()? } else { c };
            // Over the least common denominator: b·d/gcd(b, d).
            let (b_g, d_g) = reduced(b, d);
            (a.checked_mul(d_g)?.checked_add(c.checked_mul(b_g)?)?, b.checked_mul(d_g)?)
        }
        Arith::Mul => product((a, b), (c, d))?,
        Arith::Div => {
            let reciprocal = if c < 0 { (d.checked_neg()?, c.checked_neg()?) } else { (d, c) };
            product((a, b), reciprocal)?
        }
    };
    from_fraction(num, den)
}

/// `(a/b)·(c/d)`, cross-reduced first so that the products stay small.
fn product((a, b): (i128, i128), (c, d): (i128, i128)) -> Option<(i128, i128)> {
    let (a_d, d_a) = reduced(a, d);
    let (c_b, b_c) = reduced(c, b);
    Some((a_d.checked_mul(c_b)?, b_c.checked_mul(d_a)?))
}

/// The fast path: `+`, `−`, `×` on mantissas, kept only if the result is a decimal as it stands.
fn decimal_arith(op: Arith, (x, xs): (i128, u32), (y, ys): (i128, u32)) -> Option<Decimal> {
    let (mantissa, scale) = match op {
        Arith::Add | Arith::Sub => {
            let scale = xs.max(ys);
            let x = x.checked_mul(pow10(scale - xs)?)?;
            let y = y.checked_mul(pow10(scale - ys)?)?;
            (if op == Arith::Add { x.checked_add(y)? } else { x.checked_sub(y)? }, scale)
        }
        Arith::Mul => (x.checked_mul(y)?, xs + ys),
        Arith::Div => return None,
    };
    Decimal::try_from_i128_with_scale(mantissa, scale).ok()
}

/// The order of two numbers; `None` when either is not one.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_decimal(), b.as_decimal()) {
        return Some(x.cmp(&y));
    }
    let (x, y) = (fraction(a)?, fraction(b)?);
    Some(compare_fractions(x, y))
}

/// `a/b` against `c/d` (`b, d > 0`) without a product that could overflow: whole parts first,
/// then the fractional parts by their reciprocals (Euclid's algorithm), at most ~180 rounds.
fn compare_fractions((mut a, mut b): (i128, i128), (mut c, mut d): (i128, i128)) -> Ordering {
    let mut flipped = false;
    loop {
        let (qa, ra, qc, rc) = (a.div_euclid(b), a.rem_euclid(b), c.div_euclid(d), c.rem_euclid(d));
        let order = match qa.cmp(&qc) {
            Ordering::Equal => match (ra, rc) {
                (0, 0) => Ordering::Equal,
                (0, _) => Ordering::Less,
                (_, 0) => Ordering::Greater,
                // ra/b < rc/d exactly when b/ra > d/rc.
                _ => {
                    (a, b, c, d, flipped) = (b, ra, d, rc, !flipped);
                    continue;
                }
            },
            order => order,
        };
        return if flipped { order.reverse() } else { order };
    }
}

/// `round`, `floor` or `ceil` of a number at `places` places (at most [`MAX_PLACES`]); `None` on
/// overflow or for anything that is not a number. A whole number is already whole.
pub fn round(value: &Value, places: u32, strategy: RoundingStrategy) -> Option<Value> {
    match value {
        Value::Int(i) => Some(Value::Int(*i)),
        Value::Dec(d) => Some(Value::Dec(d.round_dp_with_strategy(places, strategy))),
        Value::Ratio(r) => r.rounded(places, strategy),
        _ => None,
    }
}

/// A number in JSON's notation (an optional `-`, digits with an optional `.` and fraction, an
/// optional exponent `e`/`E` with an optional sign), read exactly: never through a float, so
/// `1e16`, `1E-7`, `12345e-2` and `0.1e1` are the decimals they say. `None` when the text is not
/// such a number, or its value has no decimal form: beyond ±79,228,162,514,264,337,593,543,950,335
/// or more than 28 places (it is refused, never rounded). `-0` is 0.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let (negative, text) = text.strip_prefix('-').map_or((false, text), |rest| (true, rest));
    let (mantissa, exponent) = text.split_once(['e', 'E']).map_or((text, None), |(m, e)| (m, Some(e)));
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    let exponent = match exponent {
        None => 0,
        Some(e) => {
            let (sign, magnitude) = match e.strip_prefix('-') {
                Some(m) => (-1, m),
                None => (1, e.strip_prefix('+').unwrap_or(e)),
            };
            if magnitude.is_empty() || !digits(magnitude) {
                return None;
            }
            // Saturating: an exponent beyond i64 is beyond any text's digits to make up for.
            sign * magnitude.bytes().fold(0i64, |n, b| n.saturating_mul(10).saturating_add(i64::from(b - b'0')))
        }
    };
    // value = significant digits × 10^power, without leading or trailing zeros.
    let mut significant: Vec<u8> = whole.bytes().chain(fraction.bytes()).skip_while(|&b| b == b'0').collect();
    let trailing = significant.iter().rev().take_while(|&&b| b == b'0').count();
    significant.truncate(significant.len() - trailing);
    if significant.is_empty() {
        return Some(Decimal::ZERO);
    }
    let power = exponent.saturating_sub(fraction.len() as i64).saturating_add(trailing as i64);
    // The largest decimal has 29 digits: more significant digits than that never fit.
    if significant.len() > 29 || !(-i64::from(MAX_PLACES)..=i64::from(MAX_PLACES)).contains(&power) {
        return None;
    }
    let mut mantissa = significant.iter().fold(0u128, |n, b| n * 10 + u128::from(b - b'0'));
    let scale = if power < 0 { power.unsigned_abs() as u32 } else { 0 };
    if power > 0 {
        mantissa = mantissa.checked_mul(10u128.pow(power as u32))?;
    }
    if mantissa > MAX_MANTISSA {
        return None;
    }
    Some(Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, (mantissa >> 64) as u32, negative, scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Value {
        Value::Dec(Decimal::from_str_exact(text).unwrap())
    }

    #[test]
    fn a_ratio_only_when_no_decimal_holds_the_value() {
        assert_eq!(from_fraction(10, 4), Some(dec("2.5")));
        assert_eq!(from_fraction(-6, 3), Some(dec("-2")));
        assert!(matches!(from_fraction(1, 3), Some(Value::Ratio(_))));
        // 10⁻³⁰ has a finite expansion, but more than 28 places.
        assert!(matches!(from_fraction(1, 10i128.pow(30)), Some(Value::Ratio(_))));
        assert_eq!(from_fraction(MAX_MANTISSA as i128, 1), Some(Value::Dec(Decimal::MAX)));
        assert_eq!(from_fraction(MAX_MANTISSA as i128 * 3 + 1, 3), None);
    }

    #[test]
    fn printing_rounds_half_up_within_what_a_decimal_holds() {
        let third = Ratio { num: 1000, den: 3 };
        assert_eq!(third.to_decimal(2).to_string(), "333.33");
        assert_eq!(Ratio { num: -2000, den: 3 }.to_decimal(2).to_string(), "-666.67");
        // Rounded to zero, it is 0, not -0.
        assert_eq!(Ratio { num: -1, den: 3000 }.to_decimal(2).to_string(), "0");
        // 29 significant digits: as many as the 96-bit mantissa holds for this magnitude.
        assert_eq!(third.to_decimal(28).to_string(), "333.33333333333333333333333333");
        let huge = Ratio { num: i128::MAX / 3 * 2 + 1, den: i128::MAX / 3 };
        assert_eq!(huge.to_decimal(28).to_string(), "2");
    }

    #[test]
    fn ten_times_a_remainder_near_the_largest_denominator() {
        let den = i128::MAX as u128;
        assert_eq!(times_ten(den - 1, den), (9, den - 10));
        assert_eq!(times_ten(den / 2, den), (4, den - 5));
    }

    #[test]
    fn fractions_compare_without_overflow() {
        assert_eq!(compare_fractions((-1, 3), (-1, 2)), Ordering::Greater);
        assert_eq!(compare_fractions((-1, 3), (0, 1)), Ordering::Less);
        assert_eq!(compare_fractions((2, 6), (1, 3)), Ordering::Equal);
        // (n+1)/n < n/(n−1): the cross products would be far beyond i128.
        let n = i128::MAX - 1;
        assert_eq!(compare_fractions((n + 1, n), (n, n - 1)), Ordering::Less);
        assert_eq!(compare_fractions((n, n - 1), (n + 1, n)), Ordering::Greater);
    }

    #[test]
    fn only_numbers_are_parsed() {
        for text in ["", "-", ".", "1e", "1e+", "1.2.3", "+1", "1_000", "0x10", "1e5.5", "NaN", "--1"] {
            assert_eq!(parse_decimal(text), None, "{text}");
        }
        assert_eq!(parse_decimal("-0"), Some(Decimal::ZERO));
        assert!(!parse_decimal("-0.000").is_some_and(|d| d.is_sign_negative()));
        assert_eq!(parse_decimal("5."), Decimal::from_str_exact("5").ok());
    }
}
