//! `/api/insights/spending` on the person's labels, against a hand-computed April: a
//! recategorised transaction moves, one put in a category of another kind stops counting, a
//! hidden one stops counting, a split one counts by its parts, and the person's own categories
//! roll up under their parent while keeping their own kind.

use super::spending::{category, detailed, merchant, totals};
use crate::api_calls::{decoded, new_category, Person};
use crate::fixtures::{account, alpha_bank, money, transaction};
use crate::helpers::{spawn_app, TestApp};
use crate::insights_fixtures::dec;
use crate::splits::part;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use sqlx::PgPool;
use tally_shared::api::categories::{Category, CategoryChanges};
use tally_shared::api::insights::{CurrencySpending, Spending};
use tally_shared::api::transactions::Transaction;
use tally_shared::ids::CategoryId;
use uuid::Uuid;

const COFFEE: (&str, &str) = ("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE");
const GROCERIES: (&str, &str) = ("FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES");
const ELECTRONICS: (&str, &str) = ("GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_ELECTRONICS");

/// April's USD spending as `person` sees it.
async fn april(app: &TestApp, person: &Person) -> CurrencySpending {
    let spending: Spending = app
        .get_json(
            &person.client,
            "/api/insights/spending?from=2026-04-01&to=2026-04-30",
        )
        .await;
    assert_eq!(spending.currencies.len(), 1);
    spending.currencies.into_iter().next().unwrap()
}

async fn total_and_refunds(app: &TestApp, person: &Person) -> (Decimal, Decimal) {
    let usd = april(app, person).await;
    (usd.total, usd.refunds)
}

/// Sets one of the person's own columns of a transaction, as the edit route will.
async fn set_column(db: &PgPool, id: Uuid, column: &str, value: impl ToString) {
    sqlx::query(&format!(
        "update bank_transaction set {column} = $2::text::{} where transaction_id = $1",
        if column.ends_with("hidden") {
            "boolean"
        } else {
            "uuid"
        }
    ))
    .bind(id)
    .bind(value.to_string())
    .execute(db)
    .await
    .unwrap();
}

async fn split(app: &TestApp, person: &Person, id: Uuid, parts: &[(&str, CategoryId)]) {
    let parts: Vec<_> = parts
        .iter()
        .map(|(amount, category)| part(amount, *category, None))
        .collect();
    decoded::<Transaction>(
        app.put_splits(&person.client, id, &parts).await,
        StatusCode::OK,
    )
    .await;
}

/// Gives `person`'s category `id` the kind `kind`.
pub(super) async fn set_kind(app: &TestApp, person: &Person, id: CategoryId, kind: &str) {
    let changes = CategoryChanges {
        kind: Some(kind.to_owned()),
        ..CategoryChanges::default()
    };
    decoded::<Category>(
        app.update_category(&person.client, id, &changes).await,
        StatusCode::OK,
    )
    .await;
}

/// A new category of `person`'s own under `parent`, of kind `kind`.
pub(super) async fn own_child(
    app: &TestApp,
    person: &Person,
    name: &str,
    parent: CategoryId,
    kind: &str,
) -> CategoryId {
    let request = new_category(name, Some(parent), kind);
    decoded::<Category>(
        app.create_category(&person.client, &request).await,
        StatusCode::CREATED,
    )
    .await
    .id
}

