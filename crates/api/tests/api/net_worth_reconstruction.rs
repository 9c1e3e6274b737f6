//! Net worth history from the first day of a newly linked bank's transactions: each depository
//! and card account's balance reconstructed backwards from today's, checked day by day against
//! the simulator's own books, corrected when the bank changes or withdraws a transaction, never
//! written over a recorded balance, and never made up for a loan.

use crate::api_calls::{create_item_request, decoded};
use crate::banking_support::{
    announce_updates, plaid_item_id, wait_until_matches_bank, FIRST_PLATYPUS,
};
use crate::fixtures::money;
use crate::helpers::{spawn_app, TestApp};
use crate::simulator_support::correct_amount;
use chrono::{Days, NaiveDate, Utc};
use reqwest::{Client, StatusCode};
use rust_decimal::Decimal;
use serde::Deserialize;
use sqlx::PgPool;
use std::collections::BTreeMap;
use tally_shared::api::insights::{NetWorthHistory, NetWorthSeries};
use tally_shared::api::items::Item;

/// A checking account, a card and a mortgage, with 90 days of everyday activity.
const CUSTOM_USER: &str = r#"{"history_days": 90, "seed": 14, "transactions": 400,
    "accounts": [{"type": "depository", "subtype": "checking", "name": "Everyday checking",
                  "balance": "4200.00"},
                 {"type": "credit", "subtype": "credit card", "name": "Platypus card",
                  "balance": "640.25", "limit": "5000"},
                 {"type": "loan", "subtype": "mortgage", "name": "Home mortgage",
                  "balance": "250000.00"}]}"#;

/// The simulator's books: each account's balance at the end of each day.
#[derive(Deserialize)]
struct BankHistory {
    accounts: Vec<BankAccountHistory>,
}

#[derive(Deserialize)]
struct BankAccountHistory {
    account_id: String,
    #[serde(rename = "type")]
    account_type: String,
    balances: Vec<BankBalance>,
}

#[derive(Deserialize)]
struct BankBalance {
    date: NaiveDate,
    current: serde_json::Number,
}

impl BankAccountHistory {
    fn by_day(&self) -> BTreeMap<NaiveDate, Decimal> {
        self.balances
            .iter()
            .map(|b| (b.date, b.current.to_string().parse().unwrap()))
            .collect()
    }
}

