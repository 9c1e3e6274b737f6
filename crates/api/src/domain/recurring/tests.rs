use super::*;
use chrono::Weekday;
use uuid::Uuid;

fn dec(amount: &str) -> Decimal {
    amount.parse().unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn account(n: u128) -> AccountId {
    AccountId(Uuid::from_u128(n))
}

/// A charge (positive) or a deposit (negative) on `account`.
fn occurrence(account_id: AccountId, on: NaiveDate, amount: Decimal, label: &str) -> Occurrence {
    Occurrence {
        transaction_id: TransactionId(Uuid::new_v4()),
        account_id,
        date: on,
        amount,
        currency: "USD".to_owned(),
        merchant_name: None,
        name: label.to_owned(),
    }
}

/// A weekend moves a payment to the Monday after.
fn next_business_day(on: NaiveDate) -> NaiveDate {
    match on.weekday() {
        Weekday::Sat => on + chrono::Days::new(2),
        Weekday::Sun => on + chrono::Days::new(1),
        _ => on,
    }
}

/// A small deterministic pseudo-random sequence, so the noise is the same on every run.
struct Noise(u64);

impl Noise {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

fn only(found: &[Detected]) -> &Detected {
    assert_eq!(found.len(), 1, "{found:#?}");
    &found[0]
}

#[test]
fn a_monthly_subscription_with_a_price_rise_is_one_mature_stream() {
    let checking = account(1);
    let mut history: Vec<Occurrence> = (1..=7)
        .map(|month| {
            let amount = if month <= 5 {
                dec("15.49")
            } else {
                dec("17.99")
            };
            let mut charge = occurrence(
                checking,
                date(2026, month, 15),
                amount,
                &format!("NETFLIX.COM {month}0{month}7"),
            );
            charge.merchant_name = (month % 2 == 0).then(|| "Netflix".to_owned());
            charge
        })
        .collect();
    history.reverse();
    let found = detect(&history, date(2026, 7, 20));
    let stream = only(&found);
    assert_eq!(stream.frequency, Frequency::Monthly);
    assert_eq!(stream.direction, Direction::Outflow);
    assert_eq!(stream.status, StreamStatus::Mature);
    assert!(stream.is_active);
    assert_eq!(stream.last_amount, dec("17.99"));
    assert_eq!(stream.previous_amount, Some(dec("17.99")));
    // (5 × 15.49 + 2 × 17.99) / 7 = 113.43 / 7 = 16.2043…
    assert_eq!(stream.average_amount, dec("16.20"));
    assert_eq!(stream.first_date, date(2026, 1, 15));
    assert_eq!(stream.last_date, date(2026, 7, 15));
    assert_eq!(stream.next_date, Some(date(2026, 8, 15)));
    assert_eq!(stream.merchant_name.as_deref(), Some("Netflix"));
    assert_eq!(stream.description, "NETFLIX.COM 7077");
    assert_eq!(stream.transaction_ids.len(), 7);
    assert_eq!(
        stream.transaction_ids.first(),
        history.last().map(|o| &o.transaction_id)
    );
}

#[test]
fn the_key_stays_the_same_as_a_stream_grows_and_its_price_changes() {
    let checking = account(1);
    let history: Vec<Occurrence> = (1..=8)
        .map(|month| {
            let amount = if month <= 6 {
                dec("10.99")
            } else {
                dec("12.99")
            };
            occurrence(checking, date(2026, month, 3), amount, "SPOTIFY USA")
        })
        .collect();
    let early = detect(&history[..3], date(2026, 3, 10));
    let later = detect(&history, date(2026, 8, 10));
    assert_eq!(only(&early).status, StreamStatus::EarlyDetection);
    assert_eq!(only(&early).key, only(&later).key);
    assert_eq!(only(&later).previous_amount, Some(dec("12.99")));
    assert_eq!(history[5].amount, dec("10.99"));
}

#[test]
fn rent_moved_off_weekends_is_monthly_and_due_on_its_usual_day() {
    let checking = account(1);
    let history: Vec<Occurrence> = (1..=10)
        .map(|month| {
            occurrence(
                checking,
                next_business_day(date(2026, month, 1)),
                dec("1850"),
                "Rent",
            )
        })
        .collect();
    // 2026-08-01 is a Saturday: paid on the 3rd.
    assert_eq!(history[7].date, date(2026, 8, 3));
    let stream = only(&detect(&history, date(2026, 10, 5))).clone();
    assert_eq!(stream.frequency, Frequency::Monthly);
    assert_eq!(stream.last_date, date(2026, 10, 1));
    assert_eq!(stream.next_date, Some(date(2026, 11, 1)));
}

#[test]
fn a_bill_on_the_31st_is_due_on_the_last_day_of_short_months() {
    let checking = account(1);
    let history: Vec<Occurrence> = [date(2026, 1, 31), date(2026, 3, 2), date(2026, 3, 31)]
        .into_iter()
        .map(|on| occurrence(checking, on, dec("60"), "City Water"))
        .collect();
    let stream = only(&detect(&history, date(2026, 4, 1))).clone();
    assert_eq!(stream.frequency, Frequency::Monthly);
    assert_eq!(stream.next_date, Some(date(2026, 4, 30)));
}

#[test]
fn a_utility_bill_that_varies_with_the_seasons_stays_one_stream() {
    let checking = account(1);
    let amounts = [
        dec("92.10"),
        dec("81.40"),
        dec("70.05"),
        dec("64.90"),
        dec("88.30"),
        dec("118.75"),
        dec("121.00"),
    ];
    let history: Vec<Occurrence> = amounts
        .iter()
        .zip(1..)
        .map(|(amount, month)| {
            occurrence(
                checking,
                date(2026, month, 20),
                *amount,
                &format!("PG&E WEB ONLINE {month:02}/20"),
            )
        })
        .collect();
    let stream = only(&detect(&history, date(2026, 7, 25))).clone();
    assert_eq!(stream.frequency, Frequency::Monthly);
    assert_eq!(stream.transaction_ids.len(), 7);
}

#[test]
fn weekly_biweekly_semi_monthly_and_annual_streams_are_told_apart() {
    let checking = account(1);
    let start = date(2026, 1, 2); // a Friday
    let mut history = Vec::new();
    for week in 0..20u64 {
        history.push(occurrence(
            checking,
            start + chrono::Days::new(7 * week + 1),
            dec("25"),
            "Dog Walker",
        ));
    }
    for fortnight in 0..10u64 {
        history.push(occurrence(
            checking,
            start + chrono::Days::new(14 * fortnight),
            dec("-2150.00"),
            "ACME CORP PAYROLL PPD ID: 99",
        ));
    }
    // Paid on the 1st and the 15th, or the Friday before when that is a weekend.
    for month in 1..=5 {
        for day in [1, 15] {
            let due = date(2026, month, day);
            let paid = match due.weekday() {
                Weekday::Sat => due - chrono::Days::new(1),
                Weekday::Sun => due - chrono::Days::new(2),
                _ => due,
            };
            history.push(occurrence(checking, paid, dec("-900"), "Side Job Payroll"));
        }
    }
    for year in 2023..=2026 {
        history.push(occurrence(
            checking,
            date(year, 2, 10),
            dec("139"),
            "Amazon Prime Annual",
        ));
    }
    let found = detect(&history, date(2026, 5, 20));
    let frequency_of = |label: &str| {
        let stream = found
            .iter()
            .find(|stream| stream.description.contains(label))
            .unwrap_or_else(|| panic!("no stream for {label}: {found:#?}"));
        (stream.frequency, stream.direction, stream.next_date)
    };
    assert_eq!(found.len(), 4, "{found:#?}");
    assert_eq!(
        frequency_of("Dog Walker"),
        (
            Frequency::Weekly,
            Direction::Outflow,
            Some(date(2026, 5, 23))
        )
    );
    assert_eq!(
        frequency_of("ACME"),
        (
            Frequency::Biweekly,
            Direction::Inflow,
            Some(date(2026, 5, 22))
        )
    );
    // The last was 2026-05-15 (a Friday), the one before 2026-05-01.
    assert_eq!(
        frequency_of("Side Job"),
        (
            Frequency::SemiMonthly,
            Direction::Inflow,
            Some(date(2026, 6, 1))
        )
    );
    assert_eq!(
        frequency_of("Amazon Prime"),
        (
            Frequency::Annually,
            Direction::Outflow,
            Some(date(2027, 2, 10))
        )
    );
}

#[test]
fn coffee_bought_at_random_is_not_a_stream() {
    let checking = account(1);
    let mut noise = Noise(7);
    let mut on = date(2026, 1, 1);
    let mut history = Vec::new();
    for _ in 0..120 {
        on = on + chrono::Days::new(1 + noise.below(6));
        let cents = 350 + noise.below(300);
        history.push(occurrence(
            checking,
            on,
            Decimal::new(i64::try_from(cents).unwrap(), 2),
            &format!("STARBUCKS STORE {}", noise.below(9000)),
        ));
    }
    // A few purchases at random amounts from a shop are not one either.
    for (month, day, amount) in [
        (1, 4, dec("54.20")),
        (2, 19, dec("12.99")),
        (4, 2, dec("230")),
    ] {
        history.push(occurrence(
            checking,
            date(2026, month, day),
            amount,
            "BEST BUY",
        ));
    }
    assert!(detect(&history, date(2026, 6, 1)).is_empty());
}

#[test]
fn a_membership_among_a_shops_purchases_is_found_by_its_amount() {
    let checking = account(1);
    let mut noise = Noise(11);
    let mut history: Vec<Occurrence> = (1..=6)
        .map(|month| {
            occurrence(
                checking,
                date(2026, month, 9),
                dec("14.99"),
                "AMAZON MKTPLACE",
            )
        })
        .collect();
    for _ in 0..30 {
        let cents = 2_000 + noise.below(15_000);
        let on = date(2026, 1, 1) + chrono::Days::new(noise.below(170));
        history.push(occurrence(
            checking,
            on,
            Decimal::new(i64::try_from(cents).unwrap(), 2),
            "AMAZON MKTPLACE",
        ));
    }
    let found = detect(&history, date(2026, 6, 20));
    let stream = only(&found);
    assert_eq!(stream.frequency, Frequency::Monthly);
    assert_eq!(stream.average_amount, dec("14.99"));
    assert_eq!(stream.transaction_ids.len(), 6);
}

#[test]
fn a_stream_that_stopped_is_tombstoned_and_predicts_nothing() {
    let checking = account(1);
    let history: Vec<Occurrence> = (1..=6)
        .map(|month| occurrence(checking, date(2025, month, 5), dec("9.99"), "Hulu"))
        .collect();
    // Due 2025-07-05; a month and the grace later it is over.
    let still = detect(&history, date(2025, 8, 11));
    assert!(only(&still).is_active);
    let stopped = detect(&history, date(2025, 8, 13));
    let stream = only(&stopped);
    assert_eq!(stream.status, StreamStatus::Tombstoned);
    assert!(!stream.is_active);
    assert_eq!(stream.next_date, None);
}

#[test]
fn two_charges_or_another_account_do_not_make_a_stream() {
    let history = vec![
        occurrence(account(1), date(2026, 1, 5), dec("9.99"), "Hulu"),
        occurrence(account(1), date(2026, 2, 5), dec("9.99"), "Hulu"),
        occurrence(account(2), date(2026, 3, 5), dec("9.99"), "Hulu"),
    ];
    assert!(detect(&history, date(2026, 3, 10)).is_empty());
}

#[test]
fn names_lose_their_numbers_case_and_punctuation() {
    assert_eq!(normalise("NETFLIX.COM 866-579-7172 CA"), "netflix ca");
    assert_eq!(normalise("Netflix.com"), "netflix");
    assert_eq!(normalise("POS DEBIT Spotify P0A1B2C3"), "spotify");
    assert_eq!(normalise("#4411 9/14"), "");
}