#[sqlx::test(migrations = "../../migrations")]
async fn spending_counts_the_effective_category_kind_hidden_flag_and_parts(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    let checking = account(alpha_bank(&db, ana.user_id).await, "Checking")
        .insert(&db)
        .await;
    let buy = |date, amount, name, (primary, detailed): (&str, &str)| {
        transaction(checking, date, amount, name)
            .merchant(name)
            .category(primary, detailed)
    };
    buy("2026-04-02", "120.00", "Whole Foods", GROCERIES)
        .insert(&db)
        .await;
    buy("2026-04-03", "4.50", "Starbucks", COFFEE)
        .insert(&db)
        .await;
    let treat = buy("2026-04-04", "5.50", "Starbucks", COFFEE)
        .insert(&db)
        .await;
    let laptop = buy("2026-04-05", "300.00", "Best Buy", ELECTRONICS)
        .insert(&db)
        .await;
    let amazon = buy(
        "2026-04-06",
        "50.00",
        "Amazon",
        (
            "GENERAL_MERCHANDISE",
            "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES",
        ),
    )
    .insert(&db)
    .await;
    let hotel = buy(
        "2026-04-07",
        "210.00",
        "Hilton",
        ("TRAVEL", "TRAVEL_LODGING"),
    )
    .insert(&db)
    .await;
    let costco = buy("2026-04-08", "100.00", "Costco", GROCERIES)
        .insert(&db)
        .await;
    buy("2026-04-09", "-20.00", "Whole Foods", GROCERIES)
        .insert(&db)
        .await;
    // Money in that Plaid could not place: not a refund until the person says what it was.
    let mystery = transaction(checking, "2026-04-10", "-15.00", "MYSTERY CREDIT")
        .insert(&db)
        .await;
    transaction(checking, "2026-04-11", "3.00", "ATM FEE")
        .category("BANK_FEES", "BANK_FEES_ATM_FEES")
        .insert(&db)
        .await;
    let target = buy(
        "2026-04-12",
        "40.00",
        "Target",
        ("GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_SUPERSTORES"),
    )
    .insert(&db)
    .await;
    let taxi = buy(
        "2026-04-13",
        "30.00",
        "Uber",
        ("TRANSPORTATION", "TRANSPORTATION_TAXIS_AND_RIDE_SHARES"),
    )
    .insert(&db)
    .await;
    let groceries = app
        .plaid_category(&ana.client, "FOOD_AND_DRINK_GROCERIES")
        .await;
    let electronics = app
        .plaid_category(&ana.client, "GENERAL_MERCHANDISE_ELECTRONICS")
        .await;
    let savings = app
        .plaid_category(&ana.client, "TRANSFER_OUT_SAVINGS")
        .await;
    let atm_fees = app.plaid_category(&ana.client, "BANK_FEES_ATM_FEES").await;
    let taxis = app
        .plaid_category(&ana.client, "TRANSPORTATION_TAXIS_AND_RIDE_SHARES")
        .await;
    let treats = app.own_category(&ana.client, "Treats", "spending").await;
    let work = app
        .own_category(&ana.client, "Work expenses", "transfer")
        .await;

    // As Plaid has it: 120 + 4.50 + 5.50 + 300 + 50 + 210 + 100 + 3 + 40 + 30 spent, the
    // grocer's 20 back; the mystery credit is no refund.
    assert_eq!(
        total_and_refunds(&app, &ana).await,
        (dec("863.00"), dec("20.00"))
    );

    // A recategorised coffee moves from Coffee to Treats; the total stays.
    set_column(&db, treat, "user_category_id", treats).await;
    let usd = april(&app, &ana).await;
    assert_eq!(usd.total, dec("863.00"));
    let coffee = &totals(&usd.categories)
        .into_iter()
        .find(|c| c.category == "FOOD_AND_DRINK")
        .unwrap()
        .detailed;
    assert!(
        coffee.contains(&detailed("FOOD_AND_DRINK_COFFEE", "4.50", 1)),
        "{coffee:?}"
    );
    let treats_row = usd
        .categories
        .iter()
        .find(|c| c.category_id == treats)
        .unwrap();
    assert_eq!(
        (
            treats_row.name.as_str(),
            treats_row.total,
            treats_row.transactions
        ),
        ("Treats", dec("5.50"), 1)
    );

    // Put in categories that are not spending, by the person or by a rule: they stop counting.
    set_column(&db, laptop, "user_category_id", work).await;
    assert_eq!(total_and_refunds(&app, &ana).await.0, dec("563.00"));
    set_column(&db, amazon, "rule_category_id", savings).await;
    assert_eq!(total_and_refunds(&app, &ana).await.0, dec("513.00"));
    // Hidden: left out.
    set_column(&db, hotel, "user_hidden", true).await;
    assert_eq!(total_and_refunds(&app, &ana).await.0, dec("303.00"));
    // The person says ATM fees are a transfer for them: the fee stops counting.
    set_kind(&app, &ana, atm_fees, "transfer").await;
    assert_eq!(total_and_refunds(&app, &ana).await.0, dec("300.00"));
    // The mystery credit was an electronics return: now a refund.
    set_column(&db, mystery, "user_category_id", electronics).await;
    assert_eq!(
        total_and_refunds(&app, &ana).await,
        (dec("300.00"), dec("35.00"))
    );

    // Split: each part under its own category and kind. Costco's 15 of work things stop
    // counting; Target's two grocery parts count as one grocery transaction of 40.
    split(
        &app,
        &ana,
        costco,
        &[
            ("60.00", groceries),
            ("25.00", electronics),
            ("15.00", work),
        ],
    )
    .await;
    assert_eq!(total_and_refunds(&app, &ana).await.0, dec("285.00"));
    split(
        &app,
        &ana,
        target,
        &[("25.00", groceries), ("15.00", groceries)],
    )
    .await;
    split(&app, &ana, taxi, &[("20.00", taxis), ("10.00", treats)]).await;
    assert_eq!(total_and_refunds(&app, &ana).await.0, dec("285.00"));
    // A hidden split transaction is left out whole.
    set_column(&db, taxi, "user_hidden", true).await;

    // Renamed for Ana, Groceries keeps its code and shows her name.
    let rename = CategoryChanges {
        name: Some("Food shopping".to_owned()),
        ..CategoryChanges::default()
    };
    decoded::<Category>(
        app.update_category(&ana.client, groceries, &rename).await,
        StatusCode::OK,
    )
    .await;

    let usd = april(&app, &ana).await;
    assert_eq!((usd.total, usd.refunds), (dec("255.00"), dec("35.00")));
    assert_eq!(
        totals(&usd.categories),
        vec![
            category(
                "FOOD_AND_DRINK",
                "224.50",
                4,
                vec![
                    detailed("FOOD_AND_DRINK_GROCERIES", "220.00", 3),
                    detailed("FOOD_AND_DRINK_COFFEE", "4.50", 1),
                ]
            ),
            category(
                "GENERAL_MERCHANDISE",
                "25.00",
                1,
                vec![detailed("GENERAL_MERCHANDISE_ELECTRONICS", "25.00", 1)]
            ),
            category("Treats", "5.50", 1, vec![detailed("Treats", "5.50", 1)]),
        ]
    );
    let food = &usd.categories[0];
    assert_eq!(food.detailed[0].category_id, groceries);
    assert_eq!(food.detailed[0].name, "Food shopping");
    assert_eq!(food.name, "Food and drink");
    assert_eq!(usd.categories[2].category_id, treats);
    assert_eq!(usd.categories[2].plaid_code, None);
    assert_eq!(
        usd.top_merchants,
        vec![
            merchant("Whole Foods", "120.00", 1),
            merchant("Costco", "85.00", 1),
            merchant("Target", "40.00", 1),
            merchant("Starbucks", "10.00", 2),
        ]
    );

    // Ana's kinds and names are hers: Bob's ATM fee still counts, under Plaid's names.
    let bobs = account(alpha_bank(&db, bob.user_id).await, "Checking")
        .insert(&db)
        .await;
    transaction(bobs, "2026-04-11", "3.00", "ATM FEE")
        .category("BANK_FEES", "BANK_FEES_ATM_FEES")
        .insert(&db)
        .await;
    transaction(bobs, "2026-04-02", "10.00", "Whole Foods")
        .category(GROCERIES.0, GROCERIES.1)
        .insert(&db)
        .await;
    let usd = april(&app, &bob).await;
    assert_eq!(usd.total, money("13.00"));
    assert_eq!(usd.categories[0].detailed[0].name, "Groceries");
}

