//! A person's labels through the bank's changes: kept when Plaid modifies a transaction, carried
//! from a pending transaction to the posted one that replaces it (on one page or across
//! passes), gone with a transaction the bank removes, and forgotten when never claimed.

use crate::banking_support::{plaid_item_id, send_webhook, wait_until_matches_bank};
use crate::fixtures::alpha_bank;
use crate::helpers::{count, spawn_app_with, TestApp};
use crate::simulator_support::advance_clock;
use crate::transaction_edits::{all_from, own_category, plaid_category};
use crate::ws::{connect, next_event, register};
use chrono::NaiveDate;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use sqlx::PgPool;
use std::time::Duration;
use tally_shared::api::items::Item;
use tally_shared::api::transactions::{FieldSource, Split, TransactionDetail, TransactionEdit};
use tally_shared::ids::{CategoryId, TransactionId};
use tally_shared::ws::ServerEvent;
use uuid::Uuid;

async fn app(db: &PgPool) -> TestApp {
    spawn_app_with(db.clone(), &[("SYNC_RETRY_BASE", "50ms")]).await
}

/// Our id of the item's transaction that Plaid calls `plaid_id`, if we hold it.
pub(crate) async fn ours(db: &PgPool, plaid_id: &str) -> Option<Uuid> {
    sqlx::query_scalar(
        "select transaction_id from bank_transaction where plaid_transaction_id = $1",
    )
    .bind(plaid_id)
    .fetch_optional(db)
    .await
    .unwrap()
}

/// The posted transaction that replaced the pending one Plaid calls `pending_plaid_id`.
pub(crate) async fn posted_for(db: &PgPool, pending_plaid_id: &str) -> Uuid {
    sqlx::query_scalar(
        "select transaction_id from bank_transaction where pending_transaction_id = $1",
    )
    .bind(pending_plaid_id)
    .fetch_one(db)
    .await
    .unwrap()
}

/// The Plaid id of the bank's latest posted transaction dated `days` or more before the
/// simulator's today (what its churn withdraws or corrects).
async fn latest_posted_before(db: &PgPool, plaid_item: &str, days: i32) -> String {
    sqlx::query_scalar(
        "select transaction_id from plaid_sim.transaction
         where item_id = $1 and not pending and not removed
           and date < (now() at time zone 'utc')::date
                      + (select offset_days from plaid_sim.clock) - $2
         order by date desc, seq desc limit 1",
    )
    .bind(plaid_item)
    .bind(days)
    .fetch_one(db)
    .await
    .unwrap()
}

/// The Plaid id and amount of one of the bank's pending transactions whose amount will not
/// change when it posts (restaurant bills grow by a tip).
pub(crate) async fn a_pending(db: &PgPool, plaid_item: &str) -> (String, Decimal) {
    sqlx::query_as(
        "select transaction_id, (body->>'amount')::numeric from plaid_sim.transaction
         where item_id = $1 and pending and not removed
           and body->'personal_finance_category'->>'detailed' <> 'FOOD_AND_DRINK_RESTAURANT'
         order by seq limit 1",
    )
    .bind(plaid_item)
    .fetch_one(db)
    .await
    .unwrap()
}

/// Splits a transaction in two parts (as `PUT /splits` would): `first` under `one`, the rest
/// under `other`.
async fn split(db: &PgPool, id: Uuid, amount: Decimal, first: Decimal, parts: [CategoryId; 2]) {
    sqlx::query(
        "insert into transaction_split (transaction_id, position, user_id, amount, category_id, notes)
         select $1, 0, user_id, $3, $4, 'mine' from bank_transaction where transaction_id = $1
         union all
         select $1, 1, user_id, $2 - $3, $5, null from bank_transaction where transaction_id = $1",
    )
    .bind(id)
    .bind(amount)
    .bind(first)
    .bind(parts[0].0)
    .bind(parts[1].0)
    .execute(db)
    .await
    .unwrap();
}

