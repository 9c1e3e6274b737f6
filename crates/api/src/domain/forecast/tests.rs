use super::*;
use tally_shared::ids::{AccountId, RecurringStreamId};
use uuid::Uuid;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn money(amount: &str) -> Decimal {
    amount.parse().unwrap()
}

fn stream(
    n: u128,
    direction: Direction,
    frequency: Frequency,
    amount: &str,
    next_date: NaiveDate,
) -> PredictedStream {
    PredictedStream {
        payment: UpcomingPayment {
            date: next_date,
            stream_id: RecurringStreamId(Uuid::from_u128(n)),
            account_id: AccountId(Uuid::from_u128(1)),
            name: format!("stream {n}"),
            direction,
            frequency,
            amount: money(amount),
            currency: "USD".to_owned(),
            overdue: false,
        },
        next_date,
        confirmed: true,
    }
}

fn dates(payments: &[UpcomingPayment], n: u128) -> Vec<(NaiveDate, bool)> {
    payments
        .iter()
        .filter(|p| p.stream_id.0 == Uuid::from_u128(n))
        .map(|p| (p.date, p.overdue))
        .collect()
}

#[test]
fn the_window_is_one_to_ninety_days_from_today() {
    let today = date(2026, 12, 7);
    let window = Window::parse(None, today).unwrap();
    assert_eq!((window.from(), window.to()), (today, date(2027, 1, 5)));
    assert_eq!(Window::parse(Some(1), today).unwrap().to(), today);
    assert_eq!(
        Window::parse(Some(90), today).unwrap().to(),
        date(2027, 3, 6)
    );
    for bad in [0, -3, 91] {
        assert_eq!(Window::parse(Some(bad), today).unwrap_err().field, "days");
    }
}

#[test]
fn streams_repeat_within_the_window_and_a_late_one_counts_once_today() {
    let today = date(2027, 1, 20);
    let window = Window::parse(Some(60), today).unwrap(); // to 2027-03-20
    let streams = [
        stream(
            1,
            Direction::Outflow,
            Frequency::Monthly,
            "60",
            date(2027, 1, 31),
        ),
        stream(
            2,
            Direction::Inflow,
            Frequency::Biweekly,
            "2000",
            date(2027, 1, 22),
        ),
        // Due on the 15th and not seen since: expected any day.
        stream(
            3,
            Direction::Outflow,
            Frequency::Monthly,
            "1850",
            date(2027, 1, 15),
        ),
        stream(
            4,
            Direction::Outflow,
            Frequency::Annually,
            "139",
            date(2027, 6, 1),
        ),
        stream(
            5,
            Direction::Inflow,
            Frequency::SemiMonthly,
            "900",
            date(2027, 2, 1),
        ),
    ];
    let payments = upcoming(&streams, window);
    assert_eq!(
        dates(&payments, 1),
        [(date(2027, 1, 31), false), (date(2027, 2, 28), false)]
    );
    assert_eq!(
        dates(&payments, 2),
        [
            (date(2027, 1, 22), false),
            (date(2027, 2, 5), false),
            (date(2027, 2, 19), false),
            (date(2027, 3, 5), false),
            (date(2027, 3, 19), false)
        ]
    );
    assert_eq!(
        dates(&payments, 3),
        [
            (today, true),
            (date(2027, 2, 15), false),
            (date(2027, 3, 15), false)
        ]
    );
    assert!(dates(&payments, 4).is_empty());
    assert_eq!(
        dates(&payments, 5),
        [
            (date(2027, 2, 1), false),
            (date(2027, 2, 16), false),
            (date(2027, 3, 1), false),
            (date(2027, 3, 16), false)
        ]
    );
    assert!(payments.windows(2).all(|pair| pair[0].date <= pair[1].date));
}

#[test]
fn the_balance_moves_by_each_days_payments_and_its_lowest_point_is_named() {
    let today = date(2027, 1, 1);
    let window = Window::parse(Some(5), today).unwrap();
    let streams = [
        stream(
            1,
            Direction::Outflow,
            Frequency::Monthly,
            "1850",
            date(2027, 1, 2),
        ),
        stream(
            2,
            Direction::Outflow,
            Frequency::Weekly,
            "25.50",
            date(2027, 1, 3),
        ),
        stream(
            3,
            Direction::Inflow,
            Frequency::Biweekly,
            "2000",
            date(2027, 1, 4),
        ),
    ];
    let payments = upcoming(&streams, window);
    let balances = [
        ("USD".to_owned(), money("1500.25")),
        ("USD".to_owned(), money("400")),
        ("EUR".to_owned(), money("80")),
    ];
    let forecast = cash_flow(&balances, &payments, window);
    assert_eq!(forecast.len(), 2);
    let euro = &forecast[0];
    assert_eq!(euro.currency, "EUR");
    assert!(euro.points.iter().all(|p| p.balance == money("80")));
    assert_eq!(
        (euro.lowest_balance, euro.lowest_date),
        (money("80"), today)
    );
    let usd = &forecast[1];
    assert_eq!(usd.starting_balance, money("1900.25"));
    let balances: Vec<Decimal> = usd.points.iter().map(|p| p.balance).collect();
    // 1900.25 → −1850 → −25.50 → +2000 → nothing.
    assert_eq!(
        balances,
        [
            money("1900.25"),
            money("50.25"),
            money("24.75"),
            money("2024.75"),
            money("2024.75")
        ]
    );
    assert_eq!(usd.points[2].outflow, money("25.50"));
    assert_eq!(usd.points[3].inflow, money("2000"));
    assert_eq!(
        (usd.lowest_balance, usd.lowest_date),
        (money("24.75"), date(2027, 1, 3))
    );
}
