//! Calendar dates as days since 1970-01-01 (Arrow's `Date32`), parsed strictly from `YYYY-MM-DD`.

use chrono::{Datelike, NaiveDate};

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();

/// Parses exactly `YYYY-MM-DD` (a real calendar day) into days since the epoch.
pub fn parse(s: &[u8]) -> Option<i32> {
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        s[r].iter().try_fold(0u32, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    Some(from_naive(date))
}

/// Days since the epoch of a chrono date.
pub(crate) fn from_naive(date: NaiveDate) -> i32 {
    (date - EPOCH).num_days() as i32
}

/// The chrono date of days since the epoch.
pub(crate) fn to_naive(days: i32) -> NaiveDate {
    EPOCH + chrono::Days::new(0) + chrono::TimeDelta::days(i64::from(days))
}

/// Formats days since the epoch as `YYYY-MM-DD`.
pub fn format(days: i32) -> String {
    let mut out = String::with_capacity(10);
    push(days, &mut out);
    out
}

/// Appends [`format`]'s text of `days` to `out`.
pub(crate) fn push(days: i32, out: &mut String) {
    use std::fmt::Write as _;
    // Formatted by hand: exports format a date per row, and chrono's strftime parses its pattern
    // every time.
    let d = to_naive(days);
    let (y, m, day) = (d.year(), d.month(), d.day());
    let _ = if (0..=9999).contains(&y) { write!(out, "{y:04}-{m:02}-{day:02}") } else { write!(out, "{}", d.format("%Y-%m-%d")) };
}

/// The calendar year of days since the epoch.
pub(crate) fn year(days: i32) -> i32 {
    to_naive(days).year()
}

/// Parses a user-supplied `YYYY-MM-DD` string, with an error message naming it.
pub fn parse_arg(s: &str) -> crate::Result<i32> {
    parse(s.trim().as_bytes()).ok_or_else(|| crate::Error::invalid(format!("'{s}' is not a valid date (expected YYYY-MM-DD)")))
}

/// Now, as stored timestamps are written: RFC 3339 in UTC, to the millisecond.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_days_only() {
        assert_eq!(parse(b"1970-01-02"), Some(1));
        assert_eq!(format(parse(b"2025-05-31").unwrap()), "2025-05-31");
        assert_eq!(parse(b"2024-02-29").map(format).as_deref(), Some("2024-02-29"));
        for bad in [&b"2025-02-30"[..], b"2025-13-01", b"2025-5-01", b"2025/05/01", b"20250501xx", b"", b"2025-05-0a"] {
            assert_eq!(parse(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(year(parse(b"2025-12-31").unwrap()), 2025);
    }
}
