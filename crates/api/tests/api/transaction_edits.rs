//! `GET` and `PATCH /api/transactions/{id}`: a person's own labels on a transaction, who set each
//! field, and the list's label filters.

use crate::api_calls::{assert_unauthorized, decoded, named_fields, new_category, Person};
use crate::fixtures::{account, alpha_bank, transaction, AccountRef};
use crate::helpers::{browser_like_client, spawn_app, TestApp};
use reqwest::StatusCode;
use sqlx::PgPool;
use tally_shared::api::categories::Category;
use tally_shared::api::transactions::{
    FieldSource, FieldSources, HiddenFilter, TransactionDetail, TransactionEdit, TransactionFilter,
};
use tally_shared::ids::{CategoryId, TransactionId};
use tally_shared::{ApiError, ErrorCode};
use uuid::Uuid;

/// Plaid's category with this code, as the person sees it.
pub async fn plaid_category(app: &TestApp, client: &reqwest::Client, code: &str) -> Category {
    app.categories(client)
        .await
        .categories
        .into_iter()
        .find(|c| c.plaid_code.as_deref() == Some(code))
        .unwrap()
}

/// A new category of the person's own.
pub async fn own_category(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    parent: Option<CategoryId>,
) -> Category {
    let response = app
        .create_category(client, &new_category(name, parent, "spending"))
        .await;
    decoded(response, StatusCode::CREATED).await
}

async fn detail(app: &TestApp, client: &reqwest::Client, id: Uuid) -> TransactionDetail {
    decoded(app.transaction_detail(client, id).await, StatusCode::OK).await
}

fn all_from(source: FieldSource) -> FieldSources {
    FieldSources {
        category_id: source,
        display_name: source,
        notes: source,
        tags: source,
        hidden: source,
    }
}

