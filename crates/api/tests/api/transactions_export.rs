//! `GET /api/transactions/export.csv`.

use crate::api_calls::Person;
use crate::fixtures::{account, alpha_bank, bulk_transactions, transaction};
use crate::helpers::{spawn_app, TestApp};
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use reqwest::StatusCode;
use sqlx::PgPool;
use tally_shared::api::transactions::TransactionFilter;

const HEADER: [&str; 18] = [
    "date",
    "authorized_date",
    "name",
    "merchant_name",
    "amount",
    "currency",
    "category_primary",
    "category_detailed",
    "account",
    "pending",
    "payment_channel",
    "category",
    "plaid_category",
    "display_name",
    "notes",
    "tags",
    "hidden",
    "splits",
];

async fn export(
    app: &TestApp,
    client: &reqwest::Client,
    query: &[(&str, &str)],
) -> Vec<Vec<String>> {
    let response = app.export_transactions(client, &query).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.bytes().await.unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_ref())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[sqlx::test(migrations = "../../migrations")]
async fn downloads_a_csv_with_every_column(db: PgPool) {
    let app = spawn_app(db).await;
    let Person { client, user_id } = app.sign_up("alice").await;
    let bank = alpha_bank(&app.db, user_id).await;
    let checking = account(bank, "Checking, joint").insert(&app.db).await;
    transaction(checking, "2026-03-05", "4.50", "Blue Bottle")
        .merchant("Blue Bottle Coffee")
        .category("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
        .authorized("2026-03-04")
        .pending()
        .insert(&app.db)
        .await;
    transaction(checking, "2026-03-01", "-2500.00", "Paycheck")
        .currency(None)
        .channel("other")
        .insert(&app.db)
        .await;

    let response = app
        .export_transactions(&client, &TransactionFilter::default())
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/csv; charset=utf-8");
    let disposition = response.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_owned();
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().unwrap();
    assert!(
        [today, yesterday].iter().any(|day| disposition
            == format!(
                "attachment; filename=\"tally-transactions-{}.csv\"",
                day.format("%Y-%m-%d")
            )),
        "{disposition}"
    );
    let text = response.text().await.unwrap();
    assert!(text.contains("\"Checking, joint\""), "{text}");
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows[0], HEADER);
    assert_eq!(
        rows[1],
        [
            "2026-03-05",
            "2026-03-04",
            "Blue Bottle",
            "Blue Bottle Coffee",
            "4.50",
            "USD",
            "FOOD_AND_DRINK",
            "FOOD_AND_DRINK_COFFEE",
            "Checking, joint",
            "true",
            "in store",
            "Coffee",
            "Coffee",
            "",
            "",
            "",
            "false",
            ""
        ]
    );
    assert_eq!(
        rows[2],
        [
            "2026-03-01",
            "",
            "Paycheck",
            "",
            "-2500.00",
            "",
            "",
            "",
            "Checking, joint",
            "false",
            "other",
            "Uncategorised",
            "Uncategorised",
            "",
            "",
            "",
            "false",
            ""
        ]
    );
    assert_eq!(rows.len(), 3);
}

