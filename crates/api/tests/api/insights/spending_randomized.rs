//! `/api/insights/spending` on randomized labels, against a row-by-row query. Rounds of random
//! changes (the person's and the rules' categories and hidden flags, splits made and removed
//! through the API, kinds changed, the person's own categories with and without a parent) over
//! transactions in three currencies, pending or not, in and out of the period; after each round
//! every total, count and refund of both people, with and without pending, equals what the rows
//! add up to in exact decimals.

use super::effective_spending::{own_child, set_kind};
use crate::api_calls::{decoded, Person};
use crate::fixtures::{account, alpha_bank, AccountRef};
use crate::helpers::{spawn_app, TestApp};
use crate::splits::part;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use sqlx::{PgPool, Row};
use std::collections::{BTreeMap, BTreeSet};
use tally_shared::api::categories::Category;
use tally_shared::api::insights::{CategoryTotal, CurrencySpending, MerchantTotal, Spending};
use tally_shared::api::transactions::Transaction;
use tally_shared::ids::CategoryId;
use uuid::Uuid;

const FROM: &str = "2026-04-01";
const TO: &str = "2026-04-30";

/// What Plaid says about the transactions: spending, not spending, uncategorised (`None`), a PFC
/// v1 name, and a detailed code newer than Tally's list (it means its primary).
const PLAID_CATEGORIES: &[Option<(&str, &str)>] = &[
    None,
    Some(("FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES")),
    Some(("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")),
    Some(("FOOD_AND_DRINK", "FOOD_AND_DRINK_SPACE_FOOD")),
    Some(("GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_ELECTRONICS")),
    Some(("TRAVEL", "TRAVEL_LODGING")),
    Some(("BANK_FEES", "BANK_FEES_ATM_FEES")),
    Some(("OTHER", "OTHER_OTHER")),
    Some(("INCOME", "INCOME_WAGES")),
    Some(("TRANSFER_OUT", "TRANSFER_OUT_SAVINGS")),
    Some(("LOAN_PAYMENTS", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT")),
];

const MERCHANTS: &[Option<&str>] = &[
    None,
    Some("Whole Foods"),
    Some("Starbucks"),
    Some("Best Buy"),
    Some("Hilton"),
    Some("Costco"),
];

/// One row that counts: a transaction that is not split, or one part of a split one, with its
/// category as the person has it, worked out here from the columns, not from the effective ones.
pub(crate) struct Unit {
    transaction_id: Uuid,
    pub currency: Option<String>,
    merchant: String,
    pub category_id: CategoryId,
    pub primary_id: CategoryId,
    pub kind: String,
    pub primary_code: Option<String>,
    pub amount: Decimal,
}

/// Every unit of `user_id`'s transactions from `period.0` to `period.1` that is neither hidden
/// nor a side of a transfer between their accounts.
pub(crate) async fn units(
    db: &PgPool,
    user_id: Uuid,
    period: (&str, &str),
    include_pending: bool,
) -> Vec<Unit> {
    sqlx::query(
        "select t.transaction_id,
                coalesce(t.iso_currency_code, t.unofficial_currency_code) as currency,
                coalesce(t.merchant_name, t.name) as merchant,
                c.category_id, coalesce(c.parent_id, c.category_id) as primary_id,
                coalesce(o.kind, c.kind) as kind, p.plaid_code as primary_code,
                coalesce(s.amount, t.amount) as amount
         from bank_transaction t
              left join transaction_split s on s.transaction_id = t.transaction_id
              join category c on c.category_id = coalesce(s.category_id, t.user_category_id,
                                                          t.rule_category_id, t.plaid_category_id)
              left join category_override o on o.category_id = c.category_id
                                           and o.user_id = t.user_id
              join category p on p.category_id = coalesce(c.parent_id, c.category_id)
         where t.user_id = $1
           and t.date between $2::date and $3::date
           and ($4 or not t.pending)
           and not coalesce(t.user_hidden, t.rule_hidden, false)
           and t.transfer_pair_id is null",
    )
    .bind(user_id)
    .bind(period.0)
    .bind(period.1)
    .bind(include_pending)
    .fetch_all(db)
    .await
    .unwrap()
    .into_iter()
    .map(|row| Unit {
        transaction_id: row.get("transaction_id"),
        currency: row.get("currency"),
        merchant: row.get("merchant"),
        category_id: CategoryId(row.get("category_id")),
        primary_id: CategoryId(row.get("primary_id")),
        kind: row.get("kind"),
        primary_code: row.get("primary_code"),
        amount: row.get("amount"),
    })
    .collect()
}

/// Money spent somewhere and the transactions it was spent in.
#[derive(Debug, Default, PartialEq, Eq)]
struct Spent {
    total: Decimal,
    transactions: usize,
}

/// A currency's spending as the rows add it up, or as the API answered it, in one comparable
/// shape: categories by id (primary → its total and the categories under it).
#[derive(Debug, Default, PartialEq, Eq)]
struct Summary {
    total: Decimal,
    refunds: Decimal,
    categories: BTreeMap<CategoryId, (Spent, BTreeMap<CategoryId, Spent>)>,
    top_merchants: Vec<MerchantTotal>,
}

#[derive(Default)]
struct Sums {
    total: Decimal,
    transactions: BTreeSet<Uuid>,
}

impl Sums {
    fn add(&mut self, unit: &Unit) {
        self.total += unit.amount;
        self.transactions.insert(unit.transaction_id);
    }

    fn spent(&self) -> Spent {
        Spent {
            total: self.total,
            transactions: self.transactions.len(),
        }
    }
}

/// What the rows add up to, per currency: money out in a category of kind `spending` is spent,
/// money in there is a refund unless under Plaid's `OTHER`.
fn add_up(units: &[Unit]) -> BTreeMap<String, Summary> {
    #[derive(Default)]
    struct Currency {
        total: Decimal,
        refunds: Decimal,
        primaries: BTreeMap<CategoryId, (Sums, BTreeMap<CategoryId, Sums>)>,
        merchants: BTreeMap<String, Sums>,
    }
    let mut currencies: BTreeMap<String, Currency> = BTreeMap::new();
    for unit in units {
        let Some(currency) = &unit.currency else {
            continue;
        };
        if unit.kind != "spending" {
            continue;
        }
        let sums = currencies.entry(currency.clone()).or_default();
        if unit.amount > Decimal::ZERO {
            sums.total += unit.amount;
            let (primary, detailed) = sums.primaries.entry(unit.primary_id).or_default();
            primary.add(unit);
            detailed.entry(unit.category_id).or_default().add(unit);
            sums.merchants
                .entry(unit.merchant.clone())
                .or_default()
                .add(unit);
        } else if unit.primary_code.as_deref() != Some("OTHER") {
            sums.refunds -= unit.amount;
        }
    }
    currencies
        .into_iter()
        .map(|(currency, sums)| {
            let mut merchants: Vec<_> = sums
                .merchants
                .iter()
                .map(|(merchant, sums)| MerchantTotal {
                    merchant: merchant.clone(),
                    total: sums.total,
                    transactions: i64::try_from(sums.transactions.len()).unwrap(),
                })
                .collect();
            merchants.sort_by(|a, b| b.total.cmp(&a.total).then(a.merchant.cmp(&b.merchant)));
            merchants.truncate(10);
            let categories = sums
                .primaries
                .iter()
                .map(|(id, (primary, detailed))| {
                    let detailed = detailed.iter().map(|(id, s)| (*id, s.spent())).collect();
                    (*id, (primary.spent(), detailed))
                })
                .collect();
            let summary = Summary {
                total: sums.total,
                refunds: sums.refunds,
                categories,
                top_merchants: merchants,
            };
            (currency, summary)
        })
        .collect()
}

fn spent(category: &CategoryTotal) -> Spent {
    Spent {
        total: category.total,
        transactions: usize::try_from(category.transactions).unwrap(),
    }
}

/// The API's answer for one currency in the shape of `Summary`, after checking that each level
/// is largest first.
fn summarise(currency: CurrencySpending) -> Summary {
    let largest_first = |categories: &[CategoryTotal]| {
        assert!(
            categories.windows(2).all(|w| w[0].total >= w[1].total),
            "{categories:?}"
        );
    };
    largest_first(&currency.categories);
    let categories = currency
        .categories
        .iter()
        .map(|primary| {
            largest_first(&primary.detailed);
            let detailed = primary.detailed.iter().map(|d| (d.category_id, spent(d)));
            (primary.category_id, (spent(primary), detailed.collect()))
        })
        .collect();
    Summary {
        total: currency.total,
        refunds: currency.refunds,
        categories,
        top_merchants: currency.top_merchants,
    }
}

/// `person`'s spending from the API equals what their rows add up to, with and without pending.
async fn assert_spending_adds_up(app: &TestApp, person: &Person, context: &str) {
    assert_spending_adds_up_over(app, person, (FROM, TO), context).await;
}

/// As `assert_spending_adds_up`, from `period.0` to `period.1`.
pub(crate) async fn assert_spending_adds_up_over(
    app: &TestApp,
    person: &Person,
    period: (&str, &str),
    context: &str,
) {
    let (from, to) = period;
    for include_pending in [false, true] {
        let spending: Spending = app
            .get_json(
                &person.client,
                &format!(
                    "/api/insights/spending?from={from}&to={to}&include_pending={include_pending}"
                ),
            )
            .await;
        let answered: BTreeMap<_, _> = spending
            .currencies
            .into_iter()
            .map(|c| (c.currency.clone(), summarise(c)))
            .collect();
        let rows = units(&app.db, person.user_id, period, include_pending).await;
        assert_eq!(
            answered,
            add_up(&rows),
            "{context}, {from} to {to}, include_pending={include_pending}"
        );
    }
}

/// Cents from `low` to `high`, never zero.
pub(crate) fn cents(rng: &mut StdRng, low: i64, high: i64) -> Decimal {
    loop {
        let cents = rng.random_range(low..=high);
        if cents != 0 {
            return Decimal::new(cents, 2);
        }
    }
}

/// A random transaction of `account`'s: in March to May, USD mostly, else EUR, an unofficial
/// currency or none; some pending; some money in.
async fn insert_random_transaction(db: &PgPool, rng: &mut StdRng, account: AccountRef) -> Uuid {
    let (iso, unofficial) = match rng.random_range(0..20) {
        0..=13 => (Some("USD"), None),
        14..=16 => (Some("EUR"), None),
        17..=18 => (None, Some("BTC")),
        _ => (None, None),
    };
    let category = *PLAID_CATEGORIES.choose(rng).unwrap();
    let merchant = *MERCHANTS.choose(rng).unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 25).unwrap()
        + chrono::Days::new(rng.random_range(0..45));
    sqlx::query_scalar(
        "insert into bank_transaction (account_id, item_id, user_id, plaid_transaction_id, amount,
                                       iso_currency_code, unofficial_currency_code, date, name,
                                       merchant_name, payment_channel, category_primary,
                                       category_detailed, pending, plaid_category_id)
         values ($1, $2, $3, gen_random_uuid()::text, $4, $5, $6, $7, $8, $9, 'online', $10, $11,
                 $12, plaid_category_id($10, $11))
         returning transaction_id",
    )
    .bind(account.account_id)
    .bind(account.item_id)
    .bind(account.user_id)
    .bind(cents(rng, -15_000, 40_000))
    .bind(iso)
    .bind(unofficial)
    .bind(date)
    .bind(format!("POS {}", rng.random_range(0..4)))
    .bind(merchant)
    .bind(category.map(|c| c.0))
    .bind(category.map(|c| c.1))
    .bind(rng.random_bool(0.15))
    .fetch_one(db)
    .await
    .unwrap()
}

