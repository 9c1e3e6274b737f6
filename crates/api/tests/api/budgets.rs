//! `/api/budgets` against hand-computed months: rollover of both signs, a parent's budget over
//! its children, split parts, hidden transactions and transfers, edits from a month onward,
//! copying, alerts once per threshold (also across a restart), other people's ids, and bad
//! input; and, over randomized transactions, each budget's spending against a row-by-row sum.

use crate::api_calls::{decoded, named_fields, Person};
use crate::banking_support::{plaid_item_id, wait_until_matches_bank};
use crate::fixtures::{account, alpha_bank, transaction, AccountRef, ItemRef};
use crate::forecast::{insert_stream, StreamSpec};
use crate::helpers::{spawn_app, TestApp};
use crate::insights_fixtures::dec;
use crate::labels_sync::{a_pending, ours, posted_for};
use crate::simulator_support::advance_clock;
use crate::splits::part;
use crate::transfers::pair;
use crate::ws::{connect, next_event, next_event_within, register, Socket, User, QUIET};
use chrono::{Datelike, Months, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Client, Response, StatusCode};
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::PgPool;
use std::collections::HashMap;
use std::fmt::Display;
use tally_shared::api::budgets::{Budget, BudgetHistory, BudgetMonth, BudgetStatus, BudgetsCopied};
use tally_shared::api::transactions::Transaction;
use tally_shared::ids::CategoryId;
use tally_shared::ws::ServerEvent;
use tally_shared::ApiError;

const GROCERIES: (&str, &str) = ("FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES");
const COFFEE: (&str, &str) = ("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE");
const RESTAURANTS: (&str, &str) = ("FOOD_AND_DRINK", "FOOD_AND_DRINK_RESTAURANT");
const SHOPPING: (&str, &str) = ("GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_SUPERSTORES");

impl TestApp {
    pub async fn put_budget(
        &self,
        client: &Client,
        category: impl Display,
        body: serde_json::Value,
    ) -> Response {
        client
            .put(self.url(&format!("/api/budgets/{category}")))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn budgets(&self, client: &Client, month: &str) -> BudgetMonth {
        self.get_json(client, &format!("/api/budgets?month={month}"))
            .await
    }
}

/// This month (UTC, as the server counts) and the `back` months before it, as `YYYY-MM`.
fn month(back: u32) -> String {
    let first = Utc::now().date_naive().with_day(1).unwrap();
    let m = first.checked_sub_months(Months::new(back)).unwrap();
    format!("{:04}-{:02}", m.year(), m.month())
}

/// Day `day` of the month `back` months ago.
fn date(back: u32, day: u32) -> String {
    format!("{}-{day:02}", month(back))
}

fn budget_of(view: &BudgetMonth, category: CategoryId) -> &Budget {
    view.budgets
        .iter()
        .find(|b| b.category_id == category)
        .unwrap_or_else(|| panic!("no budget for {category} in {}", view.month))
}

async fn set(app: &TestApp, person: &Person, category: CategoryId, body: serde_json::Value) {
    decoded::<BudgetMonth>(
        app.put_budget(&person.client, category, body).await,
        StatusCode::OK,
    )
    .await;
}

/// An app, Ana signed in, and her checking account.
async fn ana_with_checking(db: &PgPool) -> (TestApp, Person, AccountRef) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let checking = account(alpha_bank(db, ana.user_id).await, "Checking")
        .insert(db)
        .await;
    (app, ana, checking)
}

/// The month's unbudgeted spending, as (category, amount).
fn unbudgeted_of(view: &BudgetMonth) -> Vec<(CategoryId, Decimal)> {
    view.unbudgeted
        .iter()
        .map(|u| (u.category_id, u.spent))
        .collect()
}

async fn spend(
    db: &PgPool,
    on: AccountRef,
    back: u32,
    day: u32,
    amount: &str,
    (primary, detailed): (&str, &str),
) -> uuid::Uuid {
    transaction(on, &date(back, day), amount, detailed)
        .merchant(detailed)
        .category(primary, detailed)
        .insert(db)
        .await
}

