//! `/api/categories`: Plaid's PFC v2 taxonomy for everyone, each person's changes to it and their
//! own categories, scoped to the person.

use crate::api_calls::{assert_unauthorized, decoded, named_fields, new_category, Person};
use crate::helpers::{browser_like_client, count, spawn_app, TestApp};
use reqwest::StatusCode;
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use tally::domain::classification::NOT_SPENDING_CATEGORIES;
use tally_shared::api::categories::{Category, CategoryChanges, CategoryKind, NewCategory};
use tally_shared::ids::CategoryId;
use tally_shared::{ApiError, ErrorCode};

/// Plaid's taxonomy file (`pfc-taxonomy-all.csv`, as Plaid publishes it): v2 primary and
/// detailed, a blank column, then the v1 primary and detailed they were.
const TAXONOMY: &str = include_str!("pfc-taxonomy-all.csv");

struct TaxonomyRow {
    primary: &'static str,
    detailed: &'static str,
    v1: Option<(&'static str, &'static str)>,
}

fn taxonomy() -> Vec<TaxonomyRow> {
    TAXONOMY
        .lines()
        .skip(2) // the header and Plaid's note
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            // OTHER_OTHER names two v1 codes at once ("A / B"): it is no v1 code's new name.
            let v1 =
                (!cells[4].is_empty() && !cells[4].contains(" / ")).then(|| (cells[3], cells[4]));
            TaxonomyRow {
                primary: cells[0],
                detailed: cells[1],
                v1,
            }
        })
        .collect()
}

fn by_code(categories: &[Category]) -> BTreeMap<&str, &Category> {
    categories
        .iter()
        .filter_map(|c| c.plaid_code.as_deref().map(|code| (code, c)))
        .collect()
}

async fn all(app: &TestApp, person: &Person) -> Vec<Category> {
    app.categories(&person.client).await.categories
}

async fn plaid(app: &TestApp, person: &Person, code: &str) -> Category {
    all(app, person)
        .await
        .into_iter()
        .find(|c| c.plaid_code.as_deref() == Some(code))
        .unwrap()
}

/// Adds a category that must be accepted.
async fn add(app: &TestApp, person: &Person, body: NewCategory) -> Category {
    decoded(
        app.create_category(&person.client, &body).await,
        StatusCode::CREATED,
    )
    .await
}

async fn change(
    app: &TestApp,
    person: &Person,
    id: CategoryId,
    changes: CategoryChanges,
) -> reqwest::Response {
    app.update_category(&person.client, id, &changes).await
}

fn rename(name: &str) -> CategoryChanges {
    CategoryChanges {
        name: Some(name.to_owned()),
        ..Default::default()
    }
}

fn hide(hidden: bool) -> CategoryChanges {
    CategoryChanges {
        hidden: Some(hidden),
        ..Default::default()
    }
}

