//! `PUT` and `DELETE /api/transactions/{id}/splits`: parts that add up exactly, each under a
//! category the person sees; and a sync that changes the amount under a split removes it.

use crate::api_calls::{decoded, new_category, Person};
use crate::banking_support::{plaid_item_id, plaid_transaction_id, wait_until_matches_bank};
use crate::fixtures::{account, alpha_bank, money, transaction};
use crate::helpers::{spawn_app, TestApp};
use crate::simulator_support::correct_amount;
use crate::ws::{connect, next_event, register, Socket};
use reqwest::{Client, Response, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use std::fmt::Display;
use tally_shared::api::categories::Category;
use tally_shared::api::transactions::{Split, Transaction};
use tally_shared::ids::{CategoryId, TransactionId};
use tally_shared::ws::ServerEvent;
use tally_shared::{ApiError, ErrorCode};
use uuid::Uuid;

impl TestApp {
    /// `PUT /api/transactions/{id}/splits`; `id` is a `TransactionId`, or anything a test sends.
    pub async fn put_splits(&self, client: &Client, id: impl Display, parts: &[Split]) -> Response {
        client
            .put(self.url(&format!("/api/transactions/{id}/splits")))
            .json(parts)
            .send()
            .await
            .unwrap()
    }

    /// `DELETE /api/transactions/{id}/splits`.
    pub async fn delete_splits(&self, client: &Client, id: impl Display) -> Response {
        self.delete(client, &format!("/api/transactions/{id}/splits"))
            .await
    }

    /// The id of the category `plaid_code` (one of Plaid's), as `client`'s person sees it.
    pub async fn plaid_category(&self, client: &Client, plaid_code: &str) -> CategoryId {
        self.categories(client)
            .await
            .categories
            .into_iter()
            .find(|c| c.plaid_code.as_deref() == Some(plaid_code))
            .unwrap_or_else(|| panic!("no category {plaid_code}"))
            .id
    }

    /// A new category of `client`'s person's own, a primary of kind `kind`.
    pub async fn own_category(&self, client: &Client, name: &str, kind: &str) -> CategoryId {
        let created: Category = decoded(
            self.create_category(client, &new_category(name, None, kind))
                .await,
            StatusCode::CREATED,
        )
        .await;
        created.id
    }
}

pub fn part(amount: &str, category_id: CategoryId, notes: Option<&str>) -> Split {
    Split {
        amount: money(amount),
        category_id,
        notes: notes.map(str::to_owned),
    }
}

/// A person with one 42.50 purchase at a grocer, which they see in their list.
async fn person_with_purchase(app: &TestApp, username: &str) -> (Person, Uuid) {
    let person = app.sign_up(username).await;
    let bank = alpha_bank(&app.db, person.user_id).await;
    let checking = account(bank, "Checking").insert(&app.db).await;
    let id = transaction(checking, "2026-03-05", "42.50", "FRESH MARKET 0042")
        .category("FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES")
        .insert(&app.db)
        .await;
    (person, id)
}

/// The transaction's parts as stored, in order: (position, amount, category, notes).
async fn stored_parts(db: &PgPool, id: Uuid) -> Vec<(i16, String, Uuid, Option<String>)> {
    sqlx::query_as(
        "select position, amount::text, category_id, notes from transaction_split
         where transaction_id = $1 order by position",
    )
    .bind(id)
    .fetch_all(db)
    .await
    .unwrap()
}

async fn needs_review(db: &PgPool, id: Uuid) -> bool {
    sqlx::query_scalar("select needs_review from bank_transaction where transaction_id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn mark_for_review(db: &PgPool, id: Uuid) {
    sqlx::query("update bank_transaction set needs_review = true where transaction_id = $1")
        .bind(id)
        .execute(db)
        .await
        .unwrap();
}

#[sqlx::test]
async fn a_split_that_adds_up_is_stored_listed_replaced_and_removed(db: PgPool) {
    let app = spawn_app(db).await;
    let (ana, id) = person_with_purchase(&app, "ana").await;
    let groceries = app
        .plaid_category(&ana.client, "FOOD_AND_DRINK_GROCERIES")
        .await;
    let household = app.own_category(&ana.client, "Household", "spending").await;
    mark_for_review(&app.db, id).await;

    let parts = [
        part("30.00", groceries, Some("  food  ")),
        part("12.50", household, None),
    ];
    let split: Transaction = decoded(
        app.put_splits(&ana.client, id, &parts).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(split.id.0, id);
    assert_eq!(split.amount, money("42.50"));
    assert_eq!(
        split.splits,
        [
            part("30.00", groceries, Some("food")),
            part("12.50", household, None)
        ]
    );
    assert!(!split.needs_review, "a new split is the person's review");
    assert_eq!(
        stored_parts(&app.db, id).await,
        [
            (0, "30.00".to_owned(), groceries.0, Some("food".to_owned())),
            (1, "12.50".to_owned(), household.0, None)
        ]
    );
    let listed = app.transactions(&ana.client, &Default::default()).await;
    assert_eq!(listed.transactions[0].splits, split.splits);

    // A new split replaces the old one whole.
    let three = [
        part("10", household, Some("soap")),
        part("20", groceries, None),
        part("12.5", household, None),
    ];
    let replaced: Transaction = decoded(
        app.put_splits(&ana.client, id, &three).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(replaced.splits, three);
    assert_eq!(stored_parts(&app.db, id).await.len(), 3);

    mark_for_review(&app.db, id).await;
    let whole: Transaction =
        decoded(app.delete_splits(&ana.client, id).await, StatusCode::OK).await;
    assert!(whole.splits.is_empty());
    assert!(!whole.needs_review);
    assert!(stored_parts(&app.db, id).await.is_empty());
    assert!(!needs_review(&app.db, id).await);
    // Removing a split that is not there is no error.
    let again: Transaction =
        decoded(app.delete_splits(&ana.client, id).await, StatusCode::OK).await;
    assert_eq!(again, whole);
}

/// The 422 the parts get, and the fields it names.
async fn refused(app: &TestApp, client: &Client, id: Uuid, parts: &[Split]) -> ApiError {
    let error: ApiError = decoded(
        app.put_splits(client, id, parts).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(error.code, ErrorCode::Validation);
    error
}

#[sqlx::test]
async fn parts_that_do_not_add_up_exactly_are_refused_saying_what_remains(db: PgPool) {
    let app = spawn_app(db).await;
    let (ana, id) = person_with_purchase(&app, "ana").await;
    let food = app.plaid_category(&ana.client, "FOOD_AND_DRINK").await;

    let short = refused(
        &app,
        &ana.client,
        id,
        &[part("30.00", food, None), part("12.49", food, None)],
    )
    .await;
    assert_eq!(short.fields.len(), 1);
    assert_eq!(short.fields[0].field, "splits");
    assert!(
        short.fields[0].message.contains("42.49") && short.fields[0].message.contains("0.01"),
        "{}",
        short.fields[0].message
    );
    let over = refused(
        &app,
        &ana.client,
        id,
        &[part("30.00", food, None), part("13.50", food, None)],
    )
    .await;
    assert!(
        over.fields[0].message.contains("1.00 too much"),
        "{}",
        over.fields[0].message
    );

    let one = refused(&app, &ana.client, id, &[part("42.50", food, None)]).await;
    assert_eq!(one.fields[0].field, "splits");
    let many: Vec<Split> = (0..21).map(|_| part("2.50", food, None)).collect();
    refused(&app, &ana.client, id, &many).await;
    let zero_and_long = refused(
        &app,
        &ana.client,
        id,
        &[
            part("42.50", food, Some(&"x".repeat(2_001))),
            part("0.00", food, None),
        ],
    )
    .await;
    let fields: Vec<&str> = zero_and_long
        .fields
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(fields, ["splits[0].notes", "splits[1].amount"]);

    // Amounts are strings, as everywhere on the wire, and the body is a list of parts.
    for body in [
        json!([{"amount": 30, "category_id": food}, {"amount": "12.50", "category_id": food}]),
        json!({"amount": "42.50", "category_id": food}),
    ] {
        let response = ana
            .client
            .put(app.url(&format!("/api/transactions/{id}/splits")))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{body}");
    }
    assert!(stored_parts(&app.db, id).await.is_empty());

    // Twenty parts are allowed.
    let twenty: Vec<Split> = (0..20)
        .map(|i| part(if i < 10 { "2.00" } else { "2.25" }, food, None))
        .collect();
    decoded::<Transaction>(
        app.put_splits(&ana.client, id, &twenty).await,
        StatusCode::OK,
    )
    .await;
}

#[sqlx::test]
async fn someone_elses_transaction_or_category_is_not_found(db: PgPool) {
    let app = spawn_app(db).await;
    let (ana, anas) = person_with_purchase(&app, "ana").await;
    let (bob, bobs) = person_with_purchase(&app, "bob").await;
    let food = app.plaid_category(&ana.client, "FOOD_AND_DRINK").await;
    let bobs_own = app
        .own_category(&bob.client, "Bob's things", "spending")
        .await;
    let parts = [part("40", food, None), part("2.50", food, None)];

    for response in [
        app.put_splits(&ana.client, bobs, &parts).await,
        app.delete_splits(&ana.client, bobs).await,
        app.put_splits(&ana.client, Uuid::new_v4(), &parts).await,
        app.put_splits(
            &ana.client,
            anas,
            &[part("40", food, None), part("2.50", bobs_own, None)],
        )
        .await,
        app.put_splits(
            &ana.client,
            anas,
            &[
                part("40", food, None),
                part("2.50", CategoryId(Uuid::new_v4()), None),
            ],
        )
        .await,
    ] {
        let error: ApiError = decoded(response, StatusCode::NOT_FOUND).await;
        assert_eq!(error.code, ErrorCode::NotFound);
    }
    assert_eq!(crate::helpers::count(&app.db, "transaction_split").await, 0);

    // Bob's split is his own business: Ana's calls left it, and he can make and remove one.
    decoded::<Transaction>(
        app.put_splits(
            &bob.client,
            bobs,
            &[part("40", bobs_own, None), part("2.50", food, None)],
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let error: ApiError = decoded(
        app.delete_splits(&ana.client, bobs).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(error.code, ErrorCode::NotFound);
    assert_eq!(stored_parts(&app.db, bobs).await.len(), 2);
}

#[sqlx::test]
async fn a_split_is_announced_to_the_persons_other_tabs(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = register(&app, "ana").await;
    let bank = alpha_bank(&app.db, ana.id).await;
    let checking = account(bank, "Checking").insert(&app.db).await;
    let id = transaction(checking, "2026-03-05", "10.00", "SHOP")
        .insert(&app.db)
        .await;
    let other = app.plaid_category(&ana.tab, "GENERAL_MERCHANDISE").await;
    let mut socket = connect(&app, &ana).await;

    let parts = [part("4", other, None), part("6", other, None)];
    decoded::<Transaction>(app.put_splits(&ana.tab, id, &parts).await, StatusCode::OK).await;
    assert_eq!(
        next_event(&mut socket).await,
        Some(ServerEvent::TransactionsChanged)
    );
    decoded::<Transaction>(app.delete_splits(&ana.tab, id).await, StatusCode::OK).await;
    assert_eq!(
        next_event(&mut socket).await,
        Some(ServerEvent::TransactionsChanged)
    );
}

/// Waits for the next `splits_removed` event, passing over the others (`item_synced`).
async fn next_splits_removed(socket: &mut Socket) -> Vec<TransactionId> {
    loop {
        match next_event(socket).await {
            Some(ServerEvent::SplitsRemoved { transaction_ids }) => return transaction_ids,
            Some(_) => {}
            None => panic!("no splits_removed event came"),
        }
    }
}

#[sqlx::test]
async fn a_bank_change_of_a_split_amount_removes_the_split_and_tells_the_person(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = register(&app, "ana").await;
    let item = app.link_bank(&ana.tab, "user_good").await;
    let posted: Vec<Transaction> = app
        .transactions(&ana.tab, &Default::default())
        .await
        .transactions
        .into_iter()
        .filter(|t| !t.pending && t.amount.abs() > money("2"))
        .collect();
    let (changed, kept) = (&posted[0], &posted[1]);
    let other = app.plaid_category(&ana.tab, "GENERAL_MERCHANDISE").await;
    for transaction in [changed, kept] {
        let rest = (transaction.amount - money("1.00")).to_string();
        let parts = [
            part(&rest, transaction.category_id, None),
            part("1.00", other, Some("mine")),
        ];
        decoded::<Transaction>(
            app.put_splits(&ana.tab, transaction.id, &parts).await,
            StatusCode::OK,
        )
        .await;
    }
    let mut socket = connect(&app, &ana).await;

    // The bank corrects one amount by a cent, and sends the other again unchanged.
    let plaid_item = plaid_item_id(&app.db, &item).await;
    let new_amount = (changed.amount + money("0.01")).to_string();
    let changed_plaid_id = plaid_transaction_id(&app.db, changed.id).await;
    correct_amount(&app, &plaid_item, &changed_plaid_id, &new_amount).await;
    let kept_plaid_id = plaid_transaction_id(&app.db, kept.id).await;
    correct_amount(&app, &plaid_item, &kept_plaid_id, &kept.amount.to_string()).await;

    assert_eq!(next_splits_removed(&mut socket).await, [changed.id]);
    wait_until_matches_bank(&app.db, &item).await;

    let now: Vec<Transaction> = app
        .transactions(&ana.tab, &Default::default())
        .await
        .transactions;
    let find = |id| now.iter().find(|t| t.id == id).unwrap();
    let reviewed = find(changed.id);
    assert_eq!(reviewed.amount, money(&new_amount));
    assert!(reviewed.splits.is_empty());
    assert!(reviewed.needs_review);
    assert!(stored_parts(&app.db, changed.id.0).await.is_empty());
    let still = find(kept.id);
    assert_eq!(still.splits.len(), 2);
    assert!(!still.needs_review);

    // A new split of the corrected amount is the person's review.
    let parts = [
        part("1.00", other, None),
        part(&(reviewed.amount - money("1.00")).to_string(), other, None),
    ];
    let split: Transaction = decoded(
        app.put_splits(&ana.tab, changed.id, &parts).await,
        StatusCode::OK,
    )
    .await;
    assert!(!split.needs_review);
}