#[sqlx::test(migrations = "../../migrations")]
async fn leftovers_and_overspending_roll_over_for_three_months(db: PgPool) {
    let (app, ana, checking) = ana_with_checking(&db).await;
    let groceries = app.plaid_category(&ana.client, GROCERIES.1).await;
    set(
        &app,
        &ana,
        groceries,
        json!({"amount": "100", "currency": "USD", "rollover": true, "from_month": month(2)}),
    )
    .await;

    // Two months ago: 100 budgeted, 70 spent (80 less a 10 refund): 30 left, carried.
    spend(&db, checking, 2, 3, "80.00", GROCERIES).await;
    spend(&db, checking, 2, 9, "-10.00", GROCERIES).await;
    // Last month: 130 available, 150 spent: 20 overspent, carried.
    spend(&db, checking, 1, 4, "150.00", GROCERIES).await;
    // This month: 80 available, 5 spent.
    spend(&db, checking, 0, 1, "5.00", GROCERIES).await;

    let expected = [
        (2, "0", "100", "70.00", "30.00", BudgetStatus::OnTrack),
        (1, "30.00", "130.00", "150.00", "-20.00", BudgetStatus::Over),
        (0, "-20.00", "80.00", "5.00", "75.00", BudgetStatus::OnTrack),
    ];
    for (back, rolled, available, spent, remaining, status) in expected {
        let view = app.budgets(&ana.client, &month(back)).await;
        let b = budget_of(&view, groceries);
        assert_eq!(
            (b.rolled_over, b.available, b.spent, b.remaining, b.status),
            (
                dec(rolled),
                dec(available),
                dec(spent),
                dec(remaining),
                status
            ),
            "{}",
            month(back)
        );
        assert_eq!(b.budgeted, dec("100"));
        assert_eq!(view.totals.len(), 1);
        assert_eq!(
            (view.totals[0].available, view.totals[0].spent),
            (b.available, b.spent)
        );
    }
    let now = app.budgets(&ana.client, &month(0)).await;
    let today = Utc::now().date_naive();
    let days_left = month_end(today).day() - today.day() + 1;
    assert_eq!(now.days_left, days_left);
    assert_eq!(
        now.totals[0].left_per_day,
        Some((dec("75.00") / Decimal::from(days_left)).round_dp(2))
    );
    assert_eq!(
        app.budgets(&ana.client, &month(1)).await.totals[0].left_per_day,
        None
    );

    let history: BudgetHistory = app
        .get_json(
            &ana.client,
            &format!("/api/budgets/{groceries}/history?months=4"),
        )
        .await;
    let rows: Vec<_> = history
        .months
        .iter()
        .map(|m| (m.month.clone(), m.budgeted, m.rolled_over, m.spent))
        .collect();
    assert_eq!(
        rows,
        [
            (month(3), None, dec("0"), dec("0")),
            (month(2), Some(dec("100")), dec("0"), dec("70.00")),
            (month(1), Some(dec("100")), dec("30.00"), dec("150.00")),
            (month(0), Some(dec("100")), dec("-20.00"), dec("5.00")),
        ]
    );

    // Without rollover last month, nothing carries into this one; earlier months keep theirs.
    set(
        &app,
        &ana,
        groceries,
        json!({"amount": "100", "currency": "USD", "rollover": false, "from_month": month(1)}),
    )
    .await;
    let b = budget_of(&app.budgets(&ana.client, &month(1)).await, groceries).clone();
    assert_eq!((b.rolled_over, b.rollover), (dec("30.00"), false));
    let b = budget_of(&app.budgets(&ana.client, &month(0)).await, groceries).clone();
    assert_eq!((b.rolled_over, b.available), (dec("0"), dec("100")));
}

