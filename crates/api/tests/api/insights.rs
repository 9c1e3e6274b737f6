//! `/api/insights/*` against hand-computed fixtures: net worth now and over time here, spending
//! in `insights/spending.rs`. Currencies are never summed together.

mod effective_spending;
mod spending;
pub(crate) mod spending_randomized;

use crate::api_calls::{assert_unauthorized, decoded};
use crate::helpers::{spawn_app, TestApp};
use crate::insights_fixtures::{
    day, dec, insert_account, insert_item, insert_manual_asset, insert_snapshot, AccountSpec,
};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use sqlx::PgPool;
use tally_shared::api::insights::{
    AccountTypeTotal, BalanceSide, NetWorth, NetWorthHistory, NetWorthPoint,
};
use tally_shared::{ApiError, ErrorCode};

async fn refused(app: &TestApp, client: &reqwest::Client, path: &str) -> ApiError {
    let response = client.get(app.url(path)).send().await.unwrap();
    let error: ApiError = decoded(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error.code, ErrorCode::Validation);
    error
}

fn at(timestamp: &str) -> DateTime<Utc> {
    timestamp.parse().unwrap()
}

fn type_total(
    account_type: &str,
    subtype: Option<&str>,
    side: BalanceSide,
    accounts: i64,
    total: &str,
) -> AccountTypeTotal {
    AccountTypeTotal {
        account_type: account_type.to_owned(),
        subtype: subtype.map(str::to_owned),
        side,
        accounts,
        total: dec(total),
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn net_worth_counts_every_account_type_per_currency(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    let (user, us_bank, eu_bank) = (
        ana.user_id,
        insert_item(&db, ana.user_id, "ins_1").await,
        insert_item(&db, ana.user_id, "ins_2").await,
    );
    let usd = [
        AccountSpec::usd("depository", Some("checking"), "1200.50"),
        AccountSpec::usd("depository", Some("checking"), "300"),
        AccountSpec::usd("depository", Some("savings"), "5000"),
        AccountSpec::usd("credit", Some("credit card"), "350.25"),
        AccountSpec::usd("loan", Some("mortgage"), "200000"),
        AccountSpec::usd("loan", Some("student"), "15000.75"),
        AccountSpec::usd("investment", Some("401k"), "42000.10"),
        AccountSpec::usd("investment", Some("brokerage"), "8000"),
        AccountSpec::usd("brokerage", None, "100"),
        AccountSpec::usd("other", None, "300"),
        // A type Plaid might add one day: an asset, under its own name.
        AccountSpec::usd("crypto_wallet", None, "999.99"),
    ];
    for spec in usd {
        insert_account(&db, user, us_bank, spec).await;
    }
    for spec in [
        AccountSpec::iso("EUR", "depository", Some("checking"), "2500.00"),
        AccountSpec::iso("EUR", "credit", Some("credit card"), "120.00"),
        // Only an unofficial code: that is its currency.
        AccountSpec {
            currency: (None, Some("BTC")),
            ..AccountSpec::iso("", "other", None, "0.5")
        },
        // No currency at all: it cannot be added to anything, so it is left out.
        AccountSpec {
            currency: (None, None),
            ..AccountSpec::iso("", "depository", Some("checking"), "777")
        },
    ] {
        insert_account(&db, user, eu_bank, spec).await;
    }
    insert_manual_asset(&db, user, "House", "350000.00", "USD", Utc::now()).await;
    insert_manual_asset(&db, user, "Car", "8000", "EUR", Utc::now()).await;
    insert_manual_asset(&db, user, "Painting", "1200", "GBP", Utc::now()).await;
    // Someone else's money is not mine.
    let bobs_bank = insert_item(&db, bob.user_id, "ins_1").await;
    let spec = AccountSpec::usd("depository", Some("checking"), "999999");
    insert_account(&db, bob.user_id, bobs_bank, spec).await;
    insert_manual_asset(&db, bob.user_id, "Yacht", "5", "CHF", Utc::now()).await;

    let worth: NetWorth = app.get_json(&ana.client, "/api/insights/net-worth").await;

    let currencies: Vec<_> = worth
        .currencies
        .iter()
        .map(|c| c.currency.as_str())
        .collect();
    assert_eq!(currencies, ["BTC", "EUR", "GBP", "USD"]);
    let [btc, eur, gbp, usd] = &worth.currencies[..] else {
        panic!("four currencies expected")
    };

    // USD: accounts 57,900.59 held + 350,000 house; 215,351.00 owed.
    assert_eq!(usd.assets, dec("407900.59"));
    assert_eq!(usd.liabilities, dec("215351.00"));
    assert_eq!(usd.net, dec("192549.59"));
    assert_eq!(usd.manual_assets, dec("350000.00"));
    use BalanceSide::{Asset, Liability};
    assert_eq!(
        usd.by_type,
        vec![
            type_total("brokerage", None, Asset, 1, "100"),
            type_total("crypto_wallet", None, Asset, 1, "999.99"),
            type_total("depository", Some("checking"), Asset, 2, "1500.50"),
            type_total("depository", Some("savings"), Asset, 1, "5000"),
            type_total("investment", Some("401k"), Asset, 1, "42000.10"),
            type_total("investment", Some("brokerage"), Asset, 1, "8000"),
            type_total("other", None, Asset, 1, "300"),
            type_total("credit", Some("credit card"), Liability, 1, "350.25"),
            type_total("loan", Some("mortgage"), Liability, 1, "200000"),
            type_total("loan", Some("student"), Liability, 1, "15000.75"),
        ]
    );

    assert_eq!(
        (eur.assets, eur.liabilities, eur.net, eur.manual_assets),
        (dec("10500"), dec("120"), dec("10380"), dec("8000"))
    );
    assert_eq!(
        eur.by_type,
        vec![
            type_total("depository", Some("checking"), Asset, 1, "2500"),
            type_total("credit", Some("credit card"), Liability, 1, "120"),
        ]
    );
    // A currency with only manual assets is there, with no account types.
    assert_eq!(
        (gbp.assets, gbp.liabilities, gbp.net, gbp.manual_assets),
        (dec("1200"), dec("0"), dec("1200"), dec("1200"))
    );
    assert!(gbp.by_type.is_empty());
    assert_eq!((btc.assets, btc.net), (dec("0.5"), dec("0.5")));
    assert_eq!(
        btc.by_type,
        vec![type_total("other", None, Asset, 1, "0.5")]
    );

    // Bob sees his own only.
    let bobs: NetWorth = app.get_json(&bob.client, "/api/insights/net-worth").await;
    let bob_currencies: Vec<_> = bobs
        .currencies
        .iter()
        .map(|c| c.currency.as_str())
        .collect();
    assert_eq!(bob_currencies, ["CHF", "USD"]);
    assert_eq!(bobs.currencies[1].net, dec("999999"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn net_worth_of_nothing_is_empty_and_needs_a_login(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;

    let worth: NetWorth = app.get_json(&ana.client, "/api/insights/net-worth").await;
    assert!(worth.currencies.is_empty());

    for path in [
        "/api/insights/net-worth",
        "/api/insights/net-worth/history",
        "/api/insights/spending",
    ] {
        assert_unauthorized(app.get(path).await).await;
    }
}

fn point(date: &str, assets: &str, liabilities: &str, net: &str) -> NetWorthPoint {
    NetWorthPoint {
        date: day(date),
        assets: dec(assets),
        liabilities: dec(liabilities),
        net: dec(net),
        reconstructed: false,
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn history_carries_balances_across_gap_days(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    let user = ana.user_id;
    let bank = insert_item(&db, user, "ins_1").await;
    let checking = AccountSpec::usd("depository", Some("checking"), "120");
    let checking = insert_account(&db, user, bank, checking).await;
    let card = AccountSpec::usd("credit", Some("credit card"), "60");
    let card = insert_account(&db, user, bank, card).await;
    let savings = AccountSpec::iso("EUR", "depository", Some("savings"), "500");
    let savings = insert_account(&db, user, bank, savings).await;
    let closed = AccountSpec::usd("depository", Some("checking"), "5000");
    let closed = insert_account(&db, user, bank, closed).await;

    // Checking: from before the period (carried in), then a gap on the 3rd, and after the end.
    for (date, balance) in [
        ("2025-12-30", "100"),
        ("2026-01-02", "150"),
        ("2026-01-04", "120"),
        ("2026-01-06", "9999"),
    ] {
        insert_snapshot(&db, user, checking, date, balance, "USD").await;
    }
    insert_snapshot(&db, user, card, "2026-01-01", "40", "USD").await;
    insert_snapshot(&db, user, card, "2026-01-03", "60", "USD").await;
    insert_snapshot(&db, user, savings, "2026-01-03", "500", "EUR").await;
    // An account that has since gone takes its history with it.
    insert_snapshot(&db, user, closed, "2026-01-01", "5000", "USD").await;
    sqlx::query("delete from account where account_id = $1")
        .bind(closed)
        .execute(&db)
        .await
        .unwrap();
    insert_manual_asset(
        &db,
        user,
        "House",
        "1000",
        "USD",
        at("2026-01-02T10:00:00Z"),
    )
    .await;
    insert_manual_asset(
        &db,
        user,
        "Painting",
        "300",
        "GBP",
        at("2025-06-01T00:00:00Z"),
    )
    .await;
    insert_manual_asset(&db, user, "Later", "7", "USD", at("2026-02-01T00:00:00Z")).await;
    let bobs_bank = insert_item(&db, bob.user_id, "ins_1").await;
    let spec = AccountSpec::usd("depository", Some("checking"), "1");
    let bobs = insert_account(&db, bob.user_id, bobs_bank, spec).await;
    insert_snapshot(&db, bob.user_id, bobs, "2026-01-02", "1000000", "USD").await;

    let history: NetWorthHistory = app
        .get_json(
            &ana.client,
            "/api/insights/net-worth/history?from=2026-01-01&to=2026-01-05",
        )
        .await;

    assert_eq!(
        (history.from, history.to),
        (day("2026-01-01"), day("2026-01-05"))
    );
    let currencies: Vec<_> = history.series.iter().map(|s| s.currency.as_str()).collect();
    assert_eq!(currencies, ["EUR", "GBP", "USD"]);
    // EUR starts with its first snapshot.
    assert_eq!(
        history.series[0].points,
        vec![
            point("2026-01-03", "500", "0", "500"),
            point("2026-01-04", "500", "0", "500"),
            point("2026-01-05", "500", "0", "500"),
        ]
    );
    let painting: Vec<_> = ["01", "02", "03", "04", "05"]
        .iter()
        .map(|d| point(&format!("2026-01-{d}"), "300", "0", "300"))
        .collect();
    assert_eq!(history.series[1].points, painting);
    assert_eq!(
        history.series[2].points,
        vec![
            // Checking carried in from 30 December; the card's first snapshot.
            point("2026-01-01", "100", "40", "60"),
            // The house counts from the day it was added.
            point("2026-01-02", "1150", "40", "1110"),
            // Gap day for checking: 150 carried forward.
            point("2026-01-03", "1150", "60", "1090"),
            point("2026-01-04", "1120", "60", "1060"),
            // Gap day for both accounts.
            point("2026-01-05", "1120", "60", "1060"),
        ]
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn history_period_defaults_and_limits(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;

    let before = Utc::now().date_naive();
    let history: NetWorthHistory = app
        .get_json(&ana.client, "/api/insights/net-worth/history")
        .await;
    let after = Utc::now().date_naive();
    assert!(
        history.to == before || history.to == after,
        "{}",
        history.to
    );
    assert_eq!((history.to - history.from).num_days(), 89);
    assert!(history.series.is_empty());

    let backwards = refused(
        &app,
        &ana.client,
        "/api/insights/net-worth/history?from=2026-01-02&to=2026-01-01",
    )
    .await;
    assert_eq!(backwards.fields[0].field, "from");
    let too_long = refused(
        &app,
        &ana.client,
        "/api/insights/net-worth/history?from=2020-01-01&to=2025-01-02",
    )
    .await;
    assert_eq!(too_long.fields[0].field, "to");
    let five_years: NetWorthHistory = app
        .get_json(
            &ana.client,
            "/api/insights/net-worth/history?from=2020-01-01&to=2025-01-01",
        )
        .await;
    assert_eq!(five_years.from, day("2020-01-01"));

    let malformed = ana
        .client
        .get(app.url("/api/insights/net-worth/history?from=yesterday"))
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
}
