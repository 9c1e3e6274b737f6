//! `/api/rules`: ordered rules, their checks, the preview, applying them to the past, and the
//! sync running them on every transaction it writes.

use crate::api_calls::{assert_unauthorized, decoded, named_fields, new_category, Person};
use crate::banking_support::synced_since;
use crate::fixtures::{account, alpha_bank, transaction, AccountRef};
use crate::helpers::{browser_like_client, spawn_app, TestApp};
use crate::simulator_support::advance_clock;
use reqwest::StatusCode;
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use tally_shared::api::categories::Category;
use tally_shared::api::rules::{
    Condition, ConditionField, ConditionOp, NewRule, Rule, RuleActions, RuleApplied, RulePreview,
    RuleUpdate,
};
use tally_shared::api::transactions::TransactionFilter;
use tally_shared::ids::{CategoryId, RuleId};
use tally_shared::ApiError;
use uuid::Uuid;

use ConditionField as F;
use ConditionOp as Op;

fn tags(tags: &[&str]) -> RuleActions {
    RuleActions {
        add_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..RuleActions::default()
    }
}

fn rule(name: &str, conditions: Vec<Condition>, actions: RuleActions) -> NewRule {
    NewRule {
        name: name.to_owned(),
        conditions,
        actions,
        position: None,
    }
}

/// A rule that matches every outgoing transaction and tags it `name`.
fn simple(name: &str) -> NewRule {
    rule(
        name,
        vec![Condition::one(F::Direction, Op::Equals, "out")],
        tags(&[name]),
    )
}

fn moved_to(position: u32) -> RuleUpdate {
    RuleUpdate {
        position: Some(position),
        ..RuleUpdate::default()
    }
}

async fn created(app: &TestApp, person: &Person, rule: &NewRule) -> Rule {
    decoded(
        app.create_rule(&person.client, rule).await,
        StatusCode::CREATED,
    )
    .await
}

async fn applied(app: &TestApp, person: &Person, id: RuleId) -> u64 {
    let applied: RuleApplied =
        decoded(app.apply_rules(&person.client, id).await, StatusCode::OK).await;
    applied.changed
}

async fn error_of(response: reqwest::Response, status: StatusCode) -> ApiError {
    decoded(response, status).await
}

/// The names of the person's rules in order, after checking their positions are 0..n.
async fn names(app: &TestApp, person: &Person) -> Vec<String> {
    let rules = app.rules(&person.client).await.rules;
    let positions: Vec<u32> = rules.iter().map(|r| r.position).collect();
    let expected: Vec<u32> = (0..).take(rules.len()).collect();
    assert_eq!(positions, expected);
    rules.into_iter().map(|r| r.name).collect()
}

async fn own_category(app: &TestApp, person: &Person, name: &str) -> CategoryId {
    let response = app
        .create_category(&person.client, &new_category(name, None, "spending"))
        .await;
    let category: Category = decoded(response, StatusCode::CREATED).await;
    category.id
}