/// A random category: mostly one of `favourites` (so that categories gather several rows),
/// sometimes any the person sees.
pub(crate) fn pick(rng: &mut StdRng, favourites: &[CategoryId], all: &[Category]) -> CategoryId {
    if rng.random_bool(0.8) {
        *favourites.choose(rng).unwrap()
    } else {
        all.choose(rng).unwrap().id
    }
}

/// Splits transaction `id` of `amount` into 2 to 4 parts in random categories through the API.
pub(crate) async fn split_randomly(
    app: &TestApp,
    person: &Person,
    rng: &mut StdRng,
    (id, amount): (Uuid, Decimal),
    categories: (&[CategoryId], &[Category]),
) {
    let count = rng.random_range(2..=4);
    let mut amounts: Vec<Decimal> = (1..count).map(|_| cents(rng, -3_000, 20_000)).collect();
    let mut last = amount - amounts.iter().sum::<Decimal>();
    if last.is_zero() {
        amounts[0] += Decimal::new(1, 2);
        last -= Decimal::new(1, 2);
    }
    amounts.push(last);
    let parts: Vec<_> = amounts
        .iter()
        .map(|amount| {
            let category = pick(rng, categories.0, categories.1);
            part(&amount.to_string(), category, None)
        })
        .filter(|part| !part.amount.is_zero())
        .collect();
    if parts.len() < 2 {
        return;
    }
    decoded::<Transaction>(
        app.put_splits(&person.client, id, &parts).await,
        StatusCode::OK,
    )
    .await;
}