async fn bank_history(app: &TestApp, plaid_item: &str) -> BankHistory {
    app.client
        .get(app.url(&format!("/sim/plaid/control/items/{plaid_item}/balances")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Links First Platypus Bank as the simulator's custom user (a checking account, a card and a
/// mortgage named "Home mortgage", 90 days of history) and waits for the first sync.
pub async fn link_custom(app: &TestApp, client: &Client) -> Item {
    let token = app
        .public_token_as(FIRST_PLATYPUS, "user_custom", CUSTOM_USER)
        .await;
    let item: Item = decoded(
        app.create_item(client, &create_item_request(&token, FIRST_PLATYPUS))
            .await,
        StatusCode::CREATED,
    )
    .await;
    app.wait_for_sync(client, &item, None).await
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn history(app: &TestApp, client: &Client) -> NetWorthSeries {
    let from = today().checked_sub_days(Days::new(365)).unwrap();
    let history: NetWorthHistory = app
        .get_json(
            client,
            &format!("/api/insights/net-worth/history?from={from}"),
        )
        .await;
    assert_eq!(history.series.len(), 1, "one currency");
    history.series.into_iter().next().unwrap()
}

/// Tally's reconstructed balances of the account with Plaid's id `plaid_account`, by day.
async fn reconstructed(db: &PgPool, plaid_account: &str) -> BTreeMap<NaiveDate, Decimal> {
    sqlx::query_as::<_, (NaiveDate, Decimal)>(
        "select r.balance_date, r.current_balance
         from reconstructed_balance r join account a using (account_id)
         where a.plaid_account_id = $1 order by r.balance_date",
    )
    .bind(plaid_account)
    .fetch_all(db)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

/// Every day before today of the bank's history is reconstructed, to the cent, for depository
/// and card accounts; the loan has none. The net worth series says the same day by day: assets
/// less what is owed, the loan counted from its recorded balance only (today).
async fn assert_reconstruction_matches_bank(app: &TestApp, client: &Client, plaid_item: &str) {
    let bank = bank_history(app, plaid_item).await;
    let today = today();
    let mut net_by_day: BTreeMap<NaiveDate, Decimal> = BTreeMap::new();
    for account in &bank.accounts {
        let truth = account.by_day();
        assert!(truth.len() > 60, "{} days of books", truth.len());
        let ours = reconstructed(&app.db, &account.account_id).await;
        if account.account_type == "loan" {
            assert!(ours.is_empty(), "a loan is never reconstructed: {ours:?}");
        } else {
            let before_today: BTreeMap<_, _> = truth
                .iter()
                .filter(|(day, _)| **day < today)
                .map(|(day, balance)| (*day, *balance))
                .collect();
            assert_eq!(ours, before_today, "{} account", account.account_type);
        }
        for (day, balance) in truth {
            let counted = account.account_type != "loan" || day == today;
            if !counted {
                continue;
            }
            let signed = if account.account_type == "depository" {
                balance
            } else {
                -balance
            };
            *net_by_day.entry(day).or_default() += signed;
        }
    }
    let series = history(app, client).await;
    let points: BTreeMap<NaiveDate, (Decimal, bool)> = series
        .points
        .iter()
        .map(|p| (p.date, (p.net, p.reconstructed)))
        .collect();
    let expected: BTreeMap<NaiveDate, (Decimal, bool)> = net_by_day
        .into_iter()
        .map(|(day, net)| (day, (net, day < today)))
        .collect();
    assert_eq!(points, expected);
    assert_eq!(series.recorded_only.len(), 1);
    assert_eq!(series.recorded_only[0].account_type, "loan");
    assert_eq!(series.recorded_only[0].recorded_from, today);
}

/// Plaid's id of the item's oldest posted transaction on an account of `account_type`, with its
/// date and amount.
async fn oldest_posted(
    db: &PgPool,
    item: &Item,
    account_type: &str,
) -> (String, NaiveDate, Decimal) {
    sqlx::query_as(
        "select t.plaid_transaction_id, t.date, t.amount
         from bank_transaction t join account a using (account_id)
         where t.item_id = $1 and a.type = $2 and not t.pending and t.amount <> 0
         order by t.date, t.plaid_transaction_id limit 1 offset 5",
    )
    .bind(item.id.0)
    .bind(account_type)
    .fetch_one(db)
    .await
    .unwrap()
}

#[sqlx::test]
async fn history_is_reconstructed_from_the_banks_books_and_corrected_by_its_changes(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let item = link_custom(&app, &ana.client).await;
    let plaid_item = plaid_item_id(&app.db, &item).await;
    assert_reconstruction_matches_bank(&app, &ana.client, &plaid_item).await;

    let bank = bank_history(&app, &plaid_item).await;
    let id_of = |kind: &str| {
        bank.accounts
            .iter()
            .find(|a| a.account_type == kind)
            .unwrap()
            .account_id
            .clone()
    };
    let (checking, card) = (id_of("depository"), id_of("credit"));
    let checking_before = reconstructed(&app.db, &checking).await;
    let card_before = reconstructed(&app.db, &card).await;

    // The bank withdraws a checking transaction and corrects a card purchase up by 50.
    let (withdrawn, withdrawn_on, withdrawn_amount) =
        oldest_posted(&app.db, &item, "depository").await;
    let response = app
        .client
        .delete(app.url(&format!(
            "/sim/plaid/control/items/{plaid_item}/transactions/{withdrawn}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (corrected, corrected_on, corrected_amount) = oldest_posted(&app.db, &item, "credit").await;
    let raised = corrected_amount + money("50");
    correct_amount(&app, &plaid_item, &corrected, &raised.to_string()).await;
    wait_until_matches_bank(&app.db, &item).await;

    assert_reconstruction_matches_bank(&app, &ana.client, &plaid_item).await;
    // By hand: a checking balance is today's plus the amounts (money out) dated after the day,
    // so every day before the withdrawn one lost its amount; a card's is today's less them, so
    // every day before the corrected purchase owed 50 less. Later days did not move.
    let checking_after = reconstructed(&app.db, &checking).await;
    for (day, before) in &checking_before {
        let moved = if *day < withdrawn_on {
            withdrawn_amount
        } else {
            Decimal::ZERO
        };
        assert_eq!(checking_after[day], before - moved, "checking on {day}");
    }
    let card_after = reconstructed(&app.db, &card).await;
    for (day, before) in &card_before {
        let moved = if *day < corrected_on {
            money("50")
        } else {
            Decimal::ZERO
        };
        assert_eq!(card_after[day], before - moved, "card on {day}");
    }

    // Someone else sees none of it; the bank knows no such transaction to withdraw.
    let bob = app.sign_up("bob").await;
    let theirs: NetWorthHistory = app
        .get_json(&bob.client, "/api/insights/net-worth/history")
        .await;
    assert!(theirs.series.is_empty());
    let response = app
        .client
        .delete(app.url(&format!(
            "/sim/plaid/control/items/{plaid_item}/transactions/{withdrawn}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn a_recorded_balance_is_never_overwritten_by_reconstruction(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let item = link_custom(&app, &ana.client).await;
    let plaid_item = plaid_item_id(&app.db, &item).await;

    // A balance recorded ten days ago, as a sync that day would have left it.
    let recorded_on = today().checked_sub_days(Days::new(10)).unwrap();
    let account_id: uuid::Uuid = sqlx::query_scalar(
        "select account_id from account where item_id = $1 and type = 'depository'",
    )
    .bind(item.id.0)
    .fetch_one(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "insert into balance_snapshot (account_id, user_id, snapshot_date, current_balance, currency)
         values ($1, $2, $3, 9876.54, 'USD')",
    )
    .bind(account_id)
    .bind(ana.user_id)
    .bind(recorded_on)
    .execute(&app.db)
    .await
    .unwrap();
    let synced = item.last_synced_at;
    announce_updates(&app, &app.db, &plaid_item).await;
    app.wait_for_sync(&ana.client, &item, synced).await;

    let kept: Decimal = sqlx::query_scalar(
        "select current_balance from balance_snapshot where account_id = $1 and snapshot_date = $2",
    )
    .bind(account_id)
    .bind(recorded_on)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(kept, money("9876.54"));
    let last_reconstructed: Option<NaiveDate> = sqlx::query_scalar(
        "select max(balance_date) from reconstructed_balance where account_id = $1",
    )
    .bind(account_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(last_reconstructed, recorded_on.pred_opt());

    // The series counts the recorded balance on its day, and says it is recorded.
    let series = history(&app, &ana.client).await;
    let point = series
        .points
        .iter()
        .find(|p| p.date == recorded_on)
        .unwrap();
    let card: Decimal = sqlx::query_scalar(
        "select r.current_balance from reconstructed_balance r join account a using (account_id)
         where a.item_id = $1 and a.type = 'credit' and r.balance_date = $2",
    )
    .bind(item.id.0)
    .bind(recorded_on)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(point.assets, money("9876.54"));
    assert_eq!(point.net, money("9876.54") - card);
    assert!(
        point.reconstructed,
        "the card's balance that day is still reconstructed"
    );
    let before = series
        .points
        .iter()
        .find(|p| Some(p.date) == recorded_on.pred_opt())
        .unwrap();
    assert!(before.reconstructed);
}
