//! Calendar dates without a clock: the proleptic Gregorian calendar as a day count, with the
//! month arithmetic policies use (周岁 ages, months between, start and end of month).

use std::fmt;

/// A calendar date. Ordered; `Date::parse` accepts only real dates ("2025-02-30" is rejected).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// 1970-01-01.
    pub const EPOCH: Date = Date { year: 1970, month: 1, day: 1 };
    /// Days since the epoch of 0001-01-01 and 9999-12-31, the first and last dates.
    const FIRST_DAY: i64 = -719_162;
    const LAST_DAY: i64 = 2_932_896;

    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month as u8) as u32 {
            return None;
        }
        Some(Date { year, month: month as u8, day: day as u8 })
    }

    /// Parses `YYYY-MM-DD` exactly.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = text.get(range)?;
            part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
        };
        Date::from_ymd(number(0..4)? as i32, number(5..7)?, number(8..10)?)
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u32 {
        self.month as u32
    }
    pub fn day(self) -> u32 {
        self.day as u32
    }

    /// Completed years (周岁) at `on`: the birthday counts on the day itself, and someone born on
    /// 29 February becomes a year older on 1 March in common years. Negative before birth.
    pub fn age_on(self, on: Date) -> i64 {
        let mut years = (on.year - self.year) as i64;
        if (on.month, on.day) < self.anniversary_in(on.year) {
            years -= 1;
        }
        years
    }

    /// (month, day) of this date's anniversary in `year`: 29 February moves to 1 March.
    fn anniversary_in(self, year: i32) -> (u8, u8) {
        if self.month == 2 && self.day == 29 && !is_leap(year) {
            (3, 1)
        } else {
            (self.month, self.day)
        }
    }

    /// Whole calendar months from `self` to `later` (negative when `later` is earlier): a month is
    /// complete on the same day-of-month, or on the last day of a shorter month.
    pub fn months_until(self, later: Date) -> i64 {
        if later < self {
            return -later.months_until(self);
        }
        let months = later.month_number() - self.month_number();
        let day_reached = later.day >= self.day || later.day == days_in_month(later.year, later.month);
        months - i64::from(!day_reached)
    }

    /// Months since year 0, for month-granular counting: `month_index(2025-01-xx) - month_index(2024-12-xx) == 1`.
    pub fn month_number(self) -> i64 {
        self.year as i64 * 12 + self.month as i64 - 1
    }

    pub fn start_of_month(self) -> Date {
        Date { day: 1, ..self }
    }

    pub fn end_of_month(self) -> Date {
        Date { day: days_in_month(self.year, self.month), ..self }
    }

    /// The same day `n` months later (or earlier), clamped to the end of a shorter month.
    pub fn add_months(self, n: i64) -> Option<Date> {
        let index = self.month_number().checked_add(n)?;
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = (index.rem_euclid(12) + 1) as u8;
        if !(1..=9999).contains(&year) {
            return None;
        }
        Some(Date { year, month, day: self.day.min(days_in_month(year, month)) })
    }

    /// Adds (or subtracts) whole years, with 29 February clamped to 28 February.
    pub fn add_years(self, n: i64) -> Option<Date> {
        self.add_months(n.checked_mul(12)?)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = self.year as i64 - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        // Outside the years 1 to 9999 there is no date; checked first, since the arithmetic
        // below overflows for day counts near i64's ends (found by fuzzing:
        // `add_days(d, 9223372036854775807)`).
        if !(Date::FIRST_DAY..=Date::LAST_DAY).contains(&days) {
            return None;
        }
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::from_ymd(i32::try_from(year).ok()?, month, day)
    }

    pub fn add_days(self, n: i64) -> Option<Date> {
        Date::from_days_since_epoch(self.days_since_epoch().checked_add(n)?)
    }
}

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Stored as (year, month, day) and read back only if it is a date in the calendar: the date
/// arithmetic relies on it.
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&(self.year, self.month, self.day), s)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let (year, month, day): (i32, u8, u8) = serde::Deserialize::deserialize(d)?;
        Date::from_ymd(year, month.into(), day.into())
            .ok_or_else(|| serde::de::Error::custom(format!("{year}-{month}-{day} is not a date in the calendar")))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|| panic!("{s} is a date"))
    }

    #[test]
    fn parses_only_real_dates() {
        assert!(Date::parse("2025-02-30").is_none());
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2025-1-01").is_none());
        assert!(Date::parse("0000-01-01").is_none());
        assert!(Date::parse("2025-13-01").is_none());
        assert!(Date::parse("+025-01-01").is_none());
        assert_eq!(d("2025-03-01").to_string(), "2025-03-01");
    }

    #[test]
    fn age_counts_the_birthday_itself() {
        let born = d("1960-03-01");
        assert_eq!(born.age_on(d("2025-02-28")), 64);
        assert_eq!(born.age_on(d("2025-03-01")), 65);
        assert_eq!(born.age_on(d("2025-03-02")), 65);
    }

    #[test]
    fn leap_day_births_age_on_the_first_of_march_in_common_years() {
        let born = d("2000-02-29");
        assert_eq!(born.age_on(d("2025-02-28")), 24);
        assert_eq!(born.age_on(d("2025-03-01")), 25);
        assert_eq!(born.age_on(d("2024-02-28")), 23);
        assert_eq!(born.age_on(d("2024-02-29")), 24);
    }

    #[test]
    fn days_beyond_the_calendar_are_no_date() {
        assert_eq!(Date::from_ymd(1, 1, 1).map(Date::days_since_epoch), Some(Date::FIRST_DAY));
        assert_eq!(Date::from_ymd(9999, 12, 31).map(Date::days_since_epoch), Some(Date::LAST_DAY));
        assert_eq!(Date::from_days_since_epoch(Date::FIRST_DAY), Date::from_ymd(1, 1, 1));
        assert_eq!(Date::from_days_since_epoch(Date::FIRST_DAY - 1), None);
        assert_eq!(Date::from_days_since_epoch(Date::LAST_DAY + 1), None);
        for n in [i64::MAX, i64::MIN, i64::MAX - 719_468, i64::MIN + 1] {
            assert_eq!(d("2025-03-01").add_days(n), None, "{n}");
            assert_eq!(Date::from_days_since_epoch(n), None, "{n}");
        }
    }

    #[test]
    fn month_arithmetic() {
        assert_eq!(d("2025-01-31").add_months(1), Some(d("2025-02-28")));
        assert_eq!(d("2024-01-31").add_months(1), Some(d("2024-02-29")));
        assert_eq!(d("2025-03-15").add_months(-3), Some(d("2024-12-15")));
        assert_eq!(d("2025-02-10").end_of_month(), d("2025-02-28"));
        assert_eq!(d("2025-02-10").start_of_month(), d("2025-02-01"));
        assert_eq!(d("2025-01-15").months_until(d("2025-03-14")), 1);
        assert_eq!(d("2025-01-15").months_until(d("2025-03-15")), 2);
        assert_eq!(d("2025-01-31").months_until(d("2025-02-28")), 1);
        assert_eq!(d("2025-03-15").months_until(d("2025-01-15")), -2);
        assert_eq!(d("2025-03-15").months_until(d("2025-01-16")), -1);
    }

    #[test]
    fn day_counts_round_trip() {
        for s in ["1970-01-01", "2000-02-29", "2024-12-31", "0001-01-01", "9999-12-31"] {
            let date = d(s);
            assert_eq!(Date::from_days_since_epoch(date.days_since_epoch()), Some(date));
        }
        assert_eq!(d("1970-01-01").days_since_epoch(), 0);
        assert_eq!(d("2025-02-28").add_days(1), Some(d("2025-03-01")));
    }
}