async fn coffee(db: &PgPool, checking: AccountRef) -> Uuid {
    transaction(checking, "2026-03-05", "4.50", "BLUE BTL 0042")
        .merchant("Blue Bottle Coffee")
        .category("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
        .insert(db)
        .await
}

async fn needs_review(db: &PgPool, id: Uuid) -> bool {
    sqlx::query_scalar("select needs_review from bank_transaction where transaction_id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Alice, signed in, with one coffee on her checking account.
async fn alice_with_coffee(app: &TestApp) -> (reqwest::Client, Uuid) {
    let Person { client, user_id } = app.sign_up("alice").await;
    let id = coffee(&app.db, checking_of(app, user_id).await).await;
    (client, id)
}

async fn checking_of(app: &TestApp, user_id: Uuid) -> AccountRef {
    account(alpha_bank(&app.db, user_id).await, "Checking")
        .insert(&app.db)
        .await
}

#[sqlx::test(migrations = "../../migrations")]
async fn i_set_each_label_by_hand_and_null_gives_it_back(db: PgPool) {
    let app = spawn_app(db).await;
    let (client, id) = alice_with_coffee(&app).await;
    let plaids = plaid_category(&app, &client, "FOOD_AND_DRINK_COFFEE").await;
    let treats = own_category(&app, &client, "Treats", None).await;

    // As Plaid said it.
    let before = detail(&app, &client, id).await;
    assert_eq!(before.transaction.id, TransactionId(id));
    assert_eq!(before.transaction.category_id, plaids.id);
    assert_eq!(before.transaction.category_name, plaids.name);
    assert_eq!(before.transaction.display_name, None);
    assert_eq!(before.transaction.tags, Vec::<String>::new());
    assert!(!before.transaction.hidden);
    assert_eq!(before.plaid.category_id, plaids.id);
    assert_eq!(before.plaid.category_name, plaids.name);
    assert_eq!(before.plaid.name, "BLUE BTL 0042");
    assert_eq!(
        before.plaid.merchant_name.as_deref(),
        Some("Blue Bottle Coffee")
    );
    assert_eq!(before.sources, all_from(FieldSource::Plaid));

    // Every field by hand; the bank had flagged it for review.
    sqlx::query("update bank_transaction set needs_review = true where transaction_id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    let edit = TransactionEdit {
        category_id: Some(Some(treats.id)),
        display_name: Some(Some("  Morning coffee ".to_owned())),
        notes: Some(Some("with Sam\nour usual".to_owned())),
        tags: Some(Some(vec!["Work".into(), " trip ".into(), "WORK".into()])),
        hidden: Some(Some(true)),
    };
    let edited = app.edited(&client, id, &edit).await;
    let t = &edited.transaction;
    assert_eq!(
        (t.category_id, t.category_name.as_str()),
        (treats.id, "Treats")
    );
    assert_eq!(t.display_name.as_deref(), Some("Morning coffee"));
    assert_eq!(t.notes.as_deref(), Some("with Sam\nour usual"));
    assert_eq!(t.tags, ["work", "trip"]);
    assert!(t.hidden);
    assert!(!t.needs_review);
    assert!(!needs_review(&app.db, id).await);
    assert_eq!(edited.sources, all_from(FieldSource::User));
    // Plaid's own values stay what Plaid said.
    assert_eq!(edited.plaid, before.plaid);
    assert_eq!(detail(&app, &client, id).await, edited);

    // Hidden: out of the list unless asked for, with the same values there.
    let listed = |hidden| TransactionFilter {
        hidden,
        ..TransactionFilter::default()
    };
    assert!(app
        .transactions(&client, &listed(None))
        .await
        .transactions
        .is_empty());
    let all = app
        .transactions(&client, &listed(Some(HiddenFilter::All)))
        .await;
    assert_eq!(all.transactions, std::slice::from_ref(&edited.transaction));

    // Absent fields stay; null ones go back to Plaid.
    let give_back = TransactionEdit {
        display_name: Some(None),
        hidden: Some(None),
        tags: Some(None),
        ..TransactionEdit::default()
    };
    let back = app.edited(&client, id, &give_back).await;
    let t = &back.transaction;
    assert_eq!(t.display_name, None);
    assert!(!t.hidden);
    assert_eq!(t.tags, Vec::<String>::new());
    assert_eq!(t.category_id, treats.id);
    assert_eq!(t.notes.as_deref(), Some("with Sam\nour usual"));
    assert_eq!(
        back.sources,
        FieldSources {
            category_id: FieldSource::User,
            notes: FieldSource::User,
            ..all_from(FieldSource::Plaid)
        }
    );
    let plain = TransactionEdit {
        category_id: Some(None),
        notes: Some(Some("   ".to_owned())),
        ..TransactionEdit::default()
    };
    let plain = app.edited(&client, id, &plain).await;
    assert_eq!(plain.transaction, before.transaction);
    assert_eq!(plain.sources, all_from(FieldSource::Plaid));
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_rules_value_shows_as_the_rules_and_mine_wins_over_it(db: PgPool) {
    let app = spawn_app(db).await;
    let (client, id) = alice_with_coffee(&app).await;
    let groceries = plaid_category(&app, &client, "FOOD_AND_DRINK_GROCERIES").await;
    let treats = own_category(&app, &client, "Treats", None).await;
    // What a rule would have written.
    sqlx::query(
        "update bank_transaction set rule_category_id = $2, rule_display_name = 'Blue Bottle',
             rule_tags = '{coffee}', rule_hidden = false
         where transaction_id = $1",
    )
    .bind(id)
    .bind(groceries.id.0)
    .execute(&app.db)
    .await
    .unwrap();

    let ruled = detail(&app, &client, id).await;
    assert_eq!(ruled.transaction.category_id, groceries.id);
    assert_eq!(
        ruled.transaction.display_name.as_deref(),
        Some("Blue Bottle")
    );
    assert_eq!(ruled.transaction.tags, ["coffee"]);
    assert_eq!(
        ruled.sources,
        FieldSources {
            notes: FieldSource::Plaid,
            ..all_from(FieldSource::Rule)
        }
    );

    let mine = TransactionEdit {
        category_id: Some(Some(treats.id)),
        tags: Some(Some(vec![])),
        ..TransactionEdit::default()
    };
    let edited = app.edited(&client, id, &mine).await;
    assert_eq!(edited.transaction.category_id, treats.id);
    // No tags, by hand, beats the rule's.
    assert_eq!(edited.transaction.tags, Vec::<String>::new());
    assert_eq!(edited.sources.category_id, FieldSource::User);
    assert_eq!(edited.sources.tags, FieldSource::User);
    assert_eq!(edited.sources.display_name, FieldSource::Rule);

    let back = TransactionEdit {
        category_id: Some(None),
        tags: Some(None),
        ..TransactionEdit::default()
    };
    assert_eq!(app.edited(&client, id, &back).await, ruled);
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_invalid_field_is_named_and_nothing_changes(db: PgPool) {
    let app = spawn_app(db).await;
    let (client, id) = alice_with_coffee(&app).await;
    let before = detail(&app, &client, id).await;

    let bad = serde_json::json!({
        "display_name": " ",
        "notes": "n".repeat(2_001),
        "tags": (0..21).map(|n| format!("t{n}")).collect::<Vec<_>>(),
    });
    let response = client
        .patch(app.url(&format!("/api/transactions/{id}")))
        .json(&bad)
        .send()
        .await
        .unwrap();
    let error: ApiError = decoded(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error.code, ErrorCode::Validation);
    assert_eq!(named_fields(&error), ["display_name", "notes", "tags"]);
    for (field, value) in [
        ("display_name", serde_json::json!("x".repeat(201))),
        ("tags", serde_json::json!(["a".repeat(41)])),
        ("tags", serde_json::json!([""])),
    ] {
        let response = client
            .patch(app.url(&format!("/api/transactions/{id}")))
            .json(&serde_json::json!({ field: value }))
            .send()
            .await
            .unwrap();
        let error: ApiError = decoded(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(named_fields(&error), [field], "{value}");
    }
    // The longest of each is fine.
    let longest = TransactionEdit {
        display_name: Some(Some("é".repeat(200))),
        notes: Some(Some("é".repeat(2_000))),
        tags: Some(Some((0..20).map(|n| format!("{n:é<40}")).collect())),
        ..TransactionEdit::default()
    };
    let longest = app.edited(&client, id, &longest).await;
    assert_eq!(longest.transaction.tags.len(), 20);

    // A category that is not there: 404, and nothing changed.
    let nowhere = TransactionEdit {
        category_id: Some(Some(CategoryId(Uuid::new_v4()))),
        display_name: Some(None),
        ..TransactionEdit::default()
    };
    let response = app.edit_transaction(&client, id, &nowhere).await;
    let error: ApiError = decoded(response, StatusCode::NOT_FOUND).await;
    assert_eq!(error.code, ErrorCode::NotFound);
    assert_eq!(detail(&app, &client, id).await, longest);
    assert_ne!(longest, before);
}

#[sqlx::test(migrations = "../../migrations")]
async fn someone_elses_transaction_and_category_are_not_there(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let alices = checking_of(&app, alice.user_id).await;
    let bobs = checking_of(&app, bob.user_id).await;
    let alices_coffee = coffee(&app.db, alices).await;
    let bobs_coffee = coffee(&app.db, bobs).await;
    let alices_category = own_category(&app, &alice.client, "Treats", None).await;
    let before = detail(&app, &alice.client, alices_coffee).await;

    // Alice's transaction, seen or edited by Bob.
    let response = app.transaction_detail(&bob.client, alices_coffee).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let rename = TransactionEdit {
        display_name: Some(Some("Bob's now".to_owned())),
        ..TransactionEdit::default()
    };
    let response = app
        .edit_transaction(&bob.client, alices_coffee, &rename)
        .await;
    let error: ApiError = decoded(response, StatusCode::NOT_FOUND).await;
    assert_eq!(error.code, ErrorCode::NotFound);
    assert_eq!(detail(&app, &alice.client, alices_coffee).await, before);

    // Alice's category on Bob's transaction.
    let borrow = TransactionEdit {
        category_id: Some(Some(alices_category.id)),
        ..TransactionEdit::default()
    };
    let response = app
        .edit_transaction(&bob.client, bobs_coffee, &borrow)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        detail(&app, &bob.client, bobs_coffee).await.sources,
        all_from(FieldSource::Plaid)
    );

    // No such transaction, an id that is no id, and nobody signed in.
    let response = app.transaction_detail(&alice.client, Uuid::new_v4()).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app.transaction_detail(&alice.client, "not-an-id").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let stranger = browser_like_client();
    assert_unauthorized(app.transaction_detail(&stranger, alices_coffee).await).await;
    assert_unauthorized(
        app.edit_transaction(&stranger, alices_coffee, &rename)
            .await,
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn my_other_tabs_hear_of_my_edits(db: PgPool) {
    use crate::ws::{connect, next_event, next_event_within, register, QUIET};
    use tally_shared::ws::ServerEvent;

    let app = spawn_app(db).await;
    let (ana, bob) = (register(&app, "ana").await, register(&app, "bob").await);
    let id = coffee(&app.db, checking_of(&app, ana.id).await).await;
    let mut anas_tab = connect(&app, &ana).await;
    let mut bobs_tab = connect(&app, &bob).await;

    let note = TransactionEdit {
        notes: Some(Some("split with Bob".to_owned())),
        ..TransactionEdit::default()
    };
    app.edited(&ana.tab, id, &note).await;
    assert_eq!(
        next_event(&mut anas_tab).await,
        Some(ServerEvent::TransactionsChanged)
    );

    // A refused edit changed nothing; Bob hears of none of Ana's.
    let bad = TransactionEdit {
        display_name: Some(Some(String::new())),
        ..TransactionEdit::default()
    };
    let response = app.edit_transaction(&ana.tab, id, &bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(next_event_within(&mut anas_tab, QUIET).await, None);
    assert_eq!(next_event_within(&mut bobs_tab, QUIET).await, None);
}

/// A query string, and the names the list shows for it.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);

/// The names the list shows for a query string.
async fn names(app: &TestApp, client: &reqwest::Client, query: &[(&str, &str)]) -> Vec<String> {
    let response = app.list_transactions(client, &query).await;
    let page: tally_shared::api::transactions::TransactionPage =
        decoded(response, StatusCode::OK).await;
    page.transactions.into_iter().map(|t| t.name).collect()
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_label_filters_and_search_use_the_effective_values(db: PgPool) {
    let app = spawn_app(db).await;
    let Person { client, user_id } = app.sign_up("alice").await;
    let checking = checking_of(&app, user_id).await;
    let food = plaid_category(&app, &client, "FOOD_AND_DRINK").await;
    let coffee_category = plaid_category(&app, &client, "FOOD_AND_DRINK_COFFEE").await;
    let beans = own_category(&app, &client, "Beans", Some(food.id)).await;
    let treats = own_category(&app, &client, "Treats", None).await;
    let household = own_category(&app, &client, "Household", None).await;
    let add = |date: &'static str, name: &'static str, detailed: &'static str| {
        let primary = detailed.split('_').next().unwrap();
        let primary = if primary == "FOOD" {
            "FOOD_AND_DRINK"
        } else {
            primary
        };
        transaction(checking, date, "10.00", name)
            .category(primary, detailed)
            .insert(&app.db)
    };
    let coffee = add("2026-03-06", "Coffee", "FOOD_AND_DRINK_COFFEE").await;
    let cake = add("2026-03-05", "Cake", "FOOD_AND_DRINK_GROCERIES").await;
    let flight = add("2026-03-04", "Flight", "TRAVEL_FLIGHTS").await;
    add("2026-03-03", "Paycheck", "INCOME_SALARY").await;
    let shop = add("2026-03-02", "Shop", "GENERAL_MERCHANDISE_SUPERSTORES").await;
    let roaster = add(
        "2026-03-01",
        "Roaster",
        "GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE",
    )
    .await;

    let edit = |id: Uuid, edit: TransactionEdit| {
        let (app, client) = (&app, &client);
        async move { app.edited(client, id, &edit).await }
    };
    edit(
        coffee,
        TransactionEdit {
            display_name: Some(Some("Morning ritual".into())),
            tags: Some(Some(vec!["Trip".into()])),
            ..TransactionEdit::default()
        },
    )
    .await;
    edit(
        cake,
        TransactionEdit {
            category_id: Some(Some(treats.id)),
            notes: Some(Some("for Sam's birthday".into())),
            ..TransactionEdit::default()
        },
    )
    .await;
    edit(
        flight,
        TransactionEdit {
            hidden: Some(Some(true)),
            tags: Some(Some(vec!["trip".into()])),
            ..TransactionEdit::default()
        },
    )
    .await;
    edit(
        roaster,
        TransactionEdit {
            category_id: Some(Some(beans.id)),
            ..TransactionEdit::default()
        },
    )
    .await;
    sqlx::query("update bank_transaction set needs_review = true where name = 'Paycheck'")
        .execute(&app.db)
        .await
        .unwrap();
    // Half of the shop's bill was for the household.
    sqlx::query(
        "insert into transaction_split (transaction_id, position, user_id, amount, category_id)
         select $1, p, $2, 5.00, case p when 0 then $3 else $4 end from generate_series(0, 1) p",
    )
    .bind(shop)
    .bind(user_id)
    .bind(household.id.0)
    .bind(
        plaid_category(&app, &client, "GENERAL_MERCHANDISE_SUPERSTORES")
            .await
            .id
            .0,
    )
    .execute(&app.db)
    .await
    .unwrap();

    let id = |category: &Category| category.id.to_string();
    let cases: &[Case] = &[
        (&[], &["Coffee", "Cake", "Paycheck", "Shop", "Roaster"]),
        // A primary matches its children, Plaid's and my own; the cake moved out of it.
        (&[("category_id", &id(&food))], &["Coffee", "Roaster"]),
        (&[("category_id", &id(&coffee_category))], &["Coffee"]),
        (&[("category_id", &id(&treats))], &["Cake"]),
        (&[("category_id", &id(&household))], &["Shop"]),
        (&[("tag", " TRIP ")], &["Coffee"]),
        (&[("tag", "trip"), ("hidden", "all")], &["Coffee", "Flight"]),
        (&[("tag", "tri")], &[]),
        (&[("hidden", "true")], &["Flight"]),
        (
            &[("hidden", "all")],
            &["Coffee", "Cake", "Flight", "Paycheck", "Shop", "Roaster"],
        ),
        (&[("needs_review", "true")], &["Paycheck"]),
        (
            &[("needs_review", "false")],
            &["Coffee", "Cake", "Shop", "Roaster"],
        ),
        // Search finds display names and notes too.
        (&[("q", "ritual")], &["Coffee"]),
        (&[("q", "BIRTHDAY")], &["Cake"]),
        (&[("q", "Roaster")], &["Roaster"]),
    ];
    for (query, expected) in cases {
        assert_eq!(names(&app, &client, query).await, *expected, "{query:?}");
    }

    // Another person's category matches none of mine; bad values are named.
    let bob = app.sign_up("bob").await;
    let bobs = own_category(&app, &bob.client, "Beans", Some(food.id)).await;
    assert!(names(&app, &client, &[("category_id", &id(&bobs))])
        .await
        .is_empty());
    let response = app
        .list_transactions(&client, &[("hidden", "yes"), ("category_id", "beans")])
        .await;
    let error: ApiError = decoded(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(named_fields(&error), ["category_id", "hidden"]);
}
