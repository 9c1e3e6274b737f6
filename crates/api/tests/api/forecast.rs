//! `/api/insights/upcoming` and `/api/insights/cash-flow`: the payments streams predict and the
//! balance they leave, against a hand computation from the stored streams and accounts, row by
//! row (never the server's own query).

use crate::api_calls::{assert_unauthorized, decoded};
use crate::helpers::{spawn_app, TestApp};
use crate::insights_fixtures::{dec, insert_account, insert_item, AccountSpec};
use chrono::{Days, Months, NaiveDate, Utc};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use sqlx::{PgPool, Row};
use std::collections::BTreeMap;
use tally::db::recurring::{occurrences, store, FoundStream};
use tally::domain::recurring::detect;
use tally_shared::api::insights::{CashFlow, Upcoming};
use tally_shared::api::recurring::{StreamSource, StreamStatus};
use tally_shared::ids::{ItemId, UserId};
use tally_shared::{ApiError, ErrorCode};
use uuid::Uuid;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn ahead(days: u64) -> NaiveDate {
    today() + Days::new(days)
}

/// A stream as the refresh stores it, with the person's decision already taken.
pub(crate) struct StreamSpec<'a> {
    direction: &'a str,
    frequency: &'a str,
    last_amount: &'a str,
    currency: &'a str,
    next_date: Option<NaiveDate>,
    status: &'a str,
    is_active: bool,
    pub(crate) state: &'a str,
    name: &'a str,
}

impl<'a> StreamSpec<'a> {
    pub(crate) fn mature(
        direction: &'a str,
        frequency: &'a str,
        amount: &'a str,
        next: NaiveDate,
    ) -> Self {
        Self {
            direction,
            frequency,
            last_amount: amount,
            currency: "USD",
            next_date: Some(next),
            status: "mature",
            is_active: true,
            state: "suggested",
            name: "",
        }
    }
}

pub(crate) async fn insert_stream(
    db: &PgPool,
    user: Uuid,
    item: Uuid,
    account: Uuid,
    spec: StreamSpec<'_>,
) {
    sqlx::query(
        "insert into recurring_stream
             (user_id, item_id, account_id, source, stream_key, direction, description,
              frequency, average_amount, last_amount, currency, first_date, last_date, next_date,
              status, is_active, state)
         values ($1, $2, $3, 'plaid', gen_random_uuid()::text, $4, $5, $6, $7::numeric,
                 $7::numeric, $8, current_date - 400, current_date - 10, $9, $10, $11, $12)",
    )
    .bind(user)
    .bind(item)
    .bind(account)
    .bind(spec.direction)
    .bind(spec.name)
    .bind(spec.frequency)
    .bind(spec.last_amount)
    .bind(spec.currency)
    .bind(spec.next_date)
    .bind(spec.status)
    .bind(spec.is_active)
    .bind(spec.state)
    .execute(db)
    .await
    .unwrap();
}

