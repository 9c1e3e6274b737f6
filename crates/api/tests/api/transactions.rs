//! `GET /api/transactions`: filters, keyset pages, validation, isolation.

use crate::api_calls::{assert_unauthorized, Person};
use crate::fixtures::{account, alpha_bank, item, money, transaction, AccountRef};
use crate::helpers::{spawn_app, TestApp};
use reqwest::StatusCode;
use sqlx::PgPool;
use tally_shared::api::transactions::{TransactionFilter, TransactionPage};
use tally_shared::ApiError;
use uuid::Uuid;

async fn get_page(
    app: &TestApp,
    client: &reqwest::Client,
    query: &[(&str, &str)],
) -> TransactionPage {
    let response = app.list_transactions(client, &query).await;
    assert_eq!(response.status(), StatusCode::OK, "{query:?}");
    response.json().await.unwrap()
}

async fn names(app: &TestApp, client: &reqwest::Client, query: &[(&str, &str)]) -> Vec<String> {
    let page = get_page(app, client, query).await;
    page.transactions.into_iter().map(|t| t.name).collect()
}

/// The fields a refused query names.
async fn refused(app: &TestApp, client: &reqwest::Client, query: &[(&str, &str)]) -> Vec<String> {
    let response = app.list_transactions(client, &query).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{query:?}"
    );
    let body: ApiError = response.json().await.unwrap();
    assert_eq!(body.code, tally_shared::ErrorCode::Validation);
    assert!(body.fields.iter().all(|f| !f.message.is_empty()));
    body.fields.into_iter().map(|f| f.field).collect()
}

/// A query string and what it should yield (names, or the fields it names when refused).
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);

struct Household {
    checking: AccountRef,
    card: AccountRef,
    savings: AccountRef,
}