/// The person's own categories: primaries of each kind, and children of Plaid's primaries and
/// of their own, some of a kind other than their parent's.
pub(crate) async fn own_categories(app: &TestApp, person: &Person) -> Vec<CategoryId> {
    let food = app.plaid_category(&person.client, "FOOD_AND_DRINK").await;
    let other = app.plaid_category(&person.client, "OTHER").await;
    let treats = app.own_category(&person.client, "Treats", "spending").await;
    let side_gig = app.own_category(&person.client, "Side gig", "income").await;
    let work = app
        .own_category(&person.client, "Work expenses", "transfer")
        .await;
    let mut ids = vec![treats, side_gig, work];
    for (name, parent, kind) in [
        ("Coffee beans", food, "spending"),
        ("Reimbursable meals", food, "transfer"),
        ("Snacks", treats, "spending"),
        ("Birthday money", treats, "income"),
        ("Odd jobs", other, "spending"),
        ("Invoices", work, "spending"),
    ] {
        ids.push(own_child(app, person, name, parent, kind).await);
    }
    ids
}

/// `column = 'value'`, or `= null`, for an update; the values are uuids and booleans.
fn assignment(column: &str, value: Option<String>) -> String {
    format!(
        "{column} = {}",
        value.map_or("null".to_owned(), |v| format!("'{v}'"))
    )
}