async fn forecast<T: serde::de::DeserializeOwned>(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
) -> T {
    decoded(
        client.get(app.url(path)).send().await.unwrap(),
        StatusCode::OK,
    )
    .await
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_forecast_adds_each_days_bills_and_income_to_the_depository_balance(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    let item = insert_item(&db, ana.user_id, "ins_1").await;
    let checking = AccountSpec::usd("depository", Some("checking"), "1500.25");
    let checking = insert_account(&db, ana.user_id, item, checking).await;
    let savings = AccountSpec::usd("depository", Some("savings"), "400");
    insert_account(&db, ana.user_id, item, savings).await;
    // What is owed on a card is no cash to spend.
    let card = AccountSpec::usd("credit", Some("credit card"), "900");
    let card = insert_account(&db, ana.user_id, item, card).await;
    let euro = AccountSpec::iso("EUR", "depository", Some("checking"), "80");
    let euro = insert_account(&db, ana.user_id, item, euro).await;
    let insert = |account, spec| insert_stream(&db, ana.user_id, item, account, spec);

    insert(
        checking,
        StreamSpec {
            name: "Rent",
            ..StreamSpec::mature("outflow", "monthly", "1850", ahead(3))
        },
    )
    .await;
    insert(
        checking,
        StreamSpec {
            name: "Payroll",
            ..StreamSpec::mature("inflow", "biweekly", "2000", ahead(5))
        },
    )
    .await;
    // On the card, but money that will leave all the same.
    insert(
        card,
        StreamSpec {
            name: "Dog Walker",
            ..StreamSpec::mature("outflow", "weekly", "25.50", today())
        },
    )
    .await;
    // Confirmed while Plaid is still unsure: counted.
    insert(
        checking,
        StreamSpec {
            name: "Gym",
            status: "early_detection",
            state: "confirmed",
            ..StreamSpec::mature("outflow", "monthly", "40", ahead(10))
        },
    )
    .await;
    insert(
        euro,
        StreamSpec {
            name: "Streaming",
            currency: "EUR",
            ..StreamSpec::mature("outflow", "monthly", "9.99", ahead(1))
        },
    )
    .await;
    // Not counted: dismissed, only suggested and unsure, no longer active.
    insert(
        checking,
        StreamSpec {
            name: "Dismissed",
            state: "dismissed",
            ..StreamSpec::mature("outflow", "weekly", "500", today())
        },
    )
    .await;
    insert(
        checking,
        StreamSpec {
            name: "Unsure",
            status: "early_detection",
            ..StreamSpec::mature("outflow", "weekly", "300", today())
        },
    )
    .await;
    insert(
        checking,
        StreamSpec {
            name: "Ended",
            status: "tombstoned",
            is_active: false,
            next_date: None,
            ..StreamSpec::mature("outflow", "monthly", "70", today())
        },
    )
    .await;
    // Bob's streams and balances are Bob's.
    let bobs_item = insert_item(&db, bob.user_id, "ins_1").await;
    let bobs = AccountSpec::usd("depository", Some("checking"), "10");
    let bobs = insert_account(&db, bob.user_id, bobs_item, bobs).await;
    insert_stream(
        &db,
        bob.user_id,
        bobs_item,
        bobs,
        StreamSpec::mature("outflow", "weekly", "1", today()),
    )
    .await;

    let upcoming: Upcoming = forecast(&app, &ana.client, "/api/insights/upcoming").await;
    assert_eq!((upcoming.from, upcoming.to), (today(), ahead(29)));
    let listed: Vec<(NaiveDate, &str, Decimal)> = upcoming
        .payments
        .iter()
        .map(|p| (p.date, p.name.as_str(), p.amount))
        .collect();
    let mut expected = vec![
        (ahead(3), "Rent", dec("1850")),
        (ahead(5), "Payroll", dec("2000")),
        (ahead(19), "Payroll", dec("2000")),
        (ahead(10), "Gym", dec("40")),
        (ahead(1), "Streaming", dec("9.99")),
    ];
    for week in 0..5 {
        expected.push((ahead(7 * week), "Dog Walker", dec("25.50")));
    }
    // A month on from the rent or the gym is past the 30 days.
    assert!(ahead(3).checked_add_months(Months::new(1)).unwrap() > ahead(29));
    expected.sort_by_key(|(date, name, _)| (*date, *name == "Payroll", *name));
    assert_eq!(listed, expected);

    let cash_flow: CashFlow = forecast(&app, &ana.client, "/api/insights/cash-flow?days=30").await;
    assert_eq!(cash_flow.currencies.len(), 2);
    let eur = &cash_flow.currencies[0];
    assert_eq!(
        (eur.currency.as_str(), eur.starting_balance),
        ("EUR", dec("80"))
    );
    assert_eq!(
        (eur.lowest_balance, eur.lowest_date),
        (dec("70.01"), ahead(1))
    );
    let usd = &cash_flow.currencies[1];
    assert_eq!(usd.starting_balance, dec("1900.25"));
    // By hand: 1900.25 − 25.50 (day 0) = 1874.75; − 1850 (day 3) = 24.75; + 2000 (day 5) =
    // 2024.75; − 25.50 (day 7) = 1999.25; − 40 (day 10) = 1959.25; − 25.50 (day 14) = 1933.75;
    // + 2000 (day 19) = 3933.75; − 25.50 (day 21) = 3908.25; − 25.50 (day 28) = 3882.75.
    let by_hand = [
        (0, "1874.75"),
        (3, "24.75"),
        (5, "2024.75"),
        (7, "1999.25"),
        (10, "1959.25"),
        (14, "1933.75"),
        (19, "3933.75"),
        (21, "3908.25"),
        (28, "3882.75"),
    ];
    assert_eq!(usd.points.len(), 30);
    let mut balance = dec("1900.25");
    for (day, point) in usd.points.iter().enumerate() {
        if let Some((_, after)) = by_hand.iter().find(|(d, _)| *d == day) {
            balance = dec(after);
        }
        assert_eq!(
            (point.date, point.balance),
            (ahead(u64::try_from(day).unwrap()), balance),
            "day {day}"
        );
    }
    assert_eq!(
        (usd.lowest_balance, usd.lowest_date),
        (dec("24.75"), ahead(3))
    );
    assert_eq!(usd.points[5].inflow, dec("2000"));
    assert_eq!(usd.points[3].outflow, dec("1850"));

    let bobs: CashFlow = forecast(&app, &bob.client, "/api/insights/cash-flow?days=1").await;
    assert_eq!(bobs.currencies.len(), 1);
    assert_eq!(bobs.currencies[0].points.len(), 1);
    assert_eq!(bobs.currencies[0].lowest_balance, dec("9"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_bad_number_of_days_is_a_bad_request(db: PgPool) {
    let app = spawn_app(db).await;
    for path in ["/api/insights/upcoming", "/api/insights/cash-flow"] {
        assert_unauthorized(app.get(path).await).await;
    }
    let client = app.sign_up("ana").await.client;
    for path in ["/api/insights/upcoming", "/api/insights/cash-flow"] {
        for days in ["0", "91", "-1", "thirty", "1.5"] {
            let response = client
                .get(app.url(&format!("{path}?days={days}")))
                .send()
                .await
                .unwrap();
            let error: ApiError = decoded(response, StatusCode::BAD_REQUEST).await;
            assert_eq!(error.code, ErrorCode::BadRequest, "{path}?days={days}");
        }
        for days in ["1", "90"] {
            let response = client
                .get(app.url(&format!("{path}?days={days}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}?days={days}");
        }
    }
}

/// One stored stream, as the hand computation reads it.
struct Stored {
    id: Uuid,
    direction: String,
    frequency: String,
    amount: Decimal,
    currency: String,
    next_date: NaiveDate,
}

/// The streams that count, read row by row and filtered here.
async fn counted_streams(db: &PgPool, user: Uuid) -> Vec<Stored> {
    let rows = sqlx::query("select * from recurring_stream where user_id = $1")
        .bind(user)
        .fetch_all(db)
        .await
        .unwrap();
    // Transfers between the person's own accounts are left out, except a payment from a bank
    // account to a card or a loan, which leaves the bank balance.
    let paired = sqlx::query(
        "select l.recurring_stream_id, mine.type as mine, theirs.type as theirs
         from recurring_stream_transaction l
              join bank_transaction b on b.transaction_id = l.transaction_id
              join account mine on mine.account_id = b.account_id
              join bank_transaction other on other.transaction_id = b.transfer_pair_id
              join account theirs on theirs.account_id = other.account_id",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let transfers: std::collections::HashSet<Uuid> = paired
        .iter()
        .filter(|row| {
            let (mine, theirs): (String, String) = (row.get("mine"), row.get("theirs"));
            !(mine == "depository" && theirs != "depository")
        })
        .map(|row| row.get("recurring_stream_id"))
        .collect();
    let mut counted = Vec::new();
    for row in rows {
        if transfers.contains(&row.get::<Uuid, _>("recurring_stream_id")) {
            continue;
        }
        let state: String = row.get("state");
        let status: String = row.get("status");
        let next: Option<NaiveDate> = row.get("next_date");
        let active: bool = row.get("is_active");
        let (Some(next_date), true) = (next, active) else {
            continue;
        };
        if state == "dismissed" || (state != "confirmed" && status != "mature") {
            continue;
        }
        counted.push(Stored {
            id: row.get("recurring_stream_id"),
            direction: row.get("direction"),
            frequency: row.get("frequency"),
            amount: row.get("last_amount"),
            currency: row.get("currency"),
            next_date,
        });
    }
    counted
}

/// The dates a stream falls on within `[today, last]`: one already past is due today.
fn dates_of(stream: &Stored, today: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    let mut dates = Vec::new();
    for step in 0u32..400 {
        let date = match stream.frequency.as_str() {
            "weekly" => stream.next_date + Days::new(7 * u64::from(step)),
            "biweekly" => stream.next_date + Days::new(14 * u64::from(step)),
            "semi_monthly" => {
                stream.next_date + Months::new(step / 2) + Days::new(u64::from(step % 2) * 15)
            }
            "monthly" => stream.next_date + Months::new(step),
            "annually" => stream.next_date + Months::new(12 * step),
            other => panic!("frequency {other}"),
        };
        if date > last {
            break;
        }
        if step == 0 && date < today {
            dates.push(today);
        } else if date >= today {
            dates.push(date);
        }
    }
    dates
}

/// Each currency's balance at the end of each day, by hand.
async fn cash_flow_by_hand(db: &PgPool, user: Uuid, days: u64) -> BTreeMap<String, Vec<Decimal>> {
    let today = today();
    let last = today + Days::new(days - 1);
    let mut start: BTreeMap<String, Decimal> = BTreeMap::new();
    let accounts = sqlx::query("select * from account where user_id = $1")
        .bind(user)
        .fetch_all(db)
        .await
        .unwrap();
    for account in accounts {
        let kind: String = account.get("type");
        let iso: Option<String> = account.get("iso_currency_code");
        let unofficial: Option<String> = account.get("unofficial_currency_code");
        let balance: Option<Decimal> = account.get("current_balance");
        if let (Some(currency), "depository") = (iso.or(unofficial), kind.as_str()) {
            *start.entry(currency).or_default() += balance.unwrap_or_default();
        }
    }
    let streams = counted_streams(db, user).await;
    for stream in &streams {
        start.entry(stream.currency.clone()).or_default();
    }
    start
        .into_iter()
        .map(|(currency, mut balance)| {
            let mut points = Vec::new();
            for day in 0..days {
                let date = today + Days::new(day);
                for stream in streams.iter().filter(|s| s.currency == currency) {
                    let times = dates_of(stream, today, last)
                        .iter()
                        .filter(|d| **d == date)
                        .count();
                    let signed = if stream.direction == "inflow" {
                        stream.amount
                    } else {
                        -stream.amount
                    };
                    balance += signed * Decimal::from(times);
                }
                points.push(balance);
            }
            (currency, points)
        })
        .collect()
}

/// Runs Tally's detector over the item's stored transactions (as for a bank that does not offer
/// Plaid's recurring product), stores what it finds, and returns the item's owner.
pub async fn store_detected_streams(db: &PgPool, item_id: ItemId) -> Uuid {
    let user: Uuid = sqlx::query_scalar("select user_id from plaid_item where item_id = $1")
        .bind(item_id.0)
        .fetch_one(db)
        .await
        .unwrap();
    let occurrences = occurrences(db, item_id).await.unwrap();
    let found: Vec<FoundStream> = detect(&occurrences, today())
        .into_iter()
        .map(FoundStream::from)
        .collect();
    let mature = found
        .iter()
        .filter(|s| s.status == StreamStatus::Mature && s.is_active)
        .count();
    assert!(
        mature >= 3,
        "the detector finds user_good's salary, rent and bills: {found:#?}"
    );
    let mut conn = db.acquire().await.unwrap();
    store(
        &mut conn,
        item_id,
        UserId(user),
        StreamSource::Local,
        &found,
    )
    .await
    .unwrap();
    user
}

/// Each payment the counted streams predict over `days` days, by hand, sorted.
async fn upcoming_by_hand(db: &PgPool, user: Uuid, days: u64) -> Vec<(NaiveDate, Uuid, Decimal)> {
    let mut by_hand: Vec<(NaiveDate, Uuid, Decimal)> = counted_streams(db, user)
        .await
        .iter()
        .flat_map(|s| {
            dates_of(s, today(), today() + Days::new(days - 1))
                .into_iter()
                .map(|date| (date, s.id, s.amount))
        })
        .collect();
    by_hand.sort();
    by_hand
}

/// The simulator's `user_good`, its streams found by Tally's detector (as for a bank that does
/// not offer Plaid's recurring product) and stored; one unsure stream confirmed, one sure one
/// dismissed.
#[sqlx::test(migrations = "../../migrations")]
async fn the_forecast_equals_a_hand_computation_on_the_simulators_data(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (client, item) = app.sign_up_with_bank("ana").await;
    let user = store_detected_streams(&db, item.id).await;
    sqlx::query(
        "update recurring_stream set state = 'confirmed'
         where recurring_stream_id = (select recurring_stream_id from recurring_stream
                                      where user_id = $1 and status = 'early_detection'
                                      order by stream_key limit 1)",
    )
    .bind(user)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query(
        "update recurring_stream set state = 'dismissed'
         where recurring_stream_id = (select recurring_stream_id from recurring_stream
                                      where user_id = $1 and status = 'mature' and is_active
                                      order by stream_key limit 1)",
    )
    .bind(user)
    .execute(&db)
    .await
    .unwrap();

    for days in [30u64, 90] {
        // A refresh may store streams between two reads: compare only when the hand computation
        // before and after the request agree.
        let mut compared = false;
        for _ in 0..20 {
            let before = cash_flow_by_hand(&db, user, days).await;
            let path = format!("/api/insights/cash-flow?days={days}");
            let answer: CashFlow = forecast(&app, &client, &path).await;
            let after = cash_flow_by_hand(&db, user, days).await;
            if before != after {
                continue;
            }
            let served: BTreeMap<String, Vec<Decimal>> = answer
                .currencies
                .iter()
                .map(|c| {
                    (
                        c.currency.clone(),
                        c.points.iter().map(|p| p.balance).collect(),
                    )
                })
                .collect();
            assert_eq!(served, before, "{days} days");
            for currency in &answer.currencies {
                let lowest = currency.points.iter().map(|p| p.balance).min().unwrap();
                let first_lowest = currency
                    .points
                    .iter()
                    .find(|p| p.balance == lowest)
                    .unwrap();
                assert_eq!(
                    (currency.lowest_balance, currency.lowest_date),
                    (lowest, first_lowest.date)
                );
            }
            let by_hand = upcoming_by_hand(&db, user, days).await;
            let upcoming: Upcoming = forecast(
                &app,
                &client,
                &format!("/api/insights/upcoming?days={days}"),
            )
            .await;
            if upcoming_by_hand(&db, user, days).await != by_hand {
                continue;
            }
            let mut listed: Vec<(NaiveDate, Uuid, Decimal)> = upcoming
                .payments
                .iter()
                .map(|p| (p.date, p.stream_id.0, p.amount))
                .collect();
            listed.sort();
            assert_eq!(listed, by_hand, "{days} days");
            assert!(!listed.is_empty());
            compared = true;
            break;
        }
        assert!(compared, "the streams never stood still");
    }
    let dismissed: Uuid = sqlx::query_scalar(
        "select recurring_stream_id from recurring_stream where user_id = $1 and state = 'dismissed'",
    )
    .bind(user)
    .fetch_one(&db)
    .await
    .unwrap();
    let upcoming: Upcoming = forecast(&app, &client, "/api/insights/upcoming?days=90").await;
    assert!(upcoming.payments.iter().all(|p| p.stream_id.0 != dismissed));
}