/// Plaid's Travel category, which a person may choose by hand.
async fn travel(db: &PgPool) -> Uuid {
    sqlx::query_scalar("select category_id from category where plaid_code = 'TRAVEL'")
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn rules_keep_their_order_as_they_are_added_moved_and_deleted(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    for name in ["a", "b", "c"] {
        created(&app, &ana, &simple(name)).await;
    }
    let first = created(
        &app,
        &ana,
        &NewRule {
            position: Some(0),
            ..simple("z")
        },
    )
    .await;
    assert_eq!(first.position, 0);
    let past_the_end = created(
        &app,
        &ana,
        &NewRule {
            position: Some(99),
            ..simple("y")
        },
    )
    .await;
    assert_eq!(past_the_end.position, 4);
    assert_eq!(names(&app, &ana).await, ["z", "a", "b", "c", "y"]);

    let id_of = |rules: &[Rule], name: &str| rules.iter().find(|r| r.name == name).unwrap().id;
    let rules = app.rules(&ana.client).await.rules;
    let response = app
        .update_rule(&ana.client, id_of(&rules, "c"), &moved_to(0))
        .await;
    let moved: Rule = decoded(response, StatusCode::OK).await;
    assert_eq!((moved.name.as_str(), moved.position), ("c", 0));
    assert_eq!(names(&app, &ana).await, ["c", "z", "a", "b", "y"]);
    let response = app
        .update_rule(&ana.client, id_of(&rules, "z"), &moved_to(3))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(names(&app, &ana).await, ["c", "a", "b", "z", "y"]);
    // A new name and a position past the end at once: renamed, and last.
    let response = app
        .update_rule(
            &ana.client,
            id_of(&rules, "a"),
            &RuleUpdate {
                name: Some(" a2 ".to_owned()),
                position: Some(99),
                ..RuleUpdate::default()
            },
        )
        .await;
    let renamed: Rule = decoded(response, StatusCode::OK).await;
    assert_eq!((renamed.name.as_str(), renamed.position), ("a2", 4));
    assert_eq!(renamed.conditions, simple("a").conditions);
    assert_eq!(renamed.actions, tags(&["a"]));
    assert_eq!(names(&app, &ana).await, ["c", "b", "z", "y", "a2"]);

    let response = app.delete_rule(&ana.client, id_of(&rules, "b")).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(names(&app, &ana).await, ["c", "z", "y", "a2"]);
    let response = app.delete_rule(&ana.client, id_of(&rules, "b")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_rule_is_stored_as_checked_and_every_wrong_field_is_named(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let coffee = own_category(&app, &ana, "Coffee").await;
    let given = rule(
        " Coffee shops ",
        vec![
            Condition::one(F::Description, Op::Contains, " Blue Bottle "),
            Condition::amount_between("1.50", "20"),
            Condition::one(F::Direction, Op::Equals, "OUT"),
            Condition::one(F::PlaidCategory, Op::StartsWith, "FOOD_AND_DRINK"),
        ],
        RuleActions {
            category_id: Some(coffee),
            display_name: Some(" Coffee ".to_owned()),
            add_tags: vec![
                "Coffee".to_owned(),
                " coffee".to_owned(),
                "Treats".to_owned(),
            ],
            hide: false,
        },
    );
    let stored = created(&app, &ana, &given).await;
    assert_eq!(stored.name, "Coffee shops");
    assert_eq!(
        stored.conditions,
        [
            Condition::one(F::Description, Op::Contains, "Blue Bottle"),
            Condition::amount_between("1.50", "20"),
            Condition::one(F::Direction, Op::Equals, "out"),
            Condition::one(F::PlaidCategory, Op::StartsWith, "FOOD_AND_DRINK"),
        ]
    );
    assert_eq!(
        stored.actions,
        RuleActions {
            category_id: Some(coffee),
            display_name: Some("Coffee".to_owned()),
            add_tags: vec!["coffee".to_owned(), "treats".to_owned()],
            hide: false,
        }
    );
    assert_eq!(app.rules(&ana.client).await.rules, vec![stored.clone()]);

    let wrong = rule(
        "",
        vec![
            Condition::one(F::Amount, Op::Contains, "5"),
            Condition::amount_between("20", "10"),
            Condition::one(F::Merchant, Op::Gt, "x"),
        ],
        RuleActions {
            add_tags: vec!["x".repeat(41)],
            ..RuleActions::default()
        },
    );
    let error = error_of(
        app.create_rule(&ana.client, &wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        named_fields(&error),
        [
            "name",
            "conditions[0].op",
            "conditions[1].value",
            "conditions[2].op",
            "actions.add_tags"
        ]
    );
    let nothing_to_do = rule("x", simple("x").conditions, RuleActions::default());
    let no_conditions = rule("x", Vec::new(), tags(&["x"]));
    for (wrong, field) in [(nothing_to_do, "actions"), (no_conditions, "conditions")] {
        let error = error_of(
            app.create_rule(&ana.client, &wrong).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(named_fields(&error), [field]);
    }
    // A refused change leaves the rule as it was.
    let response = app
        .update_rule(
            &ana.client,
            stored.id,
            &RuleUpdate {
                name: Some("fine".to_owned()),
                actions: Some(RuleActions::default()),
                ..RuleUpdate::default()
            },
        )
        .await;
    let error = error_of(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(named_fields(&error), ["actions"]);
    assert_eq!(app.rules(&ana.client).await.rules, vec![stored.clone()]);

    // Only what is given changes.
    let response = app
        .update_rule(
            &ana.client,
            stored.id,
            &RuleUpdate {
                actions: Some(RuleActions {
                    hide: true,
                    ..RuleActions::default()
                }),
                ..RuleUpdate::default()
            },
        )
        .await;
    let updated: Rule = decoded(response, StatusCode::OK).await;
    assert_eq!(
        updated,
        Rule {
            actions: RuleActions {
                hide: true,
                ..RuleActions::default()
            },
            ..stored
        }
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_person_keeps_at_most_500_rules(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    sqlx::query(
        r#"insert into rule (user_id, position, name, conditions, hide)
           select $1, n, 'rule ' || n, '[{"field": "direction", "op": "equals", "value": "out"}]', true
           from generate_series(0, 498) as n"#,
    )
    .bind(ana.user_id)
    .execute(&app.db)
    .await
    .unwrap();
    let last = created(&app, &ana, &simple("the 500th")).await;
    assert_eq!(last.position, 499);
    let error = error_of(
        app.create_rule(&ana.client, &simple("one more")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(named_fields(&error), ["rules"]);
    assert!(error.fields[0].message.contains("500"), "{error:?}");
    assert_eq!(app.rules(&ana.client).await.rules.len(), 500);
}

#[sqlx::test(migrations = "../../migrations")]
async fn someone_elses_rules_categories_and_accounts_answer_404(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    let bobs_rule = created(&app, &bob, &simple("bob's")).await;
    let bobs_category = own_category(&app, &bob, "Bob's").await;
    let bobs_account = account(alpha_bank(&app.db, bob.user_id).await, "Bob's")
        .insert(&app.db)
        .await;

    let not_found = |response: reqwest::Response| async move {
        let error = error_of(response, StatusCode::NOT_FOUND).await;
        assert!(!error.message.is_empty());
    };
    let with_bobs_category = rule(
        "x",
        simple("x").conditions,
        RuleActions {
            category_id: Some(bobs_category),
            ..RuleActions::default()
        },
    );
    not_found(app.create_rule(&ana.client, &with_bobs_category).await).await;
    let on_bobs_account = vec![Condition::one(
        F::AccountId,
        Op::Equals,
        bobs_account.account_id.to_string(),
    )];
    let watching_bob = rule("x", on_bobs_account.clone(), tags(&["x"]));
    not_found(app.create_rule(&ana.client, &watching_bob).await).await;
    not_found(app.preview_rule(&ana.client, &on_bobs_account).await).await;
    let anas = created(&app, &ana, &simple("ana's")).await;
    let towards_bob = RuleUpdate {
        actions: Some(with_bobs_category.actions.clone()),
        ..RuleUpdate::default()
    };
    not_found(app.update_rule(&ana.client, anas.id, &towards_bob).await).await;

    not_found(
        app.update_rule(&ana.client, bobs_rule.id, &moved_to(0))
            .await,
    )
    .await;
    not_found(app.delete_rule(&ana.client, bobs_rule.id).await).await;
    not_found(app.apply_rules(&ana.client, bobs_rule.id).await).await;
    not_found(app.apply_rules(&ana.client, "not-a-uuid").await).await;
    assert_eq!(app.rules(&bob.client).await.rules, vec![bobs_rule.clone()]);
    assert_eq!(app.rules(&ana.client).await.rules, [anas]);

    let stranger = browser_like_client();
    assert_unauthorized(app.get_from(&stranger, "/api/rules").await).await;
    assert_unauthorized(app.create_rule(&stranger, &simple("x")).await).await;
    assert_unauthorized(app.apply_rules(&stranger, bobs_rule.id).await).await;
    assert_unauthorized(app.preview_rule(&stranger, &simple("x").conditions).await).await;
}

const NAMES: [&str; 6] = [
    "SQ *BLUE BOTTLE 042",
    "Starbucks",
    "Coffee refund",
    "Shell Oil 5521",
    "Payroll ACME",
    "Blue Apron",
];
const MERCHANTS: [Option<&str>; 4] = [
    Some("Blue Bottle Coffee"),
    None,
    Some("Starbucks"),
    Some("Shell"),
];
const CATEGORIES: [(&str, &str); 3] = [
    ("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE"),
    ("TRANSPORTATION", "TRANSPORTATION_GAS"),
    ("INCOME", "INCOME_SALARY"),
];

/// 120 transactions over two accounts, varied enough that each condition matches some and
/// misses some: names, merchants (some none), amounts either side of zero, categories, dates.
async fn varied_transactions(db: &PgPool, checking: AccountRef, savings: AccountRef) {
    for n in 0..120_usize {
        let account = if n % 5 == 0 { savings } else { checking };
        let cents = i64::try_from((n * 3_677) % 16_000).unwrap() - 4_000;
        let amount = rust_decimal::Decimal::new(cents, 2).to_string();
        let date = format!("2026-{:02}-{:02}", 1 + n % 3, 1 + n % 28);
        let (primary, detailed) = CATEGORIES[n % 3];
        let mut row =
            transaction(account, &date, &amount, NAMES[n % 6]).category(primary, detailed);
        if let Some(merchant) = MERCHANTS[n % 4] {
            row = row.merchant(merchant);
        }
        row.insert(db).await;
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_preview_counts_what_a_row_by_row_query_finds_and_shows_the_newest(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let bank = alpha_bank(&app.db, ana.user_id).await;
    let checking = account(bank, "Checking").insert(&app.db).await;
    let savings = account(bank, "Savings").insert(&app.db).await;
    varied_transactions(&app.db, checking, savings).await;
    // Bob's transactions are never Ana's matches.
    let bob = app.sign_up("bob").await;
    let bobs = account(alpha_bank(&app.db, bob.user_id).await, "Bob's")
        .insert(&app.db)
        .await;
    varied_transactions(&app.db, bobs, bobs).await;

    let savings_id = savings.account_id.to_string();
    let cases: Vec<(Vec<Condition>, String)> = vec![
        (
            vec![Condition::one(F::Description, Op::Contains, "coffee")],
            "lower(name) like '%coffee%' or lower(merchant_name) like '%coffee%'".to_owned(),
        ),
        (
            vec![Condition::one(F::Description, Op::Equals, "STARBUCKS")],
            "lower(name) = 'starbucks' or lower(merchant_name) = 'starbucks'".to_owned(),
        ),
        (
            vec![Condition::one(F::Merchant, Op::StartsWith, "blue")],
            "lower(merchant_name) like 'blue%'".to_owned(),
        ),
        (
            vec![Condition::one(F::Description, Op::StartsWith, "sq *blue")],
            "lower(name) like 'sq *blue%' or lower(merchant_name) like 'sq *blue%'".to_owned(),
        ),
        (
            vec![Condition::one(F::Description, Op::StartsWith, "Starb")],
            "lower(name) like 'starb%' or lower(merchant_name) like 'starb%'".to_owned(),
        ),
        (
            vec![Condition::one(F::Merchant, Op::Contains, "COFFEE")],
            "lower(merchant_name) like '%coffee%'".to_owned(),
        ),
        (
            vec![Condition::one(F::Merchant, Op::Equals, "shell")],
            "lower(merchant_name) = 'shell'".to_owned(),
        ),
        (vec![Condition::amount_between("-10", "25.5")], "amount between -10 and 25.5".to_owned()),
        (vec![Condition::one(F::Amount, Op::Lt, "-12.3")], "amount < -12.3".to_owned()),
        (vec![Condition::one(F::Direction, Op::Equals, "out")], "amount > 0".to_owned()),
        (vec![Condition::one(F::Amount, Op::Gt, "100")], "amount > 100".to_owned()),
        (vec![Condition::one(F::Amount, Op::Equals, "-40")], "amount = -40".to_owned()),
        (vec![Condition::one(F::Direction, Op::Equals, "in")], "amount < 0".to_owned()),
        (
            vec![Condition::one(F::AccountId, Op::Equals, &savings_id)],
            format!("account_id = '{savings_id}'"),
        ),
        (
            vec![Condition::one(F::PlaidCategory, Op::Equals, "food_and_drink")],
            "category_primary = 'FOOD_AND_DRINK' or category_detailed = 'FOOD_AND_DRINK'"
                .to_owned(),
        ),
        (
            vec![Condition::one(F::PlaidCategory, Op::Equals, "transportation_gas")],
            "category_detailed = 'TRANSPORTATION_GAS'".to_owned(),
        ),
        (
            vec![
                Condition::one(F::Description, Op::Contains, "blue"),
                Condition::one(F::Direction, Op::Equals, "out"),
                Condition::one(F::PlaidCategory, Op::StartsWith, "transportation"),
            ],
            "(lower(name) like '%blue%' or lower(merchant_name) like '%blue%') and amount > 0
             and (category_primary like 'TRANSPORTATION%' or category_detailed like 'TRANSPORTATION%')"
                .to_owned(),
        ),
        (
            vec![Condition::one(F::Merchant, Op::Equals, "nobody")],
            "false".to_owned(),
        ),
    ];
    for (conditions, sql) in cases {
        let preview: RulePreview = decoded(
            app.preview_rule(&ana.client, &conditions).await,
            StatusCode::OK,
        )
        .await;
        let expected: Vec<Uuid> = sqlx::query_scalar(&format!(
            "select transaction_id from bank_transaction
             where user_id = $1 and ({sql})
             order by date desc, transaction_id desc"
        ))
        .bind(ana.user_id)
        .fetch_all(&app.db)
        .await
        .unwrap();
        assert_eq!(
            preview.matches,
            u64::try_from(expected.len()).unwrap(),
            "{sql}"
        );
        let sample: Vec<Uuid> = preview.sample.iter().map(|t| t.id.0).collect();
        assert_eq!(
            sample,
            expected.into_iter().take(20).collect::<Vec<_>>(),
            "{sql}"
        );
        assert!(preview
            .sample
            .iter()
            .all(|t| t.account_name == "Checking" || t.account_name == "Savings"));
    }
    let error = error_of(
        app.preview_rule(&ana.client, &[Condition::amount_between("2", "1")])
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(named_fields(&error), ["conditions[0].value"]);
}

/// A transaction's rule columns and effective values.
#[derive(Debug, sqlx::FromRow)]
struct Labels {
    transaction_id: Uuid,
    rule_category_id: Option<Uuid>,
    rule_tags: Option<Vec<String>>,
    category_id: Uuid,
    tags: Vec<String>,
}

/// The person's transactions' labels, by id.
async fn labels(db: &PgPool, user_id: Uuid) -> BTreeMap<Uuid, Labels> {
    let rows: Vec<Labels> = sqlx::query_as(
        "select transaction_id, rule_category_id, rule_tags, category_id, tags
         from bank_transaction where user_id = $1",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
    .unwrap();
    rows.into_iter()
        .map(|row| (row.transaction_id, row))
        .collect()
}

#[sqlx::test(migrations = "../../migrations")]
async fn applying_relabels_the_past_under_all_rules_and_the_persons_fields_win(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let bank = alpha_bank(&app.db, ana.user_id).await;
    let checking = account(bank, "Checking").insert(&app.db).await;
    let savings = account(bank, "Savings").insert(&app.db).await;
    varied_transactions(&app.db, checking, savings).await;
    let coffee = own_category(&app, &ana, "Coffee").await;
    let travel = travel(&app.db).await;
    let is_coffee =
        "(lower(name) like '%coffee%' or coalesce(lower(merchant_name) like '%coffee%', false))";
    // Ana chose a category for one coffee by hand, and every field of another.
    let by_hand: Vec<Uuid> = sqlx::query_scalar(&format!(
        "select transaction_id from bank_transaction where user_id = $1 and {is_coffee}
         and amount > 0 order by transaction_id limit 2"
    ))
    .bind(ana.user_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    sqlx::query("update bank_transaction set user_category_id = $2 where transaction_id = $1")
        .bind(by_hand[0])
        .bind(travel)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query(
        "update bank_transaction set user_category_id = $2, user_display_name = 'Mine',
                user_tags = '{mine}', user_hidden = false
         where transaction_id = $1",
    )
    .bind(by_hand[1])
    .bind(travel)
    .execute(&app.db)
    .await
    .unwrap();

    let coffee_rule = created(
        &app,
        &ana,
        &rule(
            "Coffee",
            vec![Condition::one(F::Description, Op::Contains, "coffee")],
            RuleActions {
                category_id: Some(coffee),
                display_name: Some("Coffee".to_owned()),
                add_tags: vec!["coffee".to_owned()],
                hide: false,
            },
        ),
    )
    .await;
    // Creating a rule changes no transaction: that is what applying is for.
    assert!(labels(&app.db, ana.user_id)
        .await
        .values()
        .all(|row| row.rule_category_id.is_none() && row.rule_tags.is_none()));
    let spent = created(&app, &ana, &simple("spent")).await;

    // Every coffee or outgoing transaction changes, except the one Ana set every field of.
    let expected: i64 = sqlx::query_scalar(&format!(
        "select count(*) from bank_transaction
         where user_id = $1 and ({is_coffee} or amount > 0) and transaction_id <> $2"
    ))
    .bind(ana.user_id)
    .bind(by_hand[1])
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(expected > 10);
    assert_eq!(
        applied(&app, &ana, spent.id).await,
        u64::try_from(expected).unwrap()
    );
    assert_eq!(
        applied(&app, &ana, spent.id).await,
        0,
        "a second apply changes nothing"
    );

    let rows: Vec<(Uuid, bool, bool, String)> = sqlx::query_as(&format!(
        "select transaction_id, {is_coffee}, amount > 0, name from bank_transaction
         where user_id = $1"
    ))
    .bind(ana.user_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let now = labels(&app.db, ana.user_id).await;
    let mut coffees = BTreeSet::new();
    for (id, is_coffee, out, name) in rows {
        if is_coffee {
            coffees.insert(id);
        }
        let Labels {
            rule_category_id: rule_category,
            rule_tags,
            category_id: category,
            tags,
            ..
        } = &now[&id];
        let mut expected_tags = Vec::new();
        if is_coffee {
            expected_tags.push("coffee".to_owned());
        }
        if out {
            expected_tags.push("spent".to_owned());
        }
        let expected_rule_category = is_coffee.then_some(coffee.0);
        assert_eq!(*rule_category, expected_rule_category, "{name}");
        let expected_rule_tags = (!expected_tags.is_empty()).then(|| expected_tags.clone());
        assert_eq!(*rule_tags, expected_rule_tags, "{name}");
        if id == by_hand[0] {
            assert_eq!(*category, travel, "a category set by hand beats the rule");
            assert_eq!(*tags, expected_tags);
        } else if id == by_hand[1] {
            assert_eq!(
                (*category, tags.as_slice()),
                (travel, ["mine".to_owned()].as_slice())
            );
        } else if is_coffee {
            assert_eq!((*category, tags), (coffee.0, &expected_tags));
        }
    }
    // The person's own columns are as they were.
    let hand_set: Vec<(Option<Uuid>, Option<String>)> = sqlx::query_as(
        "select user_category_id, user_display_name from bank_transaction
         where user_id = $1 and user_category_id is not null order by transaction_id = $2",
    )
    .bind(ana.user_id)
    .bind(by_hand[1])
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        hand_set,
        [
            (Some(travel), None),
            (Some(travel), Some("Mine".to_owned()))
        ]
    );
    // The list shows the effective values.
    let page = app
        .transactions(
            &ana.client,
            &TransactionFilter {
                limit: Some(500),
                ..TransactionFilter::default()
            },
        )
        .await;
    let shown: Vec<_> = page
        .transactions
        .iter()
        .filter(|t| coffees.contains(&t.id.0) && !by_hand.contains(&t.id.0))
        .collect();
    assert!(!shown.is_empty());
    for coffee in shown {
        assert_eq!(coffee.category_name, "Coffee");
        assert_eq!(coffee.display_name.as_deref(), Some("Coffee"));
        assert_eq!(coffee.tags[0], "coffee");
    }

    // Without the coffee rule, applying takes its labels back from every coffee but the one
    // whose every field is Ana's.
    let response = app.delete_rule(&ana.client, coffee_rule.id).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        applied(&app, &ana, spent.id).await,
        u64::try_from(coffees.len() - 1).unwrap()
    );
    let none_left: i64 = sqlx::query_scalar(
        "select count(*) from bank_transaction
         where user_id = $1 and (rule_category_id is not null or 'coffee' = any(rule_tags))",
    )
    .bind(ana.user_id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(none_left, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn rules_label_the_transactions_a_webhook_brings_in_the_same_sync(db: PgPool) {
    let app = spawn_app(db).await;
    let (client, item) = app.sign_up_with_bank("alice").await;
    let alice = Person {
        client,
        user_id: sqlx::query_scalar("select user_id from plaid_item where item_id = $1")
            .bind(item.id.0)
            .fetch_one(&app.db)
            .await
            .unwrap(),
    };
    let before: BTreeSet<Uuid> = labels(&app.db, alice.user_id).await.into_keys().collect();
    let eating = own_category(&app, &alice, "Eating").await;
    created(&app, &alice, &simple("spent")).await;
    created(
        &app,
        &alice,
        &rule(
            "Food",
            vec![Condition::one(
                F::PlaidCategory,
                Op::Equals,
                "FOOD_AND_DRINK",
            )],
            RuleActions {
                category_id: Some(eating),
                ..RuleActions::default()
            },
        ),
    )
    .await;

    // Ten days pass at the bank; the simulator says so by webhook, and Tally syncs.
    advance_clock(&app, 10).await;
    app.wait_until(&alice.client, &item, |now| {
        now.last_webhook_at.is_some() && synced_since(now, item.last_synced_at)
    })
    .await;

    #[derive(sqlx::FromRow)]
    struct Row {
        transaction_id: Uuid,
        out: bool,
        food: bool,
        rule_tags: Option<Vec<String>>,
        rule_category_id: Option<Uuid>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "select transaction_id, amount > 0 as out,
                'FOOD_AND_DRINK' in (category_primary, category_detailed) as food,
                rule_tags, rule_category_id
         from bank_transaction where user_id = $1",
    )
    .bind(alice.user_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let arrived: Vec<&Row> = rows
        .iter()
        .filter(|row| !before.contains(&row.transaction_id))
        .collect();
    assert!(
        arrived.iter().any(|row| row.out),
        "no new outgoing transaction"
    );
    for row in arrived {
        assert_eq!(row.rule_tags, row.out.then(|| vec!["spent".to_owned()]));
        assert_eq!(row.rule_category_id, row.food.then_some(eating.0));
    }
    // What was there before the rules, and did not change at the bank, is as it was.
    let untouched = rows
        .iter()
        .filter(|row| before.contains(&row.transaction_id))
        .filter(|row| row.rule_tags.is_none() && row.rule_category_id.is_none())
        .count();
    assert!(untouched > 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn my_other_tabs_hear_of_rule_changes_and_of_applies_that_change_something(db: PgPool) {
    use crate::ws::{connect, next_event, next_event_within, register, QUIET};
    use tally_shared::ws::ServerEvent;

    let app = spawn_app(db).await;
    let (ana, bob) = (register(&app, "ana").await, register(&app, "bob").await);
    let mut anas_tab = connect(&app, &ana).await;
    let mut bobs_tab = connect(&app, &bob).await;
    let changed = Some(ServerEvent::TransactionsChanged);
    let checking = account(alpha_bank(&app.db, ana.id).await, "Checking")
        .insert(&app.db)
        .await;
    transaction(checking, "2026-01-02", "4.50", "Coffee")
        .insert(&app.db)
        .await;

    let response = app.create_rule(&ana.tab, &simple("spent")).await;
    let spent: Rule = decoded(response, StatusCode::CREATED).await;
    assert_eq!(next_event(&mut anas_tab).await, changed);
    let response = app.update_rule(&ana.tab, spent.id, &moved_to(0)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(next_event(&mut anas_tab).await, changed);
    let response = app.apply_rules(&ana.tab, spent.id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(next_event(&mut anas_tab).await, changed);

    // An apply that changes nothing and a refused change tell nobody; Bob hears of none.
    let response = app.apply_rules(&ana.tab, spent.id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = app
        .create_rule(&ana.tab, &rule("", Vec::new(), RuleActions::default()))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(next_event_within(&mut anas_tab, QUIET).await, None);

    let response = app.delete_rule(&ana.tab, spent.id).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(next_event(&mut anas_tab).await, changed);
    assert_eq!(next_event_within(&mut bobs_tab, QUIET).await, None);
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_first_matching_rule_decides_and_moving_it_changes_the_winner(db: PgPool) {
    use tally_shared::api::transactions::{HiddenFilter, Transaction};

    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let checking = account(alpha_bank(&app.db, ana.user_id).await, "Checking")
        .insert(&app.db)
        .await;
    let small = transaction(checking, "2026-01-02", "4.50", "SQ *BLUE BOTTLE")
        .insert(&app.db)
        .await;
    let large = transaction(checking, "2026-01-03", "6.00", "Blue Bottle Coffee")
        .insert(&app.db)
        .await;
    let fuel = transaction(checking, "2026-01-04", "30.00", "Shell")
        .insert(&app.db)
        .await;
    let coffee = own_category(&app, &ana, "Coffee").await;
    let treats = own_category(&app, &ana, "Treats").await;
    let coffee_rule = created(
        &app,
        &ana,
        &rule(
            "Coffee",
            vec![Condition::one(F::Description, Op::Contains, "blue bottle")],
            RuleActions {
                category_id: Some(coffee),
                display_name: Some("Blue Bottle".to_owned()),
                add_tags: vec!["coffee".to_owned()],
                hide: false,
            },
        ),
    )
    .await;
    let treat_rule = created(
        &app,
        &ana,
        &rule(
            "Treats",
            vec![Condition::amount_between("4", "10")],
            RuleActions {
                category_id: Some(treats),
                display_name: Some("Treat".to_owned()),
                add_tags: vec!["treat".to_owned()],
                hide: true,
            },
        ),
    )
    .await;
    // Every transaction as the list shows it, hidden ones too, by id.
    let shown = || async {
        let page = app
            .transactions(
                &ana.client,
                &TransactionFilter {
                    hidden: Some(HiddenFilter::All),
                    ..TransactionFilter::default()
                },
            )
            .await;
        page.transactions
            .into_iter()
            .map(|t| (t.id.0, t))
            .collect::<BTreeMap<Uuid, Transaction>>()
    };
    let labelled = |t: &Transaction| {
        (
            t.category_id,
            t.display_name.clone(),
            t.tags.clone(),
            t.hidden,
        )
    };
    let strings = |texts: &[&str]| texts.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();

    // Both rules match both coffees: the first one's category and name, everyone's tags, and
    // the second one hides them.
    assert_eq!(applied(&app, &ana, coffee_rule.id).await, 2);
    let now = shown().await;
    let fuel_before = labelled(&now[&fuel]);
    for id in [small, large] {
        assert_eq!(
            labelled(&now[&id]),
            (
                coffee,
                Some("Blue Bottle".to_owned()),
                strings(&["coffee", "treat"]),
                true
            )
        );
    }

    // Moved first, the treats rule decides instead.
    let response = app
        .update_rule(&ana.client, treat_rule.id, &moved_to(0))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(applied(&app, &ana, treat_rule.id).await, 2);
    let now = shown().await;
    for id in [small, large] {
        assert_eq!(
            labelled(&now[&id]),
            (
                treats,
                Some("Treat".to_owned()),
                strings(&["treat", "coffee"]),
                true
            )
        );
    }
    assert_eq!(labelled(&now[&fuel]), fuel_before);

    // Ana shows one and names it herself: no rule undoes that.
    sqlx::query(
        "update bank_transaction set user_hidden = false, user_display_name = 'Mine'
         where transaction_id = $1",
    )
    .bind(large)
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(applied(&app, &ana, treat_rule.id).await, 0);
    let now = shown().await;
    assert_eq!(
        labelled(&now[&large]),
        (
            treats,
            Some("Mine".to_owned()),
            strings(&["treat", "coffee"]),
            false
        )
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_sync_relabels_what_the_bank_modifies_and_leaves_hand_set_fields_alone(db: PgPool) {
    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let item = app
        .link_bank(&ana.client, "user_transactions_dynamic")
        .await;
    let checked = own_category(&app, &ana, "Checked").await;
    let travel = travel(&app.db).await;
    // A rule for every transaction, not applied to the past: only what a sync writes from now
    // on gets its labels.
    created(
        &app,
        &ana,
        &rule(
            "Everything",
            vec![Condition::amount_between("-1000000000", "1000000000")],
            RuleActions {
                category_id: Some(checked),
                add_tags: vec!["seen".to_owned()],
                ..RuleActions::default()
            },
        ),
    )
    .await;
    // Ana chose the category of every transaction by hand.
    sqlx::query("update bank_transaction set user_category_id = $2 where user_id = $1")
        .bind(ana.user_id)
        .bind(travel)
        .execute(&app.db)
        .await
        .unwrap();
    let amounts = |db: PgPool, user_id: Uuid| async move {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "select transaction_id, amount::text from bank_transaction where user_id = $1",
        )
        .bind(user_id)
        .fetch_all(&db)
        .await
        .unwrap();
        rows.into_iter().collect::<BTreeMap<Uuid, String>>()
    };
    let before = amounts(app.db.clone(), ana.user_id).await;

    // The bank corrects an amount, among other changes.
    let response = app.refresh_item(&ana.client, item.id).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    app.wait_for_sync(&ana.client, &item, item.last_synced_at)
        .await;

    let after = amounts(app.db.clone(), ana.user_id).await;
    let modified: Vec<Uuid> = after
        .iter()
        .filter(|(id, amount)| before.get(*id).is_some_and(|was| was != *amount))
        .map(|(id, _)| *id)
        .collect();
    assert!(!modified.is_empty(), "the refresh corrects no amount");
    let now = labels(&app.db, ana.user_id).await;
    for id in &modified {
        let row = &now[id];
        assert_eq!(row.rule_category_id, Some(checked.0));
        assert_eq!(row.rule_tags, Some(vec!["seen".to_owned()]));
        assert_eq!(row.category_id, travel, "the category Ana chose stays");
        assert_eq!(row.tags, ["seen"]);
    }
    // What the bank left as it was keeps no labels until the rules are applied.
    let untouched = now
        .values()
        .filter(|row| before.get(&row.transaction_id) == after.get(&row.transaction_id))
        .filter(|row| row.rule_tags.is_none() && row.category_id == travel)
        .count();
    assert!(untouched > 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn rules_past_their_limits_are_422s_naming_the_field_and_change_nothing(db: PgPool) {
    use tally_shared::ErrorCode;

    let app = spawn_app(db).await;
    let ana = app.sign_up("ana").await;
    let stored = created(&app, &ana, &simple("kept")).await;
    let long = |n: usize| "x".repeat(n);
    let too_many_conditions = vec![Condition::one(F::Amount, Op::Gt, "0"); 21];
    let too_many_tags: Vec<String> = (0..21).map(|n| format!("t{n}")).collect();
    let wrong = [
        (
            rule(&long(101), simple("x").conditions, tags(&["x"])),
            "name",
        ),
        (
            rule("x", too_many_conditions.clone(), tags(&["x"])),
            "conditions",
        ),
        (
            rule(
                "x",
                vec![Condition::one(F::Merchant, Op::Contains, long(201))],
                tags(&["x"]),
            ),
            "conditions[0].value",
        ),
        (
            rule(
                "x",
                simple("x").conditions,
                RuleActions {
                    add_tags: too_many_tags,
                    ..RuleActions::default()
                },
            ),
            "actions.add_tags",
        ),
        (
            rule(
                "x",
                simple("x").conditions,
                RuleActions {
                    display_name: Some(long(201)),
                    ..RuleActions::default()
                },
            ),
            "actions.display_name",
        ),
        (
            rule(
                "x",
                vec![Condition::one(F::AccountId, Op::Equals, "not-an-account")],
                tags(&["x"]),
            ),
            "conditions[0].value",
        ),
    ];
    for (wrong, field) in wrong {
        let error = error_of(
            app.create_rule(&ana.client, &wrong).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error.code, ErrorCode::Validation, "{field}");
        assert_eq!(named_fields(&error), [field]);
        let update = RuleUpdate {
            name: Some(wrong.name.clone()),
            conditions: Some(wrong.conditions.clone()),
            actions: Some(wrong.actions.clone()),
            ..RuleUpdate::default()
        };
        let error = error_of(
            app.update_rule(&ana.client, stored.id, &update).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(named_fields(&error), [field]);
    }
    let error = error_of(
        app.preview_rule(&ana.client, &too_many_conditions).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(named_fields(&error), ["conditions"]);
    // A field or operation the API does not know is a body of the wrong shape: the one error
    // shape, as for any malformed body.
    let response = ana
        .client
        .post(app.url("/api/rules"))
        .json(&serde_json::json!({
            "name": "x",
            "conditions": [{"field": "colour", "op": "equals", "value": "red"}],
            "actions": {"hide": true}
        }))
        .send()
        .await
        .unwrap();
    let error = error_of(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(error.code, ErrorCode::BadRequest);
    assert_eq!(app.rules(&ana.client).await.rules, [stored]);
}