async fn error_of(response: reqwest::Response, status: StatusCode) -> ApiError {
    decoded(response, status).await
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_plaid_category_is_there_named_in_words(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let categories = all(&app, &ana).await;
    let rows = taxonomy();
    let primaries: BTreeSet<&str> = rows.iter().map(|r| r.primary).collect();
    assert_eq!(primaries.len(), 18);
    assert_eq!(rows.len(), 123);

    // Exactly the file's categories, each primary once and each detailed under its primary.
    assert_eq!(categories.len(), primaries.len() + rows.len());
    let codes = by_code(&categories);
    assert_eq!(codes.len(), categories.len(), "a category without a code");
    for primary in &primaries {
        let category = codes[primary];
        assert_eq!(category.parent_id, None, "{primary}");
    }
    for row in &rows {
        let category = codes[row.detailed];
        assert_eq!(
            category.parent_id,
            Some(codes[row.primary].id),
            "{}",
            row.detailed
        );
    }

    // Named in words, Plaid's own names, nothing hidden or changed yet.
    for category in &categories {
        assert!(
            !category.name.contains('_') && category.name != category.name.to_uppercase(),
            "{:?} is not in words",
            category.name
        );
        assert_eq!(category.plaid_name.as_ref(), Some(&category.name));
        assert_eq!(category.plaid_kind, Some(category.kind));
        assert!(!category.hidden);
        assert!(!category.is_own());
    }
    assert_eq!(codes["FOOD_AND_DRINK_COFFEE"].name, "Coffee");
    assert_eq!(codes["INCOME_SALARY"].name, "Salary");

    // The kinds: income, transfers (the primaries the spending insight already leaves out,
    // loans among them), and spending for everything else.
    for category in &categories {
        let code = category.plaid_code.as_deref().unwrap();
        let primary = primaries.iter().find(|p| code.starts_with(*p)).unwrap();
        let expected = match *primary {
            "INCOME" => CategoryKind::Income,
            p if NOT_SPENDING_CATEGORIES.contains(&p) => CategoryKind::Transfer,
            _ => CategoryKind::Spending,
        };
        assert_eq!(category.kind, expected, "{code}");
    }
    for code in [
        "TRANSFER_IN",
        "TRANSFER_OUT",
        "LOAN_DISBURSEMENTS",
        "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT",
    ] {
        assert_eq!(codes[code].kind, CategoryKind::Transfer, "{code}");
    }
    assert_eq!(codes["BANK_FEES_LATE_FEES"].kind, CategoryKind::Spending);
    assert_eq!(codes["OTHER_OTHER"].kind, CategoryKind::Spending);

    // Tree order: primaries by name, each followed by its own categories by name.
    let mut seen_primary = None;
    let mut previous: Option<&Category> = None;
    for category in &categories {
        match category.parent_id {
            None => {
                if let Some(before) =
                    seen_primary.and_then(|id| categories.iter().find(|c: &&Category| c.id == id))
                {
                    assert!(before.name.to_lowercase() < category.name.to_lowercase());
                }
                seen_primary = Some(category.id);
            }
            Some(parent) => {
                assert_eq!(Some(parent), seen_primary, "{} out of place", category.name);
                if let Some(previous) = previous.filter(|p| p.parent_id.is_some()) {
                    assert!(previous.name.to_lowercase() < category.name.to_lowercase());
                }
            }
        }
        previous = Some(category);
    }
}

/// The database's one mapping from what Plaid sends to a category.
async fn mapped(app: &TestApp, primary: Option<&str>, detailed: Option<&str>) -> String {
    sqlx::query_scalar(
        "select plaid_code from category where category_id = plaid_category_id($1, $2)",
    )
    .bind(primary)
    .bind(detailed)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_code_plaid_sends_v1_or_v2_means_a_category(db: PgPool) {
    let app = spawn_app(db).await;
    for row in taxonomy() {
        let v2 = mapped(&app, Some(row.primary), Some(row.detailed)).await;
        assert_eq!(v2, row.detailed);
        if let Some((primary, detailed)) = row.v1 {
            let v1 = mapped(&app, Some(primary), Some(detailed)).await;
            assert_eq!(v1, row.detailed, "v1 {detailed}");
        }
    }
    assert_eq!(
        mapped(&app, Some("INCOME"), Some("INCOME_WAGES")).await,
        "INCOME_SALARY"
    );
    // A detailed code Plaid adds later counts under its primary; nothing at all is Uncategorised.
    assert_eq!(
        mapped(&app, Some("FOOD_AND_DRINK"), Some("FOOD_AND_DRINK_TEA")).await,
        "FOOD_AND_DRINK"
    );
    assert_eq!(mapped(&app, None, None).await, "OTHER_OTHER");
    assert_eq!(
        mapped(&app, Some("SOMETHING_NEW"), Some("SOMETHING_NEW_X")).await,
        "OTHER_OTHER"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_synced_transaction_has_its_own_category(db: PgPool) {
    let app = spawn_app(db).await;
    app.sign_up_with_bank("ana").await;

    let rows: Vec<(Option<String>, String)> = sqlx::query_as(
        "select t.category_detailed, c.plaid_code
         from bank_transaction t
                  join category c
                       on c.category_id = plaid_category_id(t.category_primary, t.category_detailed)",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(rows.len() > 10, "{} transactions synced", rows.len());
    assert_eq!(
        i64::try_from(rows.len()).unwrap(),
        count(&app.db, "bank_transaction").await
    );
    for (detailed, mapped) in rows {
        // Not merely its primary or Uncategorised: the very category Plaid named.
        assert_eq!(detailed, Some(mapped));
    }
    // The sync's upsert works the category out with joins rather than the function; the
    // column it stores must be what the function says.
    let disagreeing: i64 = sqlx::query_scalar(
        "select count(*) from bank_transaction
         where plaid_category_id
               is distinct from plaid_category_id(category_primary, category_detailed)",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(disagreeing, 0);
}

/// Plaid's category of a stored transaction cannot be deleted, even by hand in the database:
/// the rows filed under it would name nothing (the sync writes it without a foreign key).
#[sqlx::test(migrations = "../../migrations")]
async fn plaids_categories_cannot_be_deleted_under_their_transactions(db: PgPool) {
    let app = spawn_app(db).await;
    app.sign_up_with_bank("ana").await;
    let used: uuid::Uuid =
        sqlx::query_scalar("select plaid_category_id from bank_transaction limit 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let refused = sqlx::query("delete from category where category_id = $1")
        .bind(used)
        .execute(&app.db)
        .await
        .unwrap_err();
    let code = refused
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned());
    assert_eq!(code.as_deref(), Some("23503"), "{refused}");
    let filed: i64 = sqlx::query_scalar(
        "select count(*) from bank_transaction t
         where not exists (select 1 from category c where c.category_id = t.plaid_category_id)",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(filed, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn i_add_change_and_delete_my_own_categories(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let food = plaid(&app, &ana, "FOOD_AND_DRINK").await;

    let beans = add(
        &app,
        &ana,
        new_category("  Coffee beans ", Some(food.id), "spending"),
    )
    .await;
    assert_eq!(beans.name, "Coffee beans");
    assert_eq!(beans.parent_id, Some(food.id));
    assert_eq!(beans.kind, CategoryKind::Spending);
    assert!(beans.is_own() && !beans.hidden);
    assert_eq!((beans.plaid_name.as_ref(), beans.plaid_kind), (None, None));

    let side = add(&app, &ana, new_category("Side jobs", None, "income")).await;
    let tips = add(&app, &ana, new_category("Tips", Some(side.id), "income")).await;

    // In the tree: mine beside Plaid's, in name order.
    let categories = all(&app, &ana).await;
    assert_eq!(categories.len(), 141 + 3);
    let position = |id| categories.iter().position(|c| c.id == id).unwrap();
    let coffee = plaid(&app, &ana, "FOOD_AND_DRINK_COFFEE").await;
    assert_eq!(position(beans.id), position(coffee.id) + 1);
    assert_eq!(position(tips.id), position(side.id) + 1);
    assert!(categories.contains(&beans) && categories.contains(&tips));

    // Rename, change the kind, hide and show again.
    let response = change(
        &app,
        &ana,
        beans.id,
        CategoryChanges {
            name: Some("Beans".to_owned()),
            kind: Some("transfer".to_owned()),
            hidden: Some(true),
        },
    )
    .await;
    let changed: Category = decoded(response, StatusCode::OK).await;
    assert_eq!(
        (changed.name.as_str(), changed.kind, changed.hidden),
        ("Beans", CategoryKind::Transfer, true)
    );
    let shown: Category = decoded(
        change(&app, &ana, beans.id, hide(false)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (shown.name.as_str(), shown.kind, shown.hidden),
        ("Beans", CategoryKind::Transfer, false)
    );
    // Nothing to change is no error: the category as it is.
    let same: Category = decoded(
        change(&app, &ana, beans.id, CategoryChanges::default()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(same, shown);
    assert!(all(&app, &ana).await.contains(&shown));

    // Deleting, with somewhere for its transactions to go.
    let response = app
        .delete_category(&ana.client, beans.id, Some(&coffee.id))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    // A primary of mine takes its own categories with it.
    let response = app.delete_category(&ana.client, side.id, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(all(&app, &ana).await.len(), 141);
    assert_eq!(count(&app.db, "category").await, 141);
    let response = app.delete_category(&ana.client, side.id, None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = "../../migrations")]
async fn my_changes_to_plaids_categories_are_mine_alone(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    let coffee = plaid(&app, &ana, "FOOD_AND_DRINK_COFFEE").await;
    let card = plaid(&app, &ana, "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT").await;

    let changes = CategoryChanges {
        name: Some("Café".to_owned()),
        hidden: Some(true),
        kind: Some("transfer".to_owned()),
    };
    let changed: Category =
        decoded(change(&app, &ana, coffee.id, changes).await, StatusCode::OK).await;
    assert_eq!(changed.id, coffee.id);
    assert_eq!(
        (changed.name.as_str(), changed.kind, changed.hidden),
        ("Café", CategoryKind::Transfer, true)
    );
    // Plaid's own still shows beside the change, and stays as it was.
    assert_eq!(changed.plaid_name.as_deref(), Some("Coffee"));
    assert_eq!(changed.plaid_kind, Some(CategoryKind::Spending));
    assert_eq!(changed.plaid_code.as_deref(), Some("FOOD_AND_DRINK_COFFEE"));
    assert_eq!(plaid(&app, &ana, "FOOD_AND_DRINK_COFFEE").await, changed);
    let kind_only: Category = decoded(
        change(
            &app,
            &ana,
            card.id,
            CategoryChanges {
                kind: Some("spending".to_owned()),
                ..Default::default()
            },
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(kind_only.kind, CategoryKind::Spending);
    assert_eq!(kind_only.name, card.name);

    // Bob sees Plaid's categories as Plaid made them.
    assert_eq!(plaid(&app, &bob, "FOOD_AND_DRINK_COFFEE").await, coffee);
    assert_eq!(
        plaid(&app, &bob, "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT").await,
        card
    );

    // Giving Plaid's name and kind back and showing it again leaves no change of mine.
    let restored: Category = decoded(
        change(
            &app,
            &ana,
            coffee.id,
            CategoryChanges {
                name: Some("Coffee".to_owned()),
                hidden: Some(false),
                kind: Some("spending".to_owned()),
            },
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(restored, coffee);
    assert_eq!(count(&app.db, "category_override").await, 1);

    // Plaid's categories are hidden, never deleted.
    let error = error_of(
        app.delete_category(&ana.client, coffee.id, None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(error.message.contains("hide"), "{}", error.message);
    assert_eq!(all(&app, &ana).await.len(), 141);
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_invalid_field_is_reported(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let coffee = plaid(&app, &ana, "FOOD_AND_DRINK_COFFEE").await;
    let cases = [
        (new_category("", None, "spending"), "name", "name"),
        (new_category("   ", None, "spending"), "name", "name"),
        (
            new_category(&"x".repeat(61), None, "spending"),
            "name",
            "60",
        ),
        (
            new_category("two\nlines", None, "spending"),
            "name",
            "control",
        ),
        (new_category("Pets", None, "expense"), "kind", "spending"),
        (new_category("Pets", None, ""), "kind", "spending"),
        (
            new_category("Pets", Some(coffee.id), "spending"),
            "parent_id",
            "primary",
        ),
    ];
    for (body, field, message) in cases {
        let error = error_of(
            app.create_category(&ana.client, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error.code, ErrorCode::Validation);
        assert_eq!(named_fields(&error), [field], "{body:?}");
        assert!(
            error.fields[0].message.contains(message),
            "{body:?}: {error:?}"
        );
    }
    let error = error_of(
        app.create_category(&ana.client, &new_category("", None, "nope"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(named_fields(&error), ["name", "kind"]);

    // A third level is refused whoever's the middle one is.
    let food = plaid(&app, &ana, "FOOD_AND_DRINK").await;
    let beans = add(&app, &ana, new_category("Beans", Some(food.id), "spending")).await;
    let response = app
        .create_category(
            &ana.client,
            &new_category("Arabica", Some(beans.id), "spending"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The longest name there may be.
    add(&app, &ana, new_category(&"é".repeat(60), None, "spending")).await;

    for id in [coffee.id, beans.id] {
        let changes = CategoryChanges {
            name: Some(" ".to_owned()),
            hidden: None,
            kind: Some("Spending".to_owned()),
        };
        let error = error_of(
            change(&app, &ana, id, changes).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(named_fields(&error), ["name", "kind"]);
    }
    // Nothing changed by a refused request.
    assert_eq!(plaid(&app, &ana, "FOOD_AND_DRINK_COFFEE").await, coffee);

    // A body that is not the shape at all is the one error shape too.
    let response = browser_like_client()
        .post(app.url("/api/categories"))
        .json(&serde_json::json!({"name": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = ana
        .client
        .post(app.url("/api/categories"))
        .json(&serde_json::json!({"name": 3, "kind": "income"}))
        .send()
        .await
        .unwrap();
    let error = error_of(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(error.code, ErrorCode::BadRequest);
}

#[sqlx::test(migrations = "../../migrations")]
async fn names_are_unique_among_visible_siblings(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let food = plaid(&app, &ana, "FOOD_AND_DRINK").await;
    let travel = plaid(&app, &ana, "TRAVEL").await;
    let coffee = plaid(&app, &ana, "FOOD_AND_DRINK_COFFEE").await;
    let clash = |response: reqwest::Response| async move {
        let error = error_of(response, StatusCode::CONFLICT).await;
        assert_eq!(error.code, ErrorCode::Conflict);
        assert!(
            error.message.contains("already called"),
            "{}",
            error.message
        );
    };

    // Beside Plaid's, ignoring case; at the top and under a primary.
    clash(
        app.create_category(
            &ana.client,
            &new_category("cOFFEE", Some(food.id), "spending"),
        )
        .await,
    )
    .await;
    clash(
        app.create_category(&ana.client, &new_category("travel", None, "spending"))
            .await,
    )
    .await;
    // The same name elsewhere in the tree is another category.
    add(
        &app,
        &ana,
        new_category("Coffee", Some(travel.id), "spending"),
    )
    .await;
    add(&app, &ana, new_category("Coffee", None, "spending")).await;

    // A hidden category's name is free: hide Plaid's Coffee, make my own.
    decoded::<Category>(
        change(&app, &ana, coffee.id, hide(true)).await,
        StatusCode::OK,
    )
    .await;
    let mine = add(
        &app,
        &ana,
        new_category("Coffee", Some(food.id), "spending"),
    )
    .await;
    // ...and Plaid's cannot come back while mine has the name,
    clash(change(&app, &ana, coffee.id, hide(false)).await).await;
    // ...nor can mine take another visible sibling's name, Plaid's renamed one included.
    clash(change(&app, &ana, mine.id, rename("GROCERIES")).await).await;
    let restaurants = plaid(&app, &ana, "FOOD_AND_DRINK_RESTAURANT").await;
    decoded::<Category>(
        change(&app, &ana, restaurants.id, rename("Eating out")).await,
        StatusCode::OK,
    )
    .await;
    clash(change(&app, &ana, mine.id, rename("eating out")).await).await;
    add(
        &app,
        &ana,
        new_category("Restaurants", Some(food.id), "spending"),
    )
    .await;

    // A category may change the case of its own name.
    let recased: Category = decoded(
        change(&app, &ana, mine.id, rename("COFFEE")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(recased.name, "COFFEE");
    // Once mine is hidden, Plaid's comes back.
    decoded::<Category>(
        change(&app, &ana, mine.id, hide(true)).await,
        StatusCode::OK,
    )
    .await;
    decoded::<Category>(
        change(&app, &ana, coffee.id, hide(false)).await,
        StatusCode::OK,
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn someone_elses_category_is_not_there(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    let food = plaid(&app, &bob, "FOOD_AND_DRINK").await;
    let bobs_primary = add(&app, &bob, new_category("Bob's", None, "spending")).await;
    let bobs = add(
        &app,
        &bob,
        new_category("Snacks", Some(food.id), "spending"),
    )
    .await;
    let anas = add(&app, &ana, new_category("Ana's", None, "spending")).await;
    let anas_child = add(
        &app,
        &ana,
        new_category("Ana's too", Some(anas.id), "spending"),
    )
    .await;

    // Not listed, not changeable, not deletable, and no parent or target for Ana.
    assert!(!all(&app, &ana).await.iter().any(|c| c.id == bobs.id));
    let not_found = |response: reqwest::Response| async move {
        let error = error_of(response, StatusCode::NOT_FOUND).await;
        assert_eq!(error.code, ErrorCode::NotFound);
    };
    let unknown = CategoryId(uuid::Uuid::new_v4());
    for id in [bobs.id, unknown] {
        not_found(change(&app, &ana, id, rename("Mine now")).await).await;
        not_found(app.delete_category(&ana.client, id, None).await).await;
        not_found(app.delete_category(&ana.client, anas.id, Some(&id)).await).await;
    }
    not_found(
        app.create_category(
            &ana.client,
            &new_category("Under Bob's", Some(bobs_primary.id), "spending"),
        )
        .await,
    )
    .await;
    not_found(
        app.create_category(
            &ana.client,
            &new_category("Nowhere", Some(unknown), "spending"),
        )
        .await,
    )
    .await;
    not_found(
        app.update_category(&ana.client, "not-a-uuid", &rename("x"))
            .await,
    )
    .await;
    not_found(app.delete_category(&ana.client, "not-a-uuid", None).await).await;

    // Nor may a category's transactions go to one deleted with it.
    for target in [anas.id, anas_child.id] {
        let error = error_of(
            app.delete_category(&ana.client, anas.id, Some(&target))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(named_fields(&error), ["reassign_to"]);
    }
    let response = app
        .delete_category(&ana.client, anas.id, Some(&"not-a-uuid"))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // Bob's are as he left them.
    let bobs_now = all(&app, &bob).await;
    assert!(bobs_now.contains(&bobs) && bobs_now.contains(&bobs_primary));
    assert_eq!(count(&app.db, "category").await, 141 + 4);

    // Without a session, nothing.
    let stranger = browser_like_client();
    assert_unauthorized(app.get_from(&stranger, "/api/categories").await).await;
    assert_unauthorized(
        app.create_category(&stranger, &new_category("x", None, "spending"))
            .await,
    )
    .await;
    assert_unauthorized(app.update_category(&stranger, bobs.id, &rename("x")).await).await;
    assert_unauthorized(app.delete_category(&stranger, bobs.id, None).await).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn my_other_tabs_hear_of_every_change_and_only_of_changes(db: PgPool) {
    use crate::ws::{connect, next_event, next_event_within, register, QUIET};
    use tally_shared::ws::ServerEvent;

    let app = spawn_app(db).await;
    let (ana, bob) = (register(&app, "ana").await, register(&app, "bob").await);
    let mut anas_tab = connect(&app, &ana).await;
    let mut bobs_tab = connect(&app, &bob).await;
    let changed = Some(ServerEvent::CategoriesChanged);

    let response = app
        .create_category(&ana.tab, &new_category("Pets", None, "spending"))
        .await;
    let pets: Category = decoded(response, StatusCode::CREATED).await;
    assert_eq!(next_event(&mut anas_tab).await, changed);
    let response = app.update_category(&ana.tab, pets.id, &hide(true)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(next_event(&mut anas_tab).await, changed);
    let response = app.delete_category(&ana.tab, pets.id, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(next_event(&mut anas_tab).await, changed);

    // A refused change changed nothing, so nobody hears of it; Bob hears of none of Ana's.
    let response = app
        .create_category(&ana.tab, &new_category("", None, "spending"))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .create_category(&ana.tab, &new_category("Travel", None, "spending"))
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(next_event_within(&mut anas_tab, QUIET).await, None);
    assert_eq!(next_event_within(&mut bobs_tab, QUIET).await, None);
}