/// Pairs two unpaired transactions as a transfer (whatever they are: spending leaves out any
/// pair), or unpairs `one` if it is paired.
async fn pair_or_unpair(db: &PgPool, one: Uuid, other: Uuid) {
    sqlx::query(
        "with pair as (
             select t.transaction_id, o.transaction_id as partner
             from bank_transaction t join bank_transaction o on o.transaction_id = $2
             where t.transaction_id = $1 and $1 <> $2
               and t.transfer_pair_id is null and o.transfer_pair_id is null),
         unpair as (
             select transaction_id from bank_transaction where transaction_id = $1
             union all
             select transfer_pair_id from bank_transaction where transaction_id = $1)
         update bank_transaction t
         set transfer_pair_id = case when exists (select 1 from pair)
                                     then case when t.transaction_id = $1 then $2 else $1 end
                                end
         where t.transaction_id in (select transaction_id from pair union select partner from pair)
            or (not exists (select 1 from pair)
                and t.transaction_id in (select transaction_id from unpair))",
    )
    .bind(one)
    .bind(other)
    .execute(db)
    .await
    .unwrap();
}

async fn run(db: PgPool, seed: u64) {
    let app = spawn_app(db.clone()).await;
    let mut rng = StdRng::seed_from_u64(seed);
    let ana = app.sign_up("ana").await;
    let bob = app.sign_up("bob").await;
    let mut favourites = own_categories(&app, &ana).await;
    for code in [
        "FOOD_AND_DRINK",
        "FOOD_AND_DRINK_GROCERIES",
        "FOOD_AND_DRINK_COFFEE",
        "GENERAL_MERCHANDISE_ELECTRONICS",
        "TRAVEL_FLIGHTS",
        "OTHER_OTHER",
        "INCOME_SALARY",
        "TRANSFER_OUT_SAVINGS",
    ] {
        favourites.push(app.plaid_category(&ana.client, code).await);
    }
    let all = app.categories(&ana.client).await.categories;
    let plaid: Vec<CategoryId> = all.iter().filter(|c| !c.is_own()).map(|c| c.id).collect();

    let mut transactions = Vec::new();
    for person in [&ana, &bob] {
        let checking = account(alpha_bank(&db, person.user_id).await, "Checking")
            .insert(&db)
            .await;
        for _ in 0..120 {
            let id = insert_random_transaction(&db, &mut rng, checking).await;
            if person.user_id == ana.user_id {
                transactions.push(id);
            }
        }
    }
    // Bob's kinds are his: they change nothing of Ana's.
    for code in [
        "FOOD_AND_DRINK_GROCERIES",
        "TRAVEL_LODGING",
        "INCOME_SALARY",
    ] {
        let id = app.plaid_category(&bob.client, code).await;
        set_kind(&app, &bob, id, "transfer").await;
    }
    assert_spending_adds_up(&app, &ana, &format!("seed {seed}, as Plaid has it")).await;
    assert_spending_adds_up(&app, &bob, &format!("seed {seed}, Bob")).await;

    for round in 0..4 {
        for &id in &transactions {
            let mut changes = Vec::new();
            if rng.random_bool(0.2) {
                let category = rng
                    .random_bool(0.8)
                    .then(|| pick(&mut rng, &favourites, &all).0.to_string());
                changes.push(assignment("user_category_id", category));
            }
            if rng.random_bool(0.2) {
                let category = rng
                    .random_bool(0.8)
                    .then(|| pick(&mut rng, &favourites, &all).0.to_string());
                changes.push(assignment("rule_category_id", category));
            }
            for column in ["user_hidden", "rule_hidden"] {
                if rng.random_bool(0.1) {
                    let hidden = [None, Some("true"), Some("false")]
                        .choose(&mut rng)
                        .unwrap();
                    changes.push(assignment(column, hidden.map(str::to_owned)));
                }
            }
            if !changes.is_empty() {
                sqlx::query(&format!(
                    "update bank_transaction set {} where transaction_id = $1",
                    changes.join(", ")
                ))
                .bind(id)
                .execute(&db)
                .await
                .unwrap();
            }
            if rng.random_bool(0.05) {
                pair_or_unpair(&db, id, *transactions.choose(&mut rng).unwrap()).await;
            }
            if rng.random_bool(0.08) {
                let amount = sqlx::query_scalar(
                    "select amount from bank_transaction where transaction_id = $1",
                )
                .bind(id)
                .fetch_one(&db)
                .await
                .unwrap();
                split_randomly(&app, &ana, &mut rng, (id, amount), (&favourites, &all)).await;
            } else if rng.random_bool(0.03) {
                let response = app.delete_splits(&ana.client, id).await;
                assert!(response.status().is_success(), "{}", response.status());
            }
        }
        // The person changes what a few categories are, their own and Plaid's.
        for _ in 0..3 {
            let id = if rng.random_bool(0.5) {
                *favourites.choose(&mut rng).unwrap()
            } else {
                *plaid.choose(&mut rng).unwrap()
            };
            let kind = *["spending", "income", "transfer"].choose(&mut rng).unwrap();
            set_kind(&app, &ana, id, kind).await;
        }
        let context = format!("seed {seed}, round {round}");
        assert_spending_adds_up(&app, &ana, &context).await;
        assert_spending_adds_up(&app, &bob, &format!("{context}, Bob")).await;
    }

    // The rounds reached what they are for: splits, hidden rows, own categories under a parent,
    // transfers.
    let reached: (i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(distinct transaction_id) from transaction_split),
                (select count(*) from bank_transaction where hidden),
                (select count(*) from bank_transaction where transfer_pair_id is not null),
                (select count(*) from bank_transaction t
                 join category c on c.category_id = t.category_id
                 where c.user_id is not null and c.parent_id is not null)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(
        reached.0 >= 10 && reached.1 >= 10 && reached.2 >= 10 && reached.3 >= 10,
        "{reached:?}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn spending_adds_up_row_by_row_for_seed_1(db: PgPool) {
    run(db, 1).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn spending_adds_up_row_by_row_for_seed_2(db: PgPool) {
    run(db, 2).await;
}