#[sqlx::test(migrations = "../../migrations")]
async fn own_categories_roll_up_under_their_parent_by_their_own_kind(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let ana = app.sign_up("ana").await;
    let checking = account(alpha_bank(&db, ana.user_id).await, "Checking")
        .insert(&db)
        .await;
    let buy = |date, amount, name, (primary, detailed): (&str, &str)| {
        transaction(checking, date, amount, name)
            .merchant(name)
            .category(primary, detailed)
    };
    let beans = buy("2026-04-02", "12.00", "Blue Bottle", COFFEE)
        .insert(&db)
        .await;
    let dinner = buy(
        "2026-04-03",
        "40.00",
        "Nopa",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_RESTAURANT"),
    )
    .insert(&db)
    .await;
    let shop = buy("2026-04-04", "30.00", "Whole Foods", GROCERIES)
        .insert(&db)
        .await;
    let chips = buy("2026-04-05", "7.00", "7-Eleven", GROCERIES)
        .insert(&db)
        .await;
    // A detailed code newer than Tally's list: it counts under the primary itself.
    buy(
        "2026-04-06",
        "5.00",
        "Space Diner",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_SPACE_FOOD"),
    )
    .insert(&db)
    .await;

    let food = app.plaid_category(&ana.client, "FOOD_AND_DRINK").await;
    let groceries = app
        .plaid_category(&ana.client, "FOOD_AND_DRINK_GROCERIES")
        .await;
    let treats = app.own_category(&ana.client, "Treats", "spending").await;
    let coffee_beans = own_child(&app, &ana, "Coffee beans", food, "spending").await;
    let reimbursable = own_child(&app, &ana, "Reimbursable meals", food, "transfer").await;
    let snacks = own_child(&app, &ana, "Snacks", treats, "spending").await;

    set_column(&db, beans, "user_category_id", coffee_beans).await;
    set_column(&db, dinner, "user_category_id", reimbursable).await;
    set_column(&db, chips, "rule_category_id", snacks).await;
    split(
        &app,
        &ana,
        shop,
        &[("20.00", groceries), ("10.00", coffee_beans)],
    )
    .await;

    // The reimbursable dinner is a transfer although Food and drink is spending.
    let beans_and_groceries = vec![
        detailed("Coffee beans", "22.00", 2),
        detailed("FOOD_AND_DRINK_GROCERIES", "20.00", 1),
    ];
    let treats_total = category("Treats", "7.00", 1, vec![detailed("Snacks", "7.00", 1)]);
    let usd = april(&app, &ana).await;
    assert_eq!(usd.total, dec("54.00"));
    let in_food = [
        beans_and_groceries.clone(),
        vec![detailed("FOOD_AND_DRINK", "5.00", 1)],
    ];
    assert_eq!(
        totals(&usd.categories),
        vec![
            category("FOOD_AND_DRINK", "47.00", 3, in_food.concat()),
            treats_total.clone(),
        ]
    );

    // Food and drink made a transfer: what is in it itself stops counting, its children (their
    // own kind) still count under it; the split shop is one transaction there.
    set_kind(&app, &ana, food, "transfer").await;
    let usd = april(&app, &ana).await;
    assert_eq!(usd.total, dec("49.00"));
    assert_eq!(
        totals(&usd.categories),
        vec![
            category("FOOD_AND_DRINK", "42.00", 2, beans_and_groceries),
            treats_total,
        ]
    );
    assert_eq!(usd.categories[0].category_id, food);
    assert_eq!(usd.categories[0].detailed[0].category_id, coffee_beans);
    assert_eq!(usd.categories[1].category_id, treats);
}
