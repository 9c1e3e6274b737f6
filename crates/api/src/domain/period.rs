//! The days an insight covers: `from` to `to`, both inclusive.

use chrono::{Datelike, Days, Months, NaiveDate};
use tally_shared::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

impl Period {
    /// Days in the net-worth history when no `from` is given: 90 points ending at `to`.
    const HISTORY_DEFAULT_DAYS: u64 = 90;
    /// The longest history: five years, so a series stays a few thousand points.
    const HISTORY_MAX_MONTHS: u32 = 60;

    /// The net-worth history's period: by default the 90 days ending today; at most five years.
    pub fn for_history(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| {
            to.checked_sub_days(Days::new(Self::HISTORY_DEFAULT_DAYS - 1))
                .unwrap_or(NaiveDate::MIN)
        });
        let period = Self::checked(from, to)?;
        let longest = from.checked_add_months(Months::new(Self::HISTORY_MAX_MONTHS));
        if longest.is_some_and(|last| to > last) {
            return Err(field(
                "to",
                "A history covers at most 5 years; choose a later start or an earlier end."
                    .to_owned(),
            ));
        }
        Ok(period)
    }

    /// The spending period: by default the current calendar month up to today (or the month of
    /// `to` when only `to` is given).
    pub fn for_spending(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, FieldError> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| to.with_day(1).unwrap_or(to));
        Self::checked(from, to)
    }

    fn checked(from: NaiveDate, to: NaiveDate) -> Result<Self, FieldError> {
        for (name, date) in [("from", from), ("to", to)] {
            if !(1900..=9999).contains(&date.year()) {
                return Err(field(
                    name,
                    "Dates are between the years 1900 and 9999.".to_owned(),
                ));
            }
        }
        if from > to {
            return Err(field(
                "from",
                format!("The start date must be on or before the end date ({to})."),
            ));
        }
        Ok(Self { from, to })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }
}

/// A period cut where months begin: the days before its first whole month (`from` to
/// `head_end`), its whole months (`first_month` to `last_month`, each by its first day) and the
/// days after them (`tail_start` to `to`). Empty parts have their start after their end. Spending
/// is summed ahead per month and per day (`spending_rollup`), so any period reads its whole
/// months a row each and at most two partial months day by day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthCut {
    pub first_month: NaiveDate,
    pub last_month: NaiveDate,
    pub head_end: NaiveDate,
    pub tail_start: NaiveDate,
}

impl MonthCut {
    pub fn of(from: NaiveDate, to: NaiveDate) -> Self {
        let month_of = |date: NaiveDate| date.with_day(1).unwrap_or(date);
        let next_month = |date: NaiveDate| {
            month_of(date)
                .checked_add_months(Months::new(1))
                .unwrap_or(NaiveDate::MAX)
        };
        let first_month = if from.day() == 1 {
            from
        } else {
            next_month(from)
        };
        // The month `to` ends, or the one before it.
        let after_to = to.succ_opt().unwrap_or(NaiveDate::MAX);
        let last_month = month_of(after_to)
            .checked_sub_months(Months::new(1))
            .unwrap_or(NaiveDate::MIN);
        Self {
            first_month,
            last_month,
            head_end: first_month.pred_opt().unwrap_or(NaiveDate::MIN).min(to),
            tail_start: month_of(after_to).max(first_month),
        }
    }
}

fn field(name: &str, message: String) -> FieldError {
    FieldError {
        field: name.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn history_defaults_to_90_days_ending_today_and_caps_at_5_years() {
        let today = day("2026-11-25");
        let p = Period::for_history(None, None, today).unwrap();
        assert_eq!((p.from(), p.to()), (day("2026-08-28"), today));
        assert_eq!((p.to() - p.from()).num_days() + 1, 90);

        let longest = Period::for_history(Some(day("2020-02-29")), Some(day("2025-02-28")), today);
        assert!(longest.is_ok());
        let too_long = Period::for_history(Some(day("2020-02-29")), Some(day("2025-03-01")), today);
        assert_eq!(too_long.unwrap_err().field, "to");
        let backwards =
            Period::for_history(Some(day("2026-01-02")), Some(day("2026-01-01")), today);
        assert_eq!(backwards.unwrap_err().field, "from");
        assert!(Period::for_history(Some(day("1850-01-01")), None, today).is_err());
    }

    #[test]
    fn spending_defaults_to_this_month_so_far() {
        let today = day("2026-11-25");
        let p = Period::for_spending(None, None, today).unwrap();
        assert_eq!((p.from(), p.to()), (day("2026-11-01"), today));
        let march = Period::for_spending(None, Some(day("2026-03-10")), today).unwrap();
        assert_eq!(march.from(), day("2026-03-01"));
        let single = Period::for_spending(Some(today), Some(today), today).unwrap();
        assert_eq!(single.from(), single.to());
        assert!(Period::for_spending(Some(day("2026-12-01")), None, today).is_err());
        // No cap on spending: a decade is a fair question.
        assert!(Period::for_spending(Some(day("2010-01-01")), None, today).is_ok());
    }

    /// Every day of every period over a year end, a leap February and whole months is in
    /// exactly one part of its cut, and the whole months are whole.
    #[test]
    fn a_month_cut_covers_each_day_once() {
        let start = day("2027-11-20");
        let days: Vec<NaiveDate> = (0..130).map(|n| start + Days::new(n)).collect();
        let in_range = |d: NaiveDate, a: NaiveDate, b: NaiveDate| a <= d && d <= b;
        for (i, &from) in days.iter().enumerate() {
            for &to in &days[i..] {
                let cut = MonthCut::of(from, to);
                for &d in &days {
                    let month = d.with_day(1).unwrap();
                    let parts = [
                        in_range(d, from, cut.head_end),
                        in_range(month, cut.first_month, cut.last_month),
                        in_range(d, cut.tail_start, to),
                    ];
                    let expected = usize::from(in_range(d, from, to));
                    assert_eq!(
                        parts.iter().filter(|p| **p).count(),
                        expected,
                        "{d} in {from}..{to}: {cut:?}"
                    );
                }
            }
        }
        let whole = MonthCut::of(day("2028-01-01"), day("2028-02-29"));
        assert_eq!(
            (whole.first_month, whole.last_month),
            (day("2028-01-01"), day("2028-02-01"))
        );
        assert!(whole.head_end < day("2028-01-01") && whole.tail_start > day("2028-02-29"));
    }
}
