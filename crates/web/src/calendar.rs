//! Days as the person at the browser counts them: today in their time zone, and months.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

/// This moment, by the browser's clock.
pub fn now() -> DateTime<Utc> {
    String::from(js_sys::Date::new_0().to_iso_string())
        .parse()
        .unwrap_or_default()
}

/// Today in the browser's time zone.
pub fn today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    i32::try_from(now.get_full_year())
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, now.get_month() + 1, now.get_date()))
        .unwrap_or_default()
}

/// The first day of `day`'s month.
pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The last day of `day`'s month.
pub fn month_end(day: NaiveDate) -> NaiveDate {
    month_start(day)
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(day)
}

/// The first day of the month `months` after (or, negative, before) `day`'s.
pub fn shift_month(day: NaiveDate, months: i32) -> NaiveDate {
    let start = month_start(day);
    let shifted = if months >= 0 {
        start.checked_add_months(Months::new(months.unsigned_abs()))
    } else {
        start.checked_sub_months(Months::new(months.unsigned_abs()))
    };
    shifted.unwrap_or(start)
}

/// `2026-11-03` (as date inputs and the URL write a day) → that day. Read by hand: chrono's
/// `parse_from_str` brings its whole strftime parser into the wasm for this one format.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let mut parts = text.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// `YYYY-MM`, the month `day` is in (as month inputs and the API write it).
pub fn month_key(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}
