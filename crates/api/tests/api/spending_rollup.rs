//! Spending and budgets, which read `spending_rollup` (summed ahead by triggers on
//! `bank_transaction`), against row-by-row queries over the base tables, over periods of every
//! shape (all time, this month so far, a whole month, days within a month, days cutting through
//! months), after each kind of write to a person's transactions: the bank's changes through the
//! sync (new transactions, pending → posted, corrected amounts, withdrawals, the person's rules
//! run on what arrives), edits of category and hidden, rules applied to the past, splits made and
//! removed, transfers paired and unpaired by hand, an account, an item and another person
//! removed. A write the rollup missed shows as a difference.

use crate::api_calls::{create_item_request, decoded, Person, PASSWORD};
use crate::banking_support::wait_until_matches_bank;
use crate::helpers::{spawn_app_with, TestApp};
use crate::insights::spending_randomized::{
    assert_spending_adds_up_over, own_categories, pick, split_randomly, units, Unit,
};
use crate::simulator_support::advance_clock;
use crate::transfers::pair;
use chrono::{Datelike, Days, Months, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::PgPool;
use std::collections::BTreeMap;
use tally_shared::api::categories::Category;
use tally_shared::api::items::Item;
use tally_shared::api::rules::{
    Condition, ConditionField, ConditionOp, NewRule, Rule, RuleActions,
};
use tally_shared::api::transactions::{HiddenFilter, TransactionEdit, TransactionFilter};
use tally_shared::ids::CategoryId;
use uuid::Uuid;

/// Another institution than the one `link_bank` links, so one person can have both.
const SECOND_BANK: &str = "ins_127287";

/// The categories with a budget: a primary, a category under it (within its parent's budget),
/// another primary, and the person's own.
const BUDGETED: &[&str] = &["FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE", "TRANSPORTATION"];

async fn link_second_bank(app: &TestApp, person: &Person) -> Item {
    let token = app.public_token(SECOND_BANK, "user_good").await;
    let request = create_item_request(&token, SECOND_BANK);
    let item: Item = decoded(
        app.create_item(&person.client, &request).await,
        StatusCode::CREATED,
    )
    .await;
    app.wait_for_sync(&person.client, &item, None).await
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn first_of_month(back: u32) -> NaiveDate {
    let this_month = Utc::now().date_naive().with_day(1).unwrap();
    this_month.checked_sub_months(Months::new(back)).unwrap()
}

fn month_name(first: NaiveDate) -> String {
    format!("{:04}-{:02}", first.year(), first.month())
}

/// All time, this month so far, last month whole, days within last month, and a random stretch
/// of days that cuts through months.
fn periods(rng: &mut StdRng) -> Vec<(NaiveDate, NaiveDate)> {
    let today = Utc::now().date_naive();
    let (this_month, last_month) = (first_of_month(0), first_of_month(1));
    let from = today - Days::new(rng.random_range(20..100));
    let to = today - Days::new(rng.random_range(0..15));
    vec![
        (day("1900-01-01"), day("9999-12-31")),
        (this_month, today),
        (last_month, this_month.pred_opt().unwrap()),
        (last_month + Days::new(4), last_month + Days::new(19)),
        (from, to),
    ]
}

/// What a unit adds to its category's budget: money out, and money in (a refund) except under
/// Plaid's `OTHER`; nothing unless its category's kind is spending.
fn toward_budget(unit: &Unit) -> Decimal {
    let counts = unit.kind == "spending"
        && (unit.amount > Decimal::ZERO || unit.primary_code.as_deref() != Some("OTHER"));
    if counts {
        unit.amount
    } else {
        Decimal::ZERO
    }
}

/// Each of the last three months' budgets spent what the month's units add up to in its currency
/// (a primary's budget covers the categories under it), and the unbudgeted spending is each
/// other category's positive sum.
async fn assert_budgets_add_up(app: &TestApp, person: &Person, context: &str) {
    for back in 0..3 {
        let first = first_of_month(back);
        let last = first
            .checked_add_months(Months::new(1))
            .unwrap()
            .pred_opt()
            .unwrap();
        let (from, to) = (first.to_string(), last.to_string());
        let rows = units(&app.db, person.user_id, (&from, &to), true).await;
        let view = app.budgets(&person.client, &month_name(first)).await;
        assert_eq!(view.budgets.len(), BUDGETED.len() + 1, "{context}");
        let covered = |currency: &str, unit: &Unit| {
            view.budgets.iter().any(|b| {
                b.currency == currency
                    && (b.category_id == unit.category_id || b.category_id == unit.primary_id)
            })
        };
        for budget in &view.budgets {
            let by_hand: Decimal = rows
                .iter()
                .filter(|u| u.currency.as_deref() == Some(budget.currency.as_str()))
                .filter(|u| {
                    u.category_id == budget.category_id || u.primary_id == budget.category_id
                })
                .map(toward_budget)
                .sum();
            assert_eq!(
                budget.spent, by_hand,
                "{context}: {} in {from}..{to}",
                budget.category_name
            );
        }
        let mut unbudgeted: BTreeMap<(String, CategoryId), Decimal> = BTreeMap::new();
        for unit in &rows {
            let Some(currency) = &unit.currency else {
                continue;
            };
            if unit.kind == "spending" && !covered(currency, unit) {
                *unbudgeted
                    .entry((currency.clone(), unit.category_id))
                    .or_default() += toward_budget(unit);
            }
        }
        unbudgeted.retain(|_, spent| *spent > Decimal::ZERO);
        let answered: BTreeMap<(String, CategoryId), Decimal> = view
            .unbudgeted
            .iter()
            .map(|u| ((u.currency.clone(), u.category_id), u.spent))
            .collect();
        assert_eq!(
            answered, unbudgeted,
            "{context}: unbudgeted in {from}..{to}"
        );
    }
}

/// The rollup itself against the rows, then spending over every period of `periods`, with and
/// without pending, and the budgets.
async fn assert_adds_up(app: &TestApp, person: &Person, rng: &mut StdRng, context: &str) {
    assert_eq!(
        rollup_differences(&app.db, person.user_id).await,
        0,
        "the rollup against the rows, {context}"
    );
    assert_split_dates_follow(&app.db, person.user_id, context).await;
    assert_category_lists_match(app, person, rng, context).await;
    for (from, to) in periods(rng) {
        let period = (from.to_string(), to.to_string());
        assert_spending_adds_up_over(app, person, (&period.0, &period.1), context).await;
    }
    assert_budgets_add_up(app, person, context).await;
}

/// The list filtered by a category holds, page after page and newest first, exactly the
/// transactions a row-by-row query finds: those in the category or one of its children, and
/// those with a split part in them. Three categories at random among those in use and their
/// parents, with or without the hidden transactions.
async fn assert_category_lists_match(
    app: &TestApp,
    person: &Person,
    rng: &mut StdRng,
    context: &str,
) {
    let in_use: Vec<Uuid> = sqlx::query_scalar(
        "select distinct v.id
         from (select category_id from bank_transaction where user_id = $1
               union select category_id from transaction_split where user_id = $1) u(id)
         join category k on k.category_id = u.id
         cross join lateral (values (k.category_id), (k.parent_id)) v(id)
         where v.id is not null",
    )
    .bind(person.user_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    for &category in in_use.choose_multiple(rng, 3) {
        let hidden = *[HiddenFilter::False, HiddenFilter::All]
            .choose(rng)
            .unwrap();
        let expected: Vec<Uuid> = sqlx::query_scalar(
            "select t.transaction_id from bank_transaction t
             where t.user_id = $1 and ($3 or not t.hidden)
               and (t.category_id in (select category_id from category
                                      where category_id = $2 or parent_id = $2)
                    or exists (select 1 from transaction_split s
                               join category c on c.category_id = s.category_id
                               where s.transaction_id = t.transaction_id
                                 and (c.category_id = $2 or c.parent_id = $2)))
             order by t.date desc, t.transaction_id desc",
        )
        .bind(person.user_id)
        .bind(category)
        .bind(hidden == HiddenFilter::All)
        .fetch_all(&app.db)
        .await
        .unwrap();
        let mut listed = Vec::new();
        let mut filter = TransactionFilter {
            category_id: Some(CategoryId(category)),
            hidden: Some(hidden),
            limit: Some(rng.random_range(5..=120)),
            ..Default::default()
        };
        loop {
            let page = app.transactions(&person.client, &filter).await;
            listed.extend(page.transactions.iter().map(|t| t.id.0));
            match page.next_cursor {
                Some(next) => filter.cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(
            listed, expected,
            "{context}: the list of category {category} ({hidden:?})"
        );
    }
}

async fn transactions_of(db: &PgPool, user_id: Uuid) -> Vec<(Uuid, Decimal)> {
    sqlx::query_as(
        "select transaction_id, amount from bank_transaction where user_id = $1
         order by transaction_id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
    .unwrap()
}

/// Edits the category and the hidden flag of a few transactions by hand (a null gives a field
/// back to the rules and Plaid).
async fn edit_some(
    app: &TestApp,
    person: &Person,
    rng: &mut StdRng,
    categories: (&[CategoryId], &[Category]),
) {
    let transactions = transactions_of(&app.db, person.user_id).await;
    for _ in 0..12 {
        let (id, _) = *transactions.choose(rng).unwrap();
        let category_id = rng.random_bool(0.7).then(|| {
            rng.random_bool(0.85)
                .then(|| pick(rng, categories.0, categories.1))
        });
        let hidden = rng
            .random_bool(0.35)
            .then(|| *[None, Some(true), Some(false)].choose(rng).unwrap());
        let edit = TransactionEdit {
            category_id,
            hidden,
            ..TransactionEdit::default()
        };
        if edit != TransactionEdit::default() {
            app.edited(&person.client, id, &edit).await;
        }
    }
}

/// Splits a few transactions and takes the split off one.
async fn split_some(
    app: &TestApp,
    person: &Person,
    rng: &mut StdRng,
    categories: (&[CategoryId], &[Category]),
) {
    let transactions = transactions_of(&app.db, person.user_id).await;
    for _ in 0..4 {
        let chosen = *transactions.choose(rng).unwrap();
        split_randomly(app, person, rng, chosen, categories).await;
    }
    let split: Vec<Uuid> = sqlx::query_scalar(
        "select distinct transaction_id from transaction_split where user_id = $1
         order by transaction_id",
    )
    .bind(person.user_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    if let Some(id) = split.choose(rng) {
        let response = app.delete_splits(&person.client, id).await;
        assert!(response.status().is_success(), "{}", response.status());
    }
    // A split transaction moved to another day and back (as a bank's correction would move it;
    // back, so that Tally still holds what the bank holds): its parts follow it each time.
    for days in [-40, 40] {
        sqlx::query(
            "update bank_transaction set date = date + $2
             where transaction_id = (select transaction_id from transaction_split
                                     where user_id = $1 order by transaction_id limit 1)",
        )
        .bind(person.user_id)
        .bind(days)
        .execute(&app.db)
        .await
        .unwrap();
        assert_split_dates_follow(&app.db, person.user_id, "a split transaction moved").await;
    }
}

/// Every split part carries its transaction's date.
async fn assert_split_dates_follow(db: &PgPool, user_id: Uuid, context: &str) {
    let dated_apart: i64 = sqlx::query_scalar(
        "select count(*) from transaction_split s join bank_transaction t using (transaction_id)
         where s.user_id = $1 and s.date <> t.date",
    )
    .bind(user_id)
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(
        dated_apart, 0,
        "{context}: split parts dated apart from their transaction"
    );
}

/// Pairs two posted transactions of opposite signs in different accounts by hand, and unpairs
/// one pair (the sync's or the person's).
async fn pair_and_unpair(app: &TestApp, person: &Person, rng: &mut StdRng) {
    let candidates: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "select o.transaction_id, i.transaction_id
         from bank_transaction o
         join bank_transaction i
             on i.user_id = o.user_id and i.account_id <> o.account_id and i.amount < 0
            and not i.pending and i.transfer_pair_id is null
            and coalesce(i.iso_currency_code, i.unofficial_currency_code)
                = coalesce(o.iso_currency_code, o.unofficial_currency_code)
         where o.user_id = $1 and o.amount > 0 and not o.pending and o.transfer_pair_id is null
         order by o.transaction_id, i.transaction_id
         limit 500",
    )
    .bind(person.user_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    for _ in 0..2 {
        let (out, into) = *candidates.choose(rng).unwrap();
        let response = pair(app, person, out, into).await;
        // A pair chosen a moment ago may share a side with this one.
        assert!(
            response.status().is_success() || response.status() == StatusCode::CONFLICT,
            "{}",
            response.status()
        );
    }
    let paired: Vec<Uuid> = sqlx::query_scalar(
        "select transaction_id from bank_transaction
         where user_id = $1 and transfer_pair_id is not null order by transaction_id",
    )
    .bind(person.user_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let id = paired.choose(rng).unwrap();
    let response = app
        .delete(&person.client, &format!("/api/transactions/{id}/transfer"))
        .await;
    assert!(response.status().is_success(), "{}", response.status());
}

/// A rule on a word of a random transaction's description that sets a category (and sometimes
/// hides), applied to the past.
async fn apply_a_rule(
    app: &TestApp,
    person: &Person,
    rng: &mut StdRng,
    categories: (&[CategoryId], &[Category]),
) {
    let names: Vec<String> = sqlx::query_scalar(
        "select distinct split_part(name, ' ', 1) from bank_transaction where user_id = $1
         order by 1",
    )
    .bind(person.user_id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let word = names.choose(rng).unwrap().clone();
    let rule = NewRule {
        name: format!("Everything {word}"),
        conditions: vec![Condition::one(
            ConditionField::Description,
            ConditionOp::Contains,
            word,
        )],
        actions: RuleActions {
            category_id: Some(pick(rng, categories.0, categories.1)),
            hide: rng.random_bool(0.3),
            ..RuleActions::default()
        },
        position: None,
    };
    let rule: Rule = decoded(
        app.create_rule(&person.client, &rule).await,
        StatusCode::CREATED,
    )
    .await;
    let response = app.apply_rules(&person.client, rule.id).await;
    assert!(response.status().is_success(), "{}", response.status());
}

/// Syncs the dynamic bank now: its pending transactions post, new ones arrive, one amount is
/// corrected and one transaction withdrawn (`user_transactions_dynamic`).
async fn sync_dynamic(app: &TestApp, person: &Person, item: &Item) {
    let item = app.item(&person.client, item.id).await;
    let response = app.refresh_item(&person.client, item.id).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let synced = app
        .wait_for_sync(&person.client, &item, item.last_synced_at)
        .await;
    wait_until_matches_bank(&app.db, &synced).await;
}

async fn rollup_rows_of(db: &PgPool, user_id: Uuid) -> i64 {
    sqlx::query_scalar("select count(*) from spending_rollup where user_id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn run(db: PgPool, seed: u64) {
    let app = spawn_app_with(db.clone(), &[("SYNC_RETRY_BASE", "50ms")]).await;
    let mut rng = StdRng::seed_from_u64(seed);
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    let dynamic = app
        .link_bank(&ana.client, "user_transactions_dynamic")
        .await;
    let good = link_second_bank(&app, &ana).await;
    let bobs = app.link_bank(&bob.client, "user_good").await;

    let mut favourites = own_categories(&app, &ana).await;
    let treats = favourites[0];
    let mut budgeted = vec![treats];
    for code in BUDGETED {
        budgeted.push(app.plaid_category(&ana.client, code).await);
    }
    for code in ["FOOD_AND_DRINK_GROCERIES", "OTHER_OTHER", "INCOME_SALARY"] {
        favourites.push(app.plaid_category(&ana.client, code).await);
    }
    favourites.extend(&budgeted);
    let all = app.categories(&ana.client).await.categories;
    let categories = (favourites.as_slice(), all.as_slice());
    let from_month = month_name(first_of_month(2));
    for &category in &budgeted {
        let response = app
            .put_budget(
                &ana.client,
                category,
                json!({"amount": "400", "currency": "USD", "rollover": true,
                       "from_month": from_month}),
            )
            .await;
        assert!(response.status().is_success(), "{}", response.status());
    }
    assert_adds_up(&app, &ana, &mut rng, &format!("seed {seed}, as synced")).await;
    assert_spending_adds_up_over(&app, &bob, ("1900-01-01", "9999-12-31"), "Bob").await;

    for round in 0..3 {
        let context = format!("seed {seed}, round {round}");
        edit_some(&app, &ana, &mut rng, categories).await;
        assert_adds_up(&app, &ana, &mut rng, &format!("{context}, edits")).await;
        split_some(&app, &ana, &mut rng, categories).await;
        pair_and_unpair(&app, &ana, &mut rng).await;
        assert_adds_up(
            &app,
            &ana,
            &mut rng,
            &format!("{context}, splits, transfers"),
        )
        .await;
        apply_a_rule(&app, &ana, &mut rng, categories).await;
        assert_adds_up(&app, &ana, &mut rng, &format!("{context}, a rule")).await;
        sync_dynamic(&app, &ana, &dynamic).await;
        if round == 1 {
            // A day passes at every bank: pending transactions post.
            advance_clock(&app, 1).await;
            for item in [&dynamic, &good] {
                wait_until_matches_bank(&app.db, item).await;
            }
            wait_until_matches_bank(&app.db, &bobs).await;
        }
        assert_adds_up(&app, &ana, &mut rng, &format!("{context}, synced")).await;
    }

    // The rounds reached what they are for.
    let reached: (i64, i64, i64) = sqlx::query_as(
        "select (select count(distinct transaction_id) from transaction_split where user_id = $1),
                (select count(*) from bank_transaction where user_id = $1 and hidden),
                (select count(*) from bank_transaction
                 where user_id = $1 and transfer_pair_id is not null)",
    )
    .bind(ana.user_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        reached.0 >= 3 && reached.1 >= 3 && reached.2 >= 2,
        "{reached:?}"
    );

    // An account goes, with its transactions (as a removed account's cascade takes them).
    sqlx::query(
        "delete from account
         where account_id = (select account_id from account where item_id = $1
                             order by account_id limit 1)",
    )
    .bind(good.id.0)
    .execute(&db)
    .await
    .unwrap();
    assert_adds_up(
        &app,
        &ana,
        &mut rng,
        &format!("seed {seed}, an account removed"),
    )
    .await;
    let response = app.remove_item(&ana.client, dynamic.id).await;
    assert!(response.status().is_success(), "{}", response.status());
    assert_adds_up(
        &app,
        &ana,
        &mut rng,
        &format!("seed {seed}, an item removed"),
    )
    .await;

    // Bob's answers were his own all along; when he goes, nothing of his stays in the rollup.
    assert_spending_adds_up_over(&app, &bob, ("1900-01-01", "9999-12-31"), "Bob, at the end").await;
    assert!(rollup_rows_of(&db, bob.user_id).await > 0);
    let response = app.delete_me(&bob.client, PASSWORD).await;
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(rollup_rows_of(&db, bob.user_id).await, 0);
    assert_adds_up(&app, &ana, &mut rng, &format!("seed {seed}, Bob gone")).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn spending_and_budgets_equal_the_rows_after_every_write_for_seed_1(db: PgPool) {
    run(db, 1).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn spending_and_budgets_equal_the_rows_after_every_write_for_seed_2(db: PgPool) {
    run(db, 2).await;
}

/// The person's rollup rows that differ from what their transactions add up to, row by row (a
/// key either side has and the other has not, or sums that differ), after folding each side's
/// rows of a key into one.
async fn rollup_differences(db: &PgPool, user_id: Uuid) -> i64 {
    sqlx::query_scalar(
        "with counted as (
             select date, pending, coalesce(iso_currency_code, unofficial_currency_code) as currency,
                    category_id, coalesce(merchant_name, name) as merchant, amount
             from bank_transaction
             where user_id = $1 and not hidden and transfer_pair_id is null
               and coalesce(iso_currency_code, unofficial_currency_code) is not null),
         grains as (
             select false as per_month, date as period, pending, currency, category_id, merchant,
                    amount from counted
             union all
             select true, date_trunc('month', date)::date, pending, currency, category_id,
                    merchant, amount from counted),
         expected as (
             select per_month, period, pending, currency, category_id, merchant,
                    count(*)::bigint as transactions,
                    count(*) filter (where amount > 0)::bigint as spent_transactions,
                    coalesce(sum(amount) filter (where amount > 0), 0) as spent,
                    coalesce(-sum(amount) filter (where amount < 0), 0) as refunded
             from grains
             group by per_month, period, pending, currency, category_id, merchant),
         actual as (
             select per_month, period, pending, currency, category_id, merchant,
                    sum(transactions)::bigint, sum(spent_transactions)::bigint, sum(spent),
                    sum(refunded)
             from spending_rollup
             where user_id = $1
             group by per_month, period, pending, currency, category_id, merchant
             having sum(transactions) <> 0 or sum(spent_transactions) <> 0 or sum(spent) <> 0
                 or sum(refunded) <> 0)
         select count(*) from ((table expected except table actual)
                               union all (table actual except table expected)) d",
    )
    .bind(user_id)
    .fetch_one(db)
    .await
    .unwrap()
}