#[sqlx::test(migrations = "../../migrations")]
async fn quotes_what_needs_quoting_and_defuses_formulas(db: PgPool) {
    let app = spawn_app(db).await;
    let Person { client, user_id } = app.sign_up("alice").await;
    let bank = alpha_bank(&app.db, user_id).await;
    let card = account(bank, "@Card")
        .kind("credit", None)
        .insert(&app.db)
        .await;
    transaction(
        card,
        "2026-03-03",
        "1.00",
        "Joe's \"Best\" Shop, Inc.\nUnit 2",
    )
    .insert(&app.db)
    .await;
    transaction(
        card,
        "2026-03-02",
        "-12.50",
        "=HYPERLINK(\"http://evil\",\"click\")",
    )
    .merchant("+1 Merchant")
    .insert(&app.db)
    .await;
    transaction(card, "2026-03-01", "2.00", "-2+3")
        .merchant("\tTabbed")
        .insert(&app.db)
        .await;

    let response = app
        .export_transactions(&client, &TransactionFilter::default())
        .await;
    let raw = response.text().await.unwrap();
    assert!(
        raw.contains("\"Joe's \"\"Best\"\" Shop, Inc.\nUnit 2\""),
        "{raw}"
    );

    let rows = export(&app, &client, &[]).await;
    let cells = |row: usize| {
        (
            rows[row][2].as_str(),
            rows[row][3].as_str(),
            rows[row][4].as_str(),
            rows[row][8].as_str(),
        )
    };
    assert_eq!(
        cells(1),
        ("Joe's \"Best\" Shop, Inc.\nUnit 2", "", "1.00", "'@Card")
    );
    assert_eq!(
        cells(2),
        (
            "'=HYPERLINK(\"http://evil\",\"click\")",
            "'+1 Merchant",
            "-12.50",
            "'@Card"
        )
    );
    assert_eq!(cells(3), ("'-2+3", "'\tTabbed", "2.00", "'@Card"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn exports_only_what_the_filters_match(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await.client;
    let bank = alpha_bank(&app.db, alice.user_id).await;
    let checking = account(bank, "Checking").insert(&app.db).await;
    let card = account(bank, "Card")
        .kind("credit", None)
        .insert(&app.db)
        .await;
    transaction(checking, "2026-03-03", "4.50", "Coffee")
        .pending()
        .insert(&app.db)
        .await;
    transaction(card, "2026-03-02", "30.00", "Books")
        .insert(&app.db)
        .await;
    transaction(card, "2026-03-01", "3.00", "More coffee")
        .insert(&app.db)
        .await;
    let card_id = card.account_id.to_string();

    let names = |rows: Vec<Vec<String>>| -> Vec<String> {
        rows.into_iter().skip(1).map(|row| row[2].clone()).collect()
    };
    assert_eq!(
        names(export(&app, &alice.client, &[("q", "coffee")]).await),
        ["Coffee", "More coffee"]
    );
    assert_eq!(
        names(
            export(
                &app,
                &alice.client,
                &[("account_id", &card_id), ("max_amount", "10")]
            )
            .await
        ),
        ["More coffee"]
    );
    // Paging does not apply to the export.
    assert_eq!(
        names(export(&app, &alice.client, &[("limit", "1"), ("cursor", "x")]).await).len(),
        3
    );
    // Bob gets the header and nothing of Alice's, even with her account's id.
    let bobs = export(&app, &bob, &[("account_id", &card_id)]).await;
    assert_eq!(bobs, [HEADER.map(str::to_owned).to_vec()]);

    let refused = app
        .export_transactions(&alice.client, &[("min_amount", "lots")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: tally_shared::ApiError = refused.json().await.unwrap();
    assert_eq!(body.fields[0].field, "min_amount");
}

#[sqlx::test(migrations = "../../migrations")]
async fn streams_large_exports_whole_and_in_order(db: PgPool) {
    let app = spawn_app(db).await;
    let Person { client, user_id } = app.sign_up("alice").await;
    let bank = alpha_bank(&app.db, user_id).await;
    let checking = account(bank, "Checking").insert(&app.db).await;
    bulk_transactions(&app.db, checking, 3000, "").await;

    let rows = export(&app, &client, &[]).await;

    assert_eq!(rows.len(), 3001);
    let dates: Vec<&str> = rows[1..].iter().map(|row| row[0].as_str()).collect();
    assert!(dates.windows(2).all(|pair| pair[0] >= pair[1]));
}

#[sqlx::test(migrations = "../../migrations")]
async fn exports_the_labels_i_see_and_split_parts_and_hidden_ones_only_when_asked(db: PgPool) {
    use crate::transaction_edits::{own_category, plaid_category};
    use tally_shared::api::transactions::TransactionEdit;

    let app = spawn_app(db).await;
    let Person { client, user_id } = app.sign_up("alice").await;
    let bank = alpha_bank(&app.db, user_id).await;
    let checking = account(bank, "Checking").insert(&app.db).await;
    let treats = own_category(&app, &client, "Treats", None).await;
    let household = own_category(&app, &client, "Household", None).await;
    let groceries = plaid_category(&app, &client, "FOOD_AND_DRINK_GROCERIES").await;
    let shop = transaction(checking, "2026-03-05", "10.00", "SHOP 12")
        .category("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
        .insert(&app.db)
        .await;
    let flight = transaction(checking, "2026-03-04", "300.00", "AIRLINE")
        .category("TRAVEL", "TRAVEL_FLIGHTS")
        .insert(&app.db)
        .await;
    transaction(checking, "2026-03-03", "4.50", "Blue Bottle")
        .category("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
        .insert(&app.db)
        .await;
    // What rules would have written on both: the person's values beat them on the shop.
    sqlx::query(
        "update bank_transaction set rule_category_id = $2, rule_display_name = 'By a rule',
             rule_tags = '{ruled}', rule_hidden = false
         where transaction_id = any($1)",
    )
    .bind(&[shop, flight][..])
    .bind(household.id.0)
    .execute(&app.db)
    .await
    .unwrap();
    let labels = TransactionEdit {
        category_id: Some(Some(treats.id)),
        display_name: Some(Some("Corner shop".to_owned())),
        notes: Some(Some("=cmd, with \"quotes\"".to_owned())),
        tags: Some(Some(vec!["Weekly".to_owned(), "food".to_owned()])),
        ..TransactionEdit::default()
    };
    app.edited(&client, shop, &labels).await;
    let hide = TransactionEdit {
        hidden: Some(Some(true)),
        ..TransactionEdit::default()
    };
    app.edited(&client, flight, &hide).await;
    // 10.00 = 6.25 of groceries + 3.75 for the household.
    sqlx::query(
        "insert into transaction_split (transaction_id, position, user_id, amount, category_id,
                                        notes)
         values ($1, 0, $2, 6.25, $3, 'milk'), ($1, 1, $2, 3.75, $4, null)",
    )
    .bind(shop)
    .bind(user_id)
    .bind(groceries.id.0)
    .bind(household.id.0)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query("update bank_transaction set needs_review = true where transaction_id = $1")
        .bind(flight)
        .execute(&app.db)
        .await
        .unwrap();

    // Each row's name, then its labels.
    let rows = |csv: &[Vec<String>]| -> Vec<Vec<String>> {
        csv[1..]
            .iter()
            .map(|row| [&row[2..3], &row[11..]].concat())
            .collect()
    };
    let mine = [
        "SHOP 12",
        "Treats",
        "Coffee",
        "Corner shop",
        "'=cmd, with \"quotes\"",
        "weekly, food",
        "false",
        "Groceries 6.25; Household 3.75",
    ];
    let plaids = ["Blue Bottle", "Coffee", "Coffee", "", "", "", "false", ""];
    let rules = [
        "AIRLINE",
        "Household",
        "Flights",
        "By a rule",
        "",
        "ruled",
        "true",
        "",
    ];
    let shown = export(&app, &client, &[]).await;
    assert_eq!(shown[0], HEADER);
    // The hidden flight is left out unless asked for.
    assert_eq!(rows(&shown), [mine, plaids]);
    let all = export(&app, &client, &[("hidden", "all")]).await;
    assert_eq!(rows(&all), [mine, rules, plaids]);
    let hidden = export(&app, &client, &[("hidden", "true")]).await;
    assert_eq!(rows(&hidden), [rules]);
    let tagged = export(&app, &client, &[("tag", "WEEKLY")]).await;
    assert_eq!(rows(&tagged), [mine]);
    // The rule's tag is the flight's, not the shop's: the person's tags replaced it.
    let ruled = export(&app, &client, &[("tag", "ruled"), ("hidden", "all")]).await;
    assert_eq!(rows(&ruled), [rules]);
    // Household: the flight by the rule's category, the shop by a split part.
    let household_id = household.id.to_string();
    let by_category = export(
        &app,
        &client,
        &[("category_id", &household_id), ("hidden", "all")],
    )
    .await;
    assert_eq!(rows(&by_category), [mine, rules]);
    let review = export(
        &app,
        &client,
        &[("needs_review", "true"), ("hidden", "all")],
    )
    .await;
    assert_eq!(rows(&review), [rules]);
    let reviewed = export(&app, &client, &[("needs_review", "false")]).await;
    assert_eq!(rows(&reviewed), [mine, plaids]);
}