fn month_end(day: NaiveDate) -> NaiveDate {
    day.with_day(1)
        .unwrap()
        .checked_add_months(Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_parent_budget_covers_its_children_once_in_the_totals(db: PgPool) {
    let (app, ana, checking) = ana_with_checking(&db).await;
    let food = app.plaid_category(&ana.client, "FOOD_AND_DRINK").await;
    let coffee = app.plaid_category(&ana.client, COFFEE.1).await;
    let shopping = app.plaid_category(&ana.client, SHOPPING.1).await;
    spend(&db, checking, 0, 1, "50.00", GROCERIES).await;
    spend(&db, checking, 0, 1, "20.00", COFFEE).await;
    spend(&db, checking, 0, 2, "30.00", RESTAURANTS).await;
    spend(&db, checking, 0, 2, "45.00", SHOPPING).await;
    // Hidden: left out of every budget.
    let hidden = spend(&db, checking, 0, 2, "500.00", GROCERIES).await;
    sqlx::query("update bank_transaction set user_hidden = true where transaction_id = $1")
        .bind(hidden)
        .execute(&db)
        .await
        .unwrap();
    // Another month: not this one's.
    spend(&db, checking, 1, 20, "99.00", COFFEE).await;
    // Paired by hand as a transfer between her own accounts: both sides left out.
    let savings = account(
        ItemRef {
            item_id: checking.item_id,
            user_id: checking.user_id,
        },
        "Savings",
    )
    .insert(&db)
    .await;
    let out = spend(&db, checking, 0, 3, "40.00", GROCERIES).await;
    let back = spend(&db, savings, 0, 4, "-40.00", GROCERIES).await;
    assert_eq!(pair(&app, &ana, out, back).await.status(), StatusCode::OK);

    set(
        &app,
        &ana,
        food,
        json!({"amount": "200", "currency": "USD", "rollover": false}),
    )
    .await;
    set(
        &app,
        &ana,
        coffee,
        json!({"amount": "25", "currency": "USD", "rollover": false}),
    )
    .await;
    let view = app.budgets(&ana.client, &month(0)).await;
    let food_budget = budget_of(&view, food);
    assert_eq!(
        (food_budget.spent, food_budget.within_parent),
        (dec("100.00"), false)
    );
    assert_eq!(food_budget.percent_used, Some(dec("50.0")));
    let coffee_budget = budget_of(&view, coffee);
    assert_eq!(
        (coffee_budget.spent, coffee_budget.within_parent),
        (dec("20.00"), true)
    );
    assert_eq!(coffee_budget.status, BudgetStatus::Near);
    // The coffee budget is inside the food one: 200 budgeted and 100 spent, not 225 and 120.
    assert_eq!(
        (view.totals[0].budgeted, view.totals[0].spent),
        (dec("200"), dec("100.00"))
    );
    // Shopping escapes the plan.
    assert_eq!(unbudgeted_of(&view), [(shopping, dec("45.00"))]);
}

#[sqlx::test(migrations = "../../migrations")]
async fn split_parts_count_under_their_own_categories(db: PgPool) {
    let (app, ana, checking) = ana_with_checking(&db).await;
    let groceries = app.plaid_category(&ana.client, GROCERIES.1).await;
    let shopping = app.plaid_category(&ana.client, SHOPPING.1).await;
    let costco = spend(&db, checking, 0, 1, "100.00", GROCERIES).await;
    set(
        &app,
        &ana,
        groceries,
        json!({"amount": "80", "currency": "USD", "rollover": false}),
    )
    .await;
    assert_eq!(
        budget_of(&app.budgets(&ana.client, &month(0)).await, groceries).spent,
        dec("100.00")
    );

    decoded::<Transaction>(
        app.put_splits(
            &ana.client,
            costco,
            &[
                part("60.00", groceries, None),
                part("40.00", shopping, None),
            ],
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let view = app.budgets(&ana.client, &month(0)).await;
    assert_eq!(budget_of(&view, groceries).spent, dec("60.00"));
    assert_eq!(unbudgeted_of(&view), [(shopping, dec("40.00"))]);
}

#[sqlx::test(migrations = "../../migrations")]
async fn edits_from_a_month_onward_keep_the_past(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let groceries = app.plaid_category(&ana.client, GROCERIES.1).await;
    let coffee = app.plaid_category(&ana.client, COFFEE.1).await;
    set(
        &app,
        &ana,
        groceries,
        json!({"amount": "100", "currency": "USD", "from_month": month(2)}),
    )
    .await;
    set(
        &app,
        &ana,
        groceries,
        json!({"amount": "150.50", "currency": "USD", "from_month": month(0)}),
    )
    .await;
    let amounts = |view: &BudgetMonth| {
        view.budgets
            .iter()
            .map(|b| (b.category_id, b.budgeted, b.since.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        amounts(&app.budgets(&ana.client, &month(1)).await),
        [(groceries, dec("100"), month(2))]
    );
    assert_eq!(
        amounts(&app.budgets(&ana.client, &month(0)).await),
        [(groceries, dec("150.50"), month(0))]
    );
    assert_eq!(amounts(&app.budgets(&ana.client, &month(3)).await), []);

    // Setting from two months ago onward replaces this month's too.
    set(
        &app,
        &ana,
        groceries,
        json!({"amount": "90", "currency": "USD", "from_month": month(2)}),
    )
    .await;
    assert_eq!(
        amounts(&app.budgets(&ana.client, &month(0)).await),
        [(groceries, dec("90"), month(2))]
    );

    // Deleting from this month on keeps last month's.
    let this_month_on = format!("/api/budgets/{groceries}?from_month={}", month(0));
    let end_this_month = || app.delete(&ana.client, &this_month_on);
    assert_eq!(end_this_month().await.status(), StatusCode::NO_CONTENT);
    assert_eq!(amounts(&app.budgets(&ana.client, &month(0)).await), []);
    assert_eq!(
        amounts(&app.budgets(&ana.client, &month(1)).await),
        [(groceries, dec("90"), month(2))]
    );
    assert_eq!(end_this_month().await.status(), StatusCode::NOT_FOUND);

    // Copying last month's budgets into this month.
    set(
        &app,
        &ana,
        coffee,
        json!({"amount": "30", "currency": "EUR", "from_month": month(1)}),
    )
    .await;
    let copied: BudgetsCopied = decoded(
        ana.client
            .post(app.url("/api/budgets/copy"))
            .json(&json!({"from_month": month(1), "to_month": month(0)}))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(copied.copied, 2);
    let mut now = amounts(&app.budgets(&ana.client, &month(0)).await);
    now.sort();
    let mut expected = vec![
        (groceries, dec("90"), month(0)),
        (coffee, dec("30"), month(0)),
    ];
    expected.sort();
    assert_eq!(now, expected);
}

#[sqlx::test(migrations = "../../migrations")]
async fn bad_input_and_other_peoples_ids_are_refused(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    let groceries = app.plaid_category(&ana.client, GROCERIES.1).await;
    let salary = app.plaid_category(&ana.client, "INCOME_SALARY").await;
    let anas_own = app.own_category(&ana.client, "Treats", "spending").await;

    let refused = |response: Response, status: StatusCode| async move {
        decoded::<ApiError>(response, status).await
    };
    // Each invalid body names every field it got wrong.
    let invalid = [
        (
            groceries,
            json!({"amount": "-5", "currency": "XYZ"}),
            &["amount", "currency"][..],
        ),
        (
            groceries,
            json!({"amount": "5", "currency": "USD", "from_month": "2026-13"}),
            &["from_month"],
        ),
        (
            salary,
            json!({"amount": "5", "currency": "USD"}),
            &["category_id"],
        ),
    ];
    for (category, body, fields) in invalid {
        let response = app.put_budget(&ana.client, category, body).await;
        let error = refused(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(named_fields(&error), fields);
    }
    refused(
        app.put_budget(
            &ana.client,
            groceries,
            json!({"amount": "5", "currency": "USD", "limit": 3}),
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    refused(
        app.get_from(&ana.client, "/api/budgets?month=May").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    refused(
        app.get_from(
            &ana.client,
            &format!("/api/budgets/{groceries}/history?months=61"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(app.budgets(&ana.client, &month(0)).await.budgets.is_empty());

    // Ana's own category is no one else's.
    set(
        &app,
        &ana,
        anas_own,
        json!({"amount": "10", "currency": "USD"}),
    )
    .await;
    refused(
        app.put_budget(
            &bob.client,
            anas_own,
            json!({"amount": "5", "currency": "USD"}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    refused(
        app.delete(&bob.client, &format!("/api/budgets/{anas_own}"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    refused(
        app.get_from(&bob.client, &format!("/api/budgets/{anas_own}/history"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(app.budgets(&bob.client, &month(0)).await.budgets.is_empty());
    assert_eq!(app.budgets(&ana.client, &month(0)).await.budgets.len(), 1);
}

/// Sets a budget of 100 USD on `category` as `user`, and sees the change announced.
async fn set_100(app: &TestApp, user: &User, socket: &mut Socket, category: CategoryId) {
    let body = json!({"amount": "100", "currency": "USD"});
    decoded::<BudgetMonth>(
        app.put_budget(&user.tab, category, body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(next_event(socket).await, Some(ServerEvent::BudgetsChanged));
}

#[sqlx::test(migrations = "../../migrations")]
async fn alerts_come_once_per_threshold_even_after_a_restart(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = register(&app, "ana").await;
    let checking = account(alpha_bank(&db, ana.id).await, "Checking")
        .insert(&db)
        .await;
    let groceries = app.plaid_category(&ana.tab, GROCERIES.1).await;
    spend(&db, checking, 0, 1, "85.00", GROCERIES).await;
    let alert = |threshold| ServerEvent::BudgetAlert {
        category_id: groceries,
        category_name: "Groceries".to_owned(),
        month: month(0),
        threshold,
    };

    let mut socket = connect(&app, &ana).await;
    set_100(&app, &ana, &mut socket, groceries).await;
    assert_eq!(next_event(&mut socket).await, Some(alert(80)));
    set_100(&app, &ana, &mut socket, groceries).await;
    assert_eq!(next_event_within(&mut socket, QUIET).await, None);

    // A restarted server remembers what it sent.
    drop(socket);
    let restarted = spawn_app(db.clone()).await;
    let mut socket = connect(&restarted, &ana).await;
    set_100(&restarted, &ana, &mut socket, groceries).await;
    assert_eq!(next_event_within(&mut socket, QUIET).await, None);

    // Past 100%: the second threshold, once.
    spend(&db, checking, 0, 2, "20.00", GROCERIES).await;
    set_100(&restarted, &ana, &mut socket, groceries).await;
    assert_eq!(next_event(&mut socket).await, Some(alert(100)));
    set_100(&restarted, &ana, &mut socket, groceries).await;
    assert_eq!(next_event_within(&mut socket, QUIET).await, None);
    let sent: i64 = sqlx::query_scalar("select count(*) from budget_alert where user_id = $1")
        .bind(ana.id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(sent, 2);
}

/// Random spending over three months in a few categories, some hidden, some pending, some
/// refunds, in two currencies; random budgets (some on a primary) with rollover. Each budget's
/// spending equals a row-by-row sum over what was inserted, and each month's available equals
/// the rollover worked out by hand from those sums.
#[sqlx::test(migrations = "../../migrations")]
async fn budgets_equal_a_row_by_row_computation_on_random_data(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let item = alpha_bank(&db, ana.user_id).await;
    let usd = account(item, "Checking").insert(&db).await;
    let eur = account(item, "Euro card")
        .currency(Some("EUR"), None)
        .insert(&db)
        .await;
    let kinds = [GROCERIES, COFFEE, RESTAURANTS, SHOPPING];
    let mut ids = HashMap::new();
    for (_, detailed) in kinds {
        ids.insert(detailed, app.plaid_category(&ana.client, detailed).await);
    }
    let food = app.plaid_category(&ana.client, "FOOD_AND_DRINK").await;

    for seed in 0..3u64 {
        sqlx::query("delete from bank_transaction where user_id = $1")
            .bind(ana.user_id)
            .execute(&db)
            .await
            .unwrap();
        let mut rng = StdRng::seed_from_u64(seed);
        // (back, currency, detailed, amount) of what counts.
        let mut counted: Vec<(u32, &str, &str, Decimal)> = Vec::new();
        for _ in 0..120 {
            let back = rng.random_range(0..3u32);
            let (primary, detailed) = kinds[rng.random_range(0..kinds.len())];
            let cents: i64 = rng.random_range(-2_000..20_000);
            let amount = Decimal::new(cents, 2);
            let (on, currency) = if rng.random_bool(0.2) {
                (eur, "EUR")
            } else {
                (usd, "USD")
            };
            let hidden = rng.random_bool(0.1);
            let mut t = transaction(
                on,
                &date(back, rng.random_range(1..=28)),
                &amount.to_string(),
                detailed,
            )
            .category(primary, detailed);
            if currency == "EUR" {
                t = t.currency(Some("EUR"));
            }
            if rng.random_bool(0.1) {
                t = t.pending();
            }
            let id = t.insert(&db).await;
            if hidden {
                sqlx::query(
                    "update bank_transaction set user_hidden = true where transaction_id = $1",
                )
                .bind(id)
                .execute(&db)
                .await
                .unwrap();
            } else {
                counted.push((back, currency, detailed, amount));
            }
        }
        // Budgets: food (USD, rollover) covering groceries/coffee/restaurants, shopping in EUR
        // (rollover or not), coffee on its own in USD.
        let rollover = rng.random_bool(0.5);
        set(
            &app,
            &ana,
            food,
            json!({"amount": "300", "currency": "USD", "rollover": true, "from_month": month(2)}),
        )
        .await;
        set(&app, &ana, ids[SHOPPING.1], json!({"amount": "50", "currency": "EUR", "rollover": rollover, "from_month": month(2)})).await;
        set(
            &app,
            &ana,
            ids[COFFEE.1],
            json!({"amount": "40", "currency": "USD", "rollover": false, "from_month": month(1)}),
        )
        .await;

        let spent = |back: u32, currency: &str, covers: &[&str]| -> Decimal {
            counted
                .iter()
                .filter(|(b, c, d, _)| *b == back && *c == currency && covers.contains(d))
                .map(|(_, _, _, amount)| *amount)
                .sum()
        };
        let food_covers = [GROCERIES.1, COFFEE.1, RESTAURANTS.1];
        let mut food_carry = Decimal::ZERO;
        let mut shop_carry = Decimal::ZERO;
        for back in [2, 1, 0] {
            let view = app.budgets(&ana.client, &month(back)).await;
            let f = budget_of(&view, food);
            assert_eq!(
                (f.spent, f.rolled_over),
                (spent(back, "USD", &food_covers), food_carry),
                "seed {seed}, food, {}",
                month(back)
            );
            food_carry = dec("300") + food_carry - f.spent;
            let s = budget_of(&view, ids[SHOPPING.1]);
            assert_eq!(
                (s.spent, s.rolled_over),
                (spent(back, "EUR", &[SHOPPING.1]), shop_carry),
                "seed {seed}, shopping, {}",
                month(back)
            );
            shop_carry = if rollover {
                dec("50") + shop_carry - s.spent
            } else {
                Decimal::ZERO
            };
            if back < 2 {
                let c = budget_of(&view, ids[COFFEE.1]);
                assert_eq!(
                    (c.spent, c.rolled_over, c.within_parent),
                    (spent(back, "USD", &[COFFEE.1]), Decimal::ZERO, true)
                );
            }
            // Unbudgeted: USD shopping and EUR food, per category, when positive.
            let mut expected: Vec<(CategoryId, String, Decimal)> = Vec::new();
            for (detailed, currency) in [
                (SHOPPING.1, "USD"),
                (GROCERIES.1, "EUR"),
                (COFFEE.1, "EUR"),
                (RESTAURANTS.1, "EUR"),
            ] {
                let amount = spent(back, currency, &[detailed]);
                if amount > Decimal::ZERO
                    && counted
                        .iter()
                        .any(|(b, c, d, _)| *b == back && *c == currency && *d == detailed)
                {
                    expected.push((ids[detailed], currency.to_owned(), amount));
                }
            }
            let mut got: Vec<_> = view
                .unbudgeted
                .iter()
                .map(|u| (u.category_id, u.currency.clone(), u.spent))
                .collect();
            expected.sort();
            got.sort();
            assert_eq!(got, expected, "seed {seed}, unbudgeted, {}", month(back));
        }
    }
}

/// This month's totals carry what confirmed recurring bills are still expected to take from
/// today to the month's end: each weekly occurrence, not a suggested stream, not income.
#[sqlx::test(migrations = "../../migrations")]
async fn committed_bills_are_the_confirmed_outflows_left_this_month(db: PgPool) {
    let (app, ana, checking) = ana_with_checking(&db).await;
    let groceries = app.plaid_category(&ana.client, GROCERIES.1).await;
    set(
        &app,
        &ana,
        groceries,
        json!({"amount": "100", "currency": "USD"}),
    )
    .await;
    let today = Utc::now().date_naive();
    let stream = |direction, amount, state| {
        let mut spec = StreamSpec::mature(direction, "weekly", amount, today);
        spec.state = state;
        spec
    };
    let (user, item, account) = (checking.user_id, checking.item_id, checking.account_id);
    insert_stream(
        &db,
        user,
        item,
        account,
        stream("outflow", "10.00", "confirmed"),
    )
    .await;
    insert_stream(
        &db,
        user,
        item,
        account,
        stream("outflow", "99.00", "suggested"),
    )
    .await;
    insert_stream(
        &db,
        user,
        item,
        account,
        stream("inflow", "1000.00", "confirmed"),
    )
    .await;

    // Today, then every seventh day up to the month's last.
    let weeks = today
        .iter_days()
        .take_while(|day| *day <= month_end(today))
        .step_by(7)
        .count();
    let view = app.budgets(&ana.client, &month(0)).await;
    assert_eq!(view.totals[0].committed, Decimal::from(10 * weeks));
    // Another month's totals have nothing committed.
    let last = app.budgets(&ana.client, &month(1)).await;
    assert!(last.totals.iter().all(|t| t.committed.is_zero()));
}

/// A pending charge counts in its budget, and when it posts (the bank's clock moves on and it
/// says so by webhook) it still counts once: the month's spending equals a row-by-row sum
/// before and after.
#[sqlx::test(migrations = "../../migrations")]
async fn a_pending_charge_that_posts_counts_once(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let item = app.link_bank(&ana.client, "user_good").await;
    let plaid_item = plaid_item_id(&db, &item).await;
    let (pending_plaid, amount) = a_pending(&db, &plaid_item).await;
    let pending = ours(&db, &pending_plaid).await.unwrap();
    let (category, date): (uuid::Uuid, NaiveDate) =
        sqlx::query_as("select category_id, date from bank_transaction where transaction_id = $1")
            .bind(pending)
            .fetch_one(&db)
            .await
            .unwrap();
    let category = CategoryId(category);
    let month = date_month(date);
    set(
        &app,
        &ana,
        category,
        json!({"amount": "1000", "currency": "USD", "from_month": month}),
    )
    .await;
    // Row by row: the month's transactions in the category (pending too), none hidden or paired.
    let by_hand = || async {
        let amounts: Vec<Decimal> = sqlx::query_scalar(
            "select amount from bank_transaction
             where user_id = $1 and category_id = $2 and to_char(date, 'YYYY-MM') = $3
               and not hidden and transfer_pair_id is null",
        )
        .bind(ana.user_id)
        .bind(category.0)
        .bind(&month)
        .fetch_all(&db)
        .await
        .unwrap();
        amounts.into_iter().sum::<Decimal>()
    };
    let spent = |view: BudgetMonth| budget_of(&view, category).spent;
    let before = spent(app.budgets(&ana.client, &month).await);
    assert_eq!(before, by_hand().await);

    advance_clock(&app, 2).await;
    wait_until_matches_bank(&db, &item).await;
    assert_eq!(ours(&db, &pending_plaid).await, None);
    let posted = posted_for(&db, &pending_plaid).await;
    let posted_amount: Decimal =
        sqlx::query_scalar("select amount from bank_transaction where transaction_id = $1")
            .bind(posted)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(posted_amount, amount);
    let after = spent(app.budgets(&ana.client, &month).await);
    assert_eq!(after, by_hand().await);
}

fn date_month(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}