/// Six transactions over two banks and three accounts, newest first:
/// Blue Bottle, Groceries, Paycheck, Interest, Airline, COFFEE SHOP 123.
async fn household(db: &PgPool, user_id: Uuid) -> Household {
    let alpha = alpha_bank(db, user_id).await;
    let zeta = item(db, user_id, "ins_2", "Zeta Bank").await;
    let checking = account(alpha, "Checking").insert(db).await;
    let card = account(alpha, "Card").kind("credit", None).insert(db).await;
    let savings = account(zeta, "Savings").insert(db).await;
    transaction(checking, "2026-03-05", "4.50", "Blue Bottle")
        .merchant("Blue Bottle Coffee")
        .category("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
        .authorized("2026-03-04")
        .insert(db)
        .await;
    transaction(card, "2026-03-04", "82.10", "Groceries")
        .merchant("Whole Foods")
        .category("FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES")
        .pending()
        .insert(db)
        .await;
    transaction(checking, "2026-03-01", "-2500.00", "Paycheck")
        .category("INCOME", "INCOME_WAGES")
        .channel("other")
        .insert(db)
        .await;
    transaction(savings, "2026-02-28", "-1.25", "Interest")
        .category("INCOME", "INCOME_INTEREST_EARNED")
        .insert(db)
        .await;
    transaction(card, "2026-02-15", "420.00", "Airline")
        .merchant("United")
        .category("TRAVEL", "TRAVEL_FLIGHTS")
        .channel("online")
        .insert(db)
        .await;
    transaction(card, "2026-02-10", "3.00", "COFFEE SHOP 123")
        .category("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
        .pending()
        .insert(db)
        .await;
    Household {
        checking,
        card,
        savings,
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn lists_newest_first_with_everything_a_row_shows(db: PgPool) {
    let app = spawn_app(db).await;
    let Person { client, user_id } = app.sign_up("alice").await;
    let home = household(&app.db, user_id).await;

    let page = get_page(&app, &client, &[]).await;

    let all: Vec<&str> = page.transactions.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        all,
        [
            "Blue Bottle",
            "Groceries",
            "Paycheck",
            "Interest",
            "Airline",
            "COFFEE SHOP 123"
        ]
    );
    assert_eq!(page.next_cursor, None);
    let coffee = &page.transactions[0];
    assert_eq!(coffee.account_id.0, home.checking.account_id);
    assert_eq!(coffee.item_id.0, home.checking.item_id);
    assert_eq!(coffee.account_name, "Checking");
    assert_eq!(coffee.amount, money("4.50"));
    assert_eq!(coffee.currency.as_deref(), Some("USD"));
    assert_eq!(coffee.date.to_string(), "2026-03-05");
    assert_eq!(
        coffee.authorized_date.map(|d| d.to_string()).as_deref(),
        Some("2026-03-04")
    );
    assert_eq!(coffee.merchant_name.as_deref(), Some("Blue Bottle Coffee"));
    assert_eq!(
        coffee.category_detailed.as_deref(),
        Some("FOOD_AND_DRINK_COFFEE")
    );
    assert_eq!(coffee.payment_channel, "in store");
    assert!(!coffee.pending);
    assert_eq!(page.transactions[4].account_name, "Card");
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_filter_narrows_the_list(db: PgPool) {
    let app = spawn_app(db).await;
    let Person { client, user_id } = app.sign_up("alice").await;
    let home = household(&app.db, user_id).await;
    let checking = home.checking.account_id.to_string();
    let zeta = home.savings.item_id.to_string();

    let cases: &[Case] = &[
        (&[("account_id", &checking)], &["Blue Bottle", "Paycheck"]),
        (&[("item_id", &zeta)], &["Interest"]),
        (
            &[("category", "FOOD_AND_DRINK")],
            &["Blue Bottle", "Groceries", "COFFEE SHOP 123"],
        ),
        (
            &[("category", "FOOD_AND_DRINK_COFFEE")],
            &["Blue Bottle", "COFFEE SHOP 123"],
        ),
        (&[("category", "INCOME_WAGES")], &["Paycheck"]),
        (&[("category", "food_and_drink")], &[]),
        (&[("q", "coffee")], &["Blue Bottle", "COFFEE SHOP 123"]),
        (&[("q", "united")], &["Airline"]),
        (&[("q", "PAYCH")], &["Paycheck"]),
        (&[("q", "bottle coffee")], &["Blue Bottle"]),
        (
            &[("from", "2026-03-01")],
            &["Blue Bottle", "Groceries", "Paycheck"],
        ),
        (
            &[("to", "2026-02-28")],
            &["Interest", "Airline", "COFFEE SHOP 123"],
        ),
        (
            &[("from", "2026-02-28"), ("to", "2026-03-01")],
            &["Paycheck", "Interest"],
        ),
        (&[("pending", "true")], &["Groceries", "COFFEE SHOP 123"]),
        (
            &[("pending", "false")],
            &["Blue Bottle", "Paycheck", "Interest", "Airline"],
        ),
        (
            &[("min_amount", "4.50")],
            &["Blue Bottle", "Groceries", "Airline"],
        ),
        (&[("max_amount", "0")], &["Paycheck", "Interest"]),
        (
            &[("min_amount", "-2"), ("max_amount", "4.5")],
            &["Blue Bottle", "Interest", "COFFEE SHOP 123"],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(names(&app, &client, query).await, *expected, "{query:?}");
    }

    // Combined, every filter must hold.
    let card = home.card.account_id.to_string();
    let combined: &[Case] = &[
        (
            &[("account_id", &card), ("pending", "true"), ("q", "coffee")],
            &["COFFEE SHOP 123"],
        ),
        (
            &[
                ("category", "FOOD_AND_DRINK"),
                ("max_amount", "10"),
                ("from", "2026-03-01"),
            ],
            &["Blue Bottle"],
        ),
        (&[("item_id", &zeta), ("category", "INCOME_WAGES")], &[]),
    ];
    for (query, expected) in combined {
        assert_eq!(names(&app, &client, query).await, *expected, "{query:?}");
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_shared_filter_type_is_what_the_server_reads(db: PgPool) {
    let app = spawn_app(db).await;
    let Person { client, user_id } = app.sign_up("alice").await;
    let home = household(&app.db, user_id).await;
    let filter = TransactionFilter {
        account_id: Some(home.card.account_id.into()),
        category: Some("FOOD_AND_DRINK".into()),
        from: Some("2026-02-01".parse().unwrap()),
        to: Some("2026-03-31".parse().unwrap()),
        pending: Some(true),
        min_amount: Some("1".into()),
        max_amount: Some("100".into()),
        q: Some("o".into()),
        limit: Some(1),
        ..TransactionFilter::default()
    };

    let first = app.transactions(&client, &filter).await;
    let next = TransactionFilter {
        cursor: first.next_cursor.clone(),
        ..filter
    };
    let second = app.transactions(&client, &next).await;

    assert_eq!(first.transactions[0].name, "Groceries");
    assert_eq!(second.transactions[0].name, "COFFEE SHOP 123");
    assert_eq!(second.next_cursor, None);
}

/// Follows `next_cursor` from the first page to the last, returning the ids in order and the
/// size of every page.
async fn walk(app: &TestApp, client: &reqwest::Client, limit: &str) -> (Vec<Uuid>, Vec<usize>) {
    let (mut ids, mut sizes) = (Vec::new(), Vec::new());
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("limit", limit)];
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor));
        }
        let page = get_page(app, client, &query).await;
        sizes.push(page.transactions.len());
        ids.extend(page.transactions.iter().map(|t| t.id.0));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return (ids, sizes),
        }
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn pages_lose_and_repeat_nothing_even_within_one_date(db: PgPool) {
    let app = spawn_app(db).await;
    let Person { client, user_id } = app.sign_up("alice").await;
    let bank = alpha_bank(&app.db, user_id).await;
    let checking = account(bank, "Checking").insert(&app.db).await;
    let mut same_day: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    for (i, id) in same_day.iter().enumerate() {
        transaction(checking, "2026-03-01", "1.00", &format!("same day {i}"))
            .id(*id)
            .insert(&app.db)
            .await;
    }
    // Newest first, and within a date by id, descending.
    same_day.sort_by(|a, b| b.cmp(a));

    let (ids, sizes) = walk(&app, &client, "2").await;
    assert_eq!(ids, same_day);
    assert_eq!(sizes, [2, 2, 1]);

    let newer = transaction(checking, "2026-03-02", "1.00", "newer")
        .insert(&app.db)
        .await;
    let older = transaction(checking, "2026-02-28", "1.00", "older")
        .insert(&app.db)
        .await;
    let mut expected = vec![newer];
    expected.extend(&same_day);
    expected.push(older);
    for (limit, pages) in [("1", 7), ("3", 3), ("7", 1), ("500", 1)] {
        let (ids, sizes) = walk(&app, &client, limit).await;
        assert_eq!(ids, expected, "limit {limit}");
        assert_eq!(sizes.len(), pages, "limit {limit}: {sizes:?}");
    }
    // A last page that is exactly full says so: no empty page after it.
    let (_, sizes) = walk(&app, &client, "7").await;
    assert_eq!(sizes, [7]);
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_limit_is_one_to_five_hundred(db: PgPool) {
    let app = spawn_app(db).await;
    let Person { client, user_id } = app.sign_up("alice").await;
    household(&app.db, user_id).await;

    assert_eq!(refused(&app, &client, &[("limit", "0")]).await, ["limit"]);
    assert_eq!(refused(&app, &client, &[("limit", "501")]).await, ["limit"]);
    assert_eq!(refused(&app, &client, &[("limit", "-1")]).await, ["limit"]);
    assert_eq!(
        refused(&app, &client, &[("limit", "many")]).await,
        ["limit"]
    );
    let one = get_page(&app, &client, &[("limit", "1")]).await;
    assert_eq!(one.transactions.len(), 1);
    assert!(one.next_cursor.is_some());
    assert_eq!(
        get_page(&app, &client, &[("limit", "500")])
            .await
            .transactions
            .len(),
        6
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn bad_values_are_refused_by_name(db: PgPool) {
    let app = spawn_app(db).await;
    let client = app.sign_up("alice").await.client;

    let cases: &[Case] = &[
        (&[("min_amount", "ten")], &["min_amount"]),
        (&[("max_amount", "1,50")], &["max_amount"]),
        (
            &[("min_amount", "5"), ("max_amount", "4.99")],
            &["max_amount"],
        ),
        (&[("from", "2026-13-01")], &["from"]),
        (&[("to", "yesterday")], &["to"]),
        (&[("from", "2026-03-02"), ("to", "2026-03-01")], &["to"]),
        (&[("cursor", "not-a-cursor")], &["cursor"]),
        (&[("cursor", "MjAyNi0wMy0wMQ")], &["cursor"]),
        (&[("account_id", "42")], &["account_id"]),
        (&[("item_id", "x")], &["item_id"]),
        (&[("pending", "maybe")], &["pending"]),
        (
            &[("min_amount", "x"), ("from", "x"), ("limit", "0")],
            &["from", "min_amount", "limit"],
        ),
    ];
    for (query, fields) in cases {
        assert_eq!(refused(&app, &client, query).await, *fields, "{query:?}");
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn search_takes_like_wildcards_literally(db: PgPool) {
    let app = spawn_app(db).await;
    let Person { client, user_id } = app.sign_up("alice").await;
    let bank = alpha_bank(&app.db, user_id).await;
    let checking = account(bank, "Checking").insert(&app.db).await;
    for (date, name) in [
        ("2026-03-06", "50% off sale"),
        ("2026-03-05", "5000 off"),
        ("2026-03-04", "snake_case shop"),
        ("2026-03-03", "snakeXcase shop"),
        ("2026-03-02", r"back\slash"),
        ("2026-03-01", "backslash"),
    ] {
        transaction(checking, date, "1.00", name)
            .insert(&app.db)
            .await;
    }

    assert_eq!(
        names(&app, &client, &[("q", "50%")]).await,
        ["50% off sale"]
    );
    assert_eq!(
        names(&app, &client, &[("q", "e_c")]).await,
        ["snake_case shop"]
    );
    assert_eq!(
        names(&app, &client, &[("q", r"k\s")]).await,
        [r"back\slash"]
    );
    assert_eq!(names(&app, &client, &[("q", "%")]).await, ["50% off sale"]);
    assert_eq!(names(&app, &client, &[("q", "SNAKE")]).await.len(), 2);
}

#[sqlx::test(migrations = "../../migrations")]
async fn nobody_sees_anyone_elses_transactions(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await.client;
    let home = household(&app.db, alice.user_id).await;
    let alices_account = home.checking.account_id.to_string();
    let alices_item = home.checking.item_id.to_string();

    assert_eq!(
        names(&app, &alice.client, &[("account_id", &alices_account)])
            .await
            .len(),
        2
    );
    assert!(names(&app, &bob, &[]).await.is_empty());
    // Another user's account or item is not an error: it matches nothing of Bob's.
    assert!(names(&app, &bob, &[("account_id", &alices_account)])
        .await
        .is_empty());
    assert!(names(&app, &bob, &[("item_id", &alices_item)])
        .await
        .is_empty());
    // Nor does Alice's cursor open her rows to Bob.
    let alices_cursor = get_page(&app, &alice.client, &[("limit", "1")])
        .await
        .next_cursor
        .unwrap();
    assert!(names(&app, &bob, &[("cursor", &alices_cursor)])
        .await
        .is_empty());
}

#[sqlx::test(migrations = "../../migrations")]
async fn logged_out_is_unauthorized(db: PgPool) {
    let app = spawn_app(db).await;

    for path in [
        "/api/transactions",
        "/api/transactions/export.csv",
        "/api/transactions?limit=0",
    ] {
        assert_unauthorized(app.get(path).await).await;
    }
}
