//! Net worth history read from the days each sync sums (`net_worth_day`) equals the history
//! computed from every account's balances day by day, here in the test: across two banks, past
//! recorded days, manual assets in two currencies, a bank whose balances changed without a sync
//! (read from its balances), a bank last summed days ago (its last day carried forward), periods
//! that cut the history anywhere, and a bank removed.

use crate::banking_support::{announce_updates, plaid_item_id};
use crate::helpers::{spawn_app, TestApp};
use crate::insights_fixtures::insert_manual_asset;
use crate::net_worth_reconstruction::link_custom;
use chrono::{Days, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Client, StatusCode};
use rust_decimal::Decimal;
use sqlx::PgPool;
use std::collections::BTreeMap;
use tally_shared::api::insights::{NetWorthHistory, NetWorthPoint};
use tally_shared::api::items::Item;
use uuid::Uuid;

/// A second bank: savings, a card and a car loan, with 60 days of history.
const SECOND_BANK: &str = r#"{"history_days": 60, "seed": 27, "transactions": 250,
    "accounts": [{"type": "depository", "subtype": "savings", "name": "Rainy day",
                  "balance": "15300.10"},
                 {"type": "credit", "subtype": "credit card", "name": "Travel card",
                  "balance": "1210.45", "limit": "8000"},
                 {"type": "loan", "subtype": "auto", "name": "Car loan",
                  "balance": "18250.00"}]}"#;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn days_ago(days: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(days)).unwrap()
}

/// One account's balances by day: (balance, its currency, reconstructed).
type Balances = BTreeMap<NaiveDate, (Decimal, Option<String>, bool)>;

struct Account {
    liability: bool,
    currency: Option<String>,
    balances: Balances,
}