fn every_label(category: CategoryId, name: &str) -> TransactionEdit {
    TransactionEdit {
        category_id: Some(Some(category)),
        display_name: Some(Some(name.to_owned())),
        notes: Some(Some("kept through the bank".to_owned())),
        tags: Some(Some(vec!["trip".to_owned(), "sam".to_owned()])),
        hidden: Some(Some(false)),
    }
}

/// The person's labels of a transaction, without what the bank says of it.
fn labels(detail: &TransactionDetail) -> impl PartialEq + std::fmt::Debug + '_ {
    let t = &detail.transaction;
    (
        t.category_id,
        &t.display_name,
        &t.notes,
        &t.tags,
        t.hidden,
        &t.splits,
        detail.sources,
    )
}

async fn detail(app: &TestApp, client: &reqwest::Client, id: Uuid) -> TransactionDetail {
    let response = app.transaction_detail(client, id).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Tells Tally there is news at the bank and waits until it holds exactly what the bank holds.
/// Each call's webhook differs, so two within a second are not taken for a replay of one.
pub async fn sync_now(app: &TestApp, item: &Item) {
    let updates = serde_json::json!({
        "webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE",
        "item_id": plaid_item_id(&app.db, item).await, "request_id": Uuid::new_v4(),
    });
    let response = send_webhook(app, &app.db, &updates).await;
    assert_eq!(response.status(), StatusCode::OK);
    wait_until_matches_bank(&app.db, item).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn labels_survive_plaids_changes_and_go_with_a_removed_transaction(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    let item = app.link_bank(&alice, "user_transactions_dynamic").await;
    let plaid_item = plaid_item_id(&db, &item).await;
    // What the dynamic user's next refresh corrects by a dollar, and what it withdraws.
    let corrected_plaid = latest_posted_before(&db, &plaid_item, 30).await;
    let withdrawn_plaid = latest_posted_before(&db, &plaid_item, 3).await;
    let corrected = ours(&db, &corrected_plaid).await.unwrap();
    let withdrawn = ours(&db, &withdrawn_plaid).await.unwrap();
    let fixes = own_category(&app, &alice, "Fixes", None).await;
    let before = app
        .edited(&alice, corrected, &every_label(fixes.id, "Corrected one"))
        .await;
    let gone = app
        .edited(&alice, withdrawn, &every_label(fixes.id, "Withdrawn one"))
        .await;
    let amount = gone.transaction.amount;
    split(&db, withdrawn, amount, Decimal::ONE, [fixes.id, fixes.id]).await;

    let response = app.refresh_item(&alice, item.id).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let synced = app.wait_for_sync(&alice, &item, item.last_synced_at).await;
    wait_until_matches_bank(&db, &synced).await;

    // Plaid's amount changed; every label the person set is as it was.
    let after = detail(&app, &alice, corrected).await;
    assert_eq!(
        after.transaction.amount,
        before.transaction.amount + Decimal::ONE
    );
    assert_eq!(labels(&after), labels(&before));
    assert_eq!(after.sources.display_name, FieldSource::User);
    // The withdrawn transaction took its labels and split with it: nothing is kept for it.
    let response = app.transaction_detail(&alice, withdrawn).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(count(&db, "transaction_split").await, 0);
    assert_eq!(count(&db, "carried_labels").await, 0);
}

/// The bank changes one of its transactions' amount, date, name and category, as a correction
/// does (what the simulator's `ledger::modify` writes: a new change in the item's log).
async fn bank_rewrites(db: &PgPool, plaid_id: &str, amount: Decimal, date: NaiveDate, name: &str) {
    sqlx::query(
        "update plaid_sim.transaction
         set body = body || jsonb_build_object(
                 'amount', $2::numeric, 'date', $3::text, 'name', $4::text,
                 'personal_finance_category', body->'personal_finance_category'
                     || '{\"primary\": \"TRAVEL\", \"detailed\": \"TRAVEL_FLIGHTS\"}'),
             date = $3, seq = nextval('plaid_sim.change_seq')
         where transaction_id = $1",
    )
    .bind(plaid_id)
    .bind(amount)
    .bind(date)
    .bind(name)
    .execute(db)
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn plaids_new_amount_date_name_and_category_leave_every_label_of_mine(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    let item = app.link_bank(&alice, "user_good").await;
    let plaid_item = plaid_item_id(&db, &item).await;
    let plaid_id = latest_posted_before(&db, &plaid_item, 3).await;
    let id = ours(&db, &plaid_id).await.unwrap();
    let flights = plaid_category(&app, &alice, "TRAVEL_FLIGHTS").await;
    let fixes = own_category(&app, &alice, "Fixes", None).await;
    let edit = TransactionEdit {
        hidden: Some(Some(true)),
        ..every_label(fixes.id, "Mine, whatever the bank says")
    };
    let before = app.edited(&alice, id, &edit).await;
    assert_ne!(before.plaid.category_id, flights.id);

    let amount = before.transaction.amount + Decimal::new(1234, 2);
    let date = before.transaction.date.pred_opt().unwrap();
    bank_rewrites(&db, &plaid_id, amount, date, "RENAMED BY THE BANK").await;
    sync_now(&app, &item).await;

    let after = detail(&app, &alice, id).await;
    // Plaid's fields are the bank's new ones...
    assert_eq!(after.transaction.amount, amount);
    assert_eq!(after.transaction.date, date);
    assert_eq!(after.transaction.name, "RENAMED BY THE BANK");
    assert_eq!(after.plaid.name, "RENAMED BY THE BANK");
    assert_eq!(after.plaid.category_id, flights.id);
    assert_eq!(
        after.transaction.category_detailed.as_deref(),
        Some("TRAVEL_FLIGHTS")
    );
    // ...and every field the person set is theirs, as it was.
    assert_eq!(labels(&after), labels(&before));
    assert_eq!(after.transaction.category_id, fixes.id);
    assert!(after.transaction.hidden);
    assert_eq!(after.sources, all_from(FieldSource::User));
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_pending_transactions_labels_and_split_go_to_the_posted_one_counted_once(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    let item = app.link_bank(&alice, "user_good").await;
    let plaid_item = plaid_item_id(&db, &item).await;
    let (pending_plaid, amount) = a_pending(&db, &plaid_item).await;
    let pending = ours(&db, &pending_plaid).await.unwrap();
    let dinners = own_category(&app, &alice, "Dinners", None).await;
    let gifts = own_category(&app, &alice, "Gifts", None).await;
    let edited = app
        .edited(&alice, pending, &every_label(dinners.id, "Dinner with Sam"))
        .await;
    assert!(edited.transaction.pending);
    let first = (amount / Decimal::TWO).round_dp(2);
    split(&db, pending, amount, first, [dinners.id, gifts.id]).await;
    let before = detail(&app, &alice, pending).await;

    // Days pass at the bank: its pending transactions post, and it says so by webhook.
    advance_clock(&app, 2).await;
    wait_until_matches_bank(&db, &item).await;

    let response = app.transaction_detail(&alice, pending).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let posted = detail(&app, &alice, posted_for(&db, &pending_plaid).await).await;
    assert!(!posted.transaction.pending);
    assert_eq!(labels(&posted), labels(&before));
    assert_eq!(
        posted.transaction.splits,
        [
            Split {
                amount: first,
                category_id: dinners.id,
                notes: Some("mine".to_owned())
            },
            Split {
                amount: amount - first,
                category_id: gifts.id,
                notes: None
            }
        ]
    );
    assert!(!posted.transaction.needs_review);
    // Once: the list shows one "Dinner with Sam", and nothing is left waiting.
    let found = app
        .transactions(
            &alice,
            &tally_shared::api::transactions::TransactionFilter {
                q: Some("Dinner with Sam".to_owned()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(found.transactions, [posted.transaction]);
    assert_eq!(count(&db, "transaction_split").await, 2);
    assert_eq!(count(&db, "carried_labels").await, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn labels_wait_for_a_posted_transaction_that_comes_in_a_later_sync(db: PgPool) {
    let app = app(&db).await;
    let alice = register(&app, "alice").await;
    let item = app.link_bank(&alice.tab, "user_good").await;
    let plaid_item = plaid_item_id(&db, &item).await;
    let (pending_plaid, amount) = a_pending(&db, &plaid_item).await;
    let pending = ours(&db, &pending_plaid).await.unwrap();
    let treats = own_category(&app, &alice.tab, "Treats", None).await;
    app.edited(&alice.tab, pending, &every_label(treats.id, "Cake"))
        .await;
    split(&db, pending, amount, Decimal::ONE, [treats.id, treats.id]).await;
    let before = detail(&app, &alice.tab, pending).await;

    // The bank drops the pending transaction in one sync...
    sqlx::query(
        "update plaid_sim.transaction set removed = true, seq = nextval('plaid_sim.change_seq')
         where transaction_id = $1",
    )
    .bind(&pending_plaid)
    .execute(&db)
    .await
    .unwrap();
    sync_now(&app, &item).await;
    assert_eq!(ours(&db, &pending_plaid).await, None);
    assert_eq!(count(&db, "carried_labels").await, 1);

    // ...and posts it, a dollar more, in the next: the labels arrive, the split no longer adds
    // up, so it is flagged for review instead, and the person hears of it.
    let mut socket = connect(&app, &alice).await;
    sqlx::query(
        "insert into plaid_sim.transaction (transaction_id, item_id, account_id, body, date,
                                            pending, added_seq, seq)
         select $2, item_id, account_id,
                body || jsonb_build_object('transaction_id', $2::text, 'pending', false,
                                           'pending_transaction_id', transaction_id,
                                           'amount', (body->>'amount')::numeric + 1),
                date, false, s, s
         from plaid_sim.transaction, nextval('plaid_sim.change_seq') s
         where transaction_id = $1",
    )
    .bind(&pending_plaid)
    .bind(format!("{pending_plaid}-posted"))
    .execute(&db)
    .await
    .unwrap();
    sync_now(&app, &item).await;

    let posted_id = posted_for(&db, &pending_plaid).await;
    let posted = detail(&app, &alice.tab, posted_id).await;
    assert_eq!(posted.transaction.amount, amount + Decimal::ONE);
    assert_eq!(posted.transaction.display_name.as_deref(), Some("Cake"));
    let unsplit = TransactionDetail {
        transaction: tally_shared::api::transactions::Transaction {
            splits: vec![],
            ..before.transaction.clone()
        },
        ..before.clone()
    };
    assert_eq!(labels(&posted), labels(&unsplit));
    assert!(posted.transaction.needs_review);
    assert_eq!(count(&db, "transaction_split").await, 0);
    assert_eq!(count(&db, "carried_labels").await, 0);
    let mut heard = Vec::new();
    loop {
        match next_event(&mut socket).await {
            Some(ServerEvent::SplitsRemoved { transaction_ids }) => {
                assert_eq!(transaction_ids, [TransactionId(posted_id)]);
                break;
            }
            Some(other) => heard.push(other),
            None => panic!("no splits_removed, only {heard:?}"),
        }
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn labels_no_posted_transaction_claims_are_forgotten_after_thirty_days(db: PgPool) {
    let app = spawn_app_with(db.clone(), &[("SESSION_PURGE_INTERVAL", "100ms")]).await;
    let alice = app.sign_up("alice").await;
    let bank = alpha_bank(&db, alice.user_id).await;
    for (id, age_days) in [("stale", 31), ("recent", 29)] {
        sqlx::query(
            "insert into carried_labels (pending_plaid_transaction_id, user_id, item_id, notes,
                                         removed_at)
             values ($1, $2, $3, 'n', now() - make_interval(days => $4))",
        )
        .bind(id)
        .bind(alice.user_id)
        .bind(bank.item_id)
        .bind(age_days)
        .execute(&db)
        .await
        .unwrap();
    }
    for _ in 0..600 {
        if count(
            &db,
            "carried_labels where pending_plaid_transaction_id = 'stale'",
        )
        .await
            == 0
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let left: Vec<String> =
        sqlx::query_scalar("select pending_plaid_transaction_id from carried_labels")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(left, ["recent"]);
}