/// The person's net worth per currency and day, computed from every balance row: each account
/// counts its balance of the day (a recorded one over a reconstructed one), else its last
/// earlier one; each manual asset counts from the day it was created.
async fn expected(
    db: &PgPool,
    user_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<String, Vec<NetWorthPoint>> {
    let mut accounts: BTreeMap<Uuid, Account> = BTreeMap::new();
    let rows: Vec<(Uuid, String, Option<String>)> = sqlx::query_as(
        "select account_id, type, coalesce(iso_currency_code, unofficial_currency_code)
         from account where user_id = $1",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
    .unwrap();
    for (account_id, account_type, currency) in rows {
        let liability = account_type == "credit" || account_type == "loan";
        let balances = Balances::new();
        accounts.insert(
            account_id,
            Account {
                liability,
                currency,
                balances,
            },
        );
    }
    // Reconstructed first, so that a recorded balance of the same day replaces it.
    let balances: Vec<(Uuid, NaiveDate, Decimal, Option<String>, bool)> = sqlx::query_as(
        "select account_id, balance_date, current_balance, currency, true
         from reconstructed_balance where user_id = $1
         union all
         select account_id, snapshot_date, current_balance, currency, false
         from balance_snapshot where user_id = $1
         order by 5 desc",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
    .unwrap();
    for (account_id, day, balance, currency, reconstructed) in balances {
        let account = accounts.get_mut(&account_id).unwrap();
        account
            .balances
            .insert(day, (balance, currency, reconstructed));
    }
    let manual: Vec<(Decimal, String, NaiveDate)> = sqlx::query_as(
        "select value, currency, (created_at at time zone 'UTC')::date
         from manual_asset where user_id = $1",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
    .unwrap();

    let mut series: BTreeMap<String, Vec<NetWorthPoint>> = BTreeMap::new();
    let mut day = from;
    while day <= to {
        // currency -> (assets, liabilities, reconstructed)
        let mut totals: BTreeMap<String, (Decimal, Decimal, bool)> = BTreeMap::new();
        for account in accounts.values() {
            let Some((_, (balance, currency, reconstructed))) =
                account.balances.range(..=day).next_back()
            else {
                continue;
            };
            let Some(currency) = currency.clone().or_else(|| account.currency.clone()) else {
                continue;
            };
            let total = totals.entry(currency).or_default();
            if account.liability {
                total.1 += balance;
            } else {
                total.0 += balance;
            }
            total.2 |= reconstructed;
        }
        for (value, currency, created) in &manual {
            if *created <= day {
                totals.entry(currency.clone()).or_default().0 += value;
            }
        }
        for (currency, (assets, liabilities, reconstructed)) in totals {
            series.entry(currency).or_default().push(NetWorthPoint {
                date: day,
                assets,
                liabilities,
                net: assets - liabilities,
                reconstructed,
            });
        }
        day = day.succ_opt().unwrap();
    }
    series
}

/// The history the API answers for the period, per currency.
async fn answered(
    app: &TestApp,
    client: &Client,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<String, Vec<NetWorthPoint>> {
    let history: NetWorthHistory = app
        .get_json(
            client,
            &format!("/api/insights/net-worth/history?from={from}&to={to}"),
        )
        .await;
    history
        .series
        .into_iter()
        .map(|series| (series.currency, series.points))
        .collect()
}

/// Compares the API's history with the row-by-row one over several periods, some random.
async fn assert_history_adds_up(app: &TestApp, client: &Client, user_id: Uuid, rng: &mut StdRng) {
    let mut periods = vec![
        (days_ago(400), today()),
        (days_ago(45), days_ago(20)),
        (days_ago(3), today()),
        (today(), today()),
        (days_ago(800), days_ago(500)),
    ];
    for _ in 0..4 {
        let from = days_ago(rng.random_range(0..120));
        let to = from
            .checked_add_days(Days::new(rng.random_range(0..60)))
            .unwrap()
            .min(today());
        periods.push((from, to));
    }
    for (from, to) in periods {
        assert_eq!(
            answered(app, client, from, to).await,
            expected(&app.db, user_id, from, to).await,
            "net worth history from {from} to {to}"
        );
    }
}

async fn stale_items(db: &PgPool, user_id: Uuid) -> Vec<Uuid> {
    sqlx::query_scalar(
        "select s.item_id from net_worth_stale s join plaid_item i using (item_id)
         where i.user_id = $1 order by 1",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
    .unwrap()
}

/// Records balances on past days for the item's accounts, as daily syncs would have, then has
/// the bank announce new transactions so that a sync rebuilds and sums the item.
async fn record_past_days(app: &TestApp, client: &Client, item: &Item, rng: &mut StdRng) {
    let first: u64 = rng.random_range(15..40);
    for back in 1..=first {
        if rng.random_bool(0.4) {
            continue;
        }
        sqlx::query(
            "insert into balance_snapshot
                 (account_id, user_id, snapshot_date, current_balance, currency)
             select account_id, user_id, $2, current_balance + $3::numeric, currency
             from balance_snapshot
             where account_id in (select account_id from account where item_id = $1)
               and snapshot_date = $4",
        )
        .bind(item.id.0)
        .bind(days_ago(back))
        .bind(Decimal::new(rng.random_range(-500_000..500_000), 2))
        .bind(today())
        .execute(&app.db)
        .await
        .unwrap();
    }
    let plaid_item = plaid_item_id(&app.db, item).await;
    let synced = item.last_synced_at;
    announce_updates(app, &app.db, &plaid_item).await;
    app.wait_for_sync(client, item, synced).await;
}

#[sqlx::test]
async fn history_from_summed_days_equals_every_balance_day_by_day(db: PgPool) {
    let mut rng = StdRng::seed_from_u64(16);
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let first = link_custom(&app, &ana.client).await;
    let token = app
        .public_token_as("ins_109509", "user_custom", SECOND_BANK)
        .await;
    let second = crate::api_calls::decoded::<Item>(
        app.create_item(
            &ana.client,
            &crate::api_calls::create_item_request(&token, "ins_109509"),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let second = app.wait_for_sync(&ana.client, &second, None).await;
    record_past_days(&app, &ana.client, &first, &mut rng).await;
    let created = |days: u64| Utc.from_utc_datetime(&days_ago(days).and_hms_opt(12, 0, 0).unwrap());
    insert_manual_asset(
        &app.db,
        ana.user_id,
        "House",
        "385000.00",
        "USD",
        created(30),
    )
    .await;
    insert_manual_asset(
        &app.db,
        ana.user_id,
        "Flat in Lyon",
        "210000",
        "EUR",
        created(9),
    )
    .await;

    // Both banks summed by their syncs: read from the sums alone.
    assert!(stale_items(&app.db, ana.user_id).await.is_empty());
    assert_history_adds_up(&app, &ana.client, ana.user_id, &mut rng).await;

    // A balance written without a sync: that bank is read from its balances, the other from
    // its sums.
    sqlx::query(
        "update balance_snapshot set current_balance = current_balance + 999.99
         where snapshot_date = $2
           and account_id = (select account_id from account where item_id = $1 and type = 'loan')",
    )
    .bind(second.id.0)
    .bind(today())
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(stale_items(&app.db, ana.user_id).await, vec![second.id.0]);
    assert_history_adds_up(&app, &ana.client, ana.user_id, &mut rng).await;

    // The first bank as if its last sync was four days ago: its balances end then, and so do
    // its sums; the days since carry its last day.
    let last_sync = days_ago(4);
    sqlx::query(
        "with gone as (
             delete from balance_snapshot
             where account_id in (select account_id from account where item_id = $1)
               and snapshot_date > $2)
         delete from reconstructed_balance
         where account_id in (select account_id from account where item_id = $1)
           and balance_date > $2",
    )
    .bind(first.id.0)
    .bind(last_sync)
    .execute(&app.db)
    .await
    .unwrap();
    let mut conn = app.db.acquire().await.unwrap();
    tally::db::net_worth_history::sum_item(&mut conn, first.id, last_sync)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(stale_items(&app.db, ana.user_id).await, vec![second.id.0]);
    let carried = answered(&app, &ana.client, days_ago(10), today()).await;
    let usd = &carried["USD"];
    assert_eq!(usd.last().unwrap().date, today());
    assert_history_adds_up(&app, &ana.client, ana.user_id, &mut rng).await;

    // The second bank removed: its accounts, balances and sums go with it.
    let removed = app
        .delete(&ana.client, &format!("/api/items/{}", second.id))
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let left: i64 = sqlx::query_scalar("select count(*) from net_worth_day where item_id = $1")
        .bind(second.id.0)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_history_adds_up(&app, &ana.client, ana.user_id, &mut rng).await;
}
