//! Banking rows written straight into the test's database, as the sync engine would write them,
//! for the asset and insight tests.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;
use uuid::Uuid;

pub fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A linked bank, already exchanged (the deferred trigger wants a Plaid id and a token).
pub async fn insert_item(db: &PgPool, user_id: Uuid, institution_id: &str) -> Uuid {
    sqlx::query_scalar(
        "insert into plaid_item (user_id, institution_id, institution_name, plaid_item_id, access_token)
         values ($1, $2, $2, gen_random_uuid()::text, '\\x00'::bytea)
         returning item_id",
    )
    .bind(user_id)
    .bind(institution_id)
    .fetch_one(db)
    .await
    .unwrap()
}

/// An account as Plaid describes it; `currency` is `(iso, unofficial)`.
pub struct AccountSpec<'a> {
    pub account_type: &'a str,
    pub subtype: Option<&'a str>,
    pub current: Option<&'a str>,
    pub currency: (Option<&'a str>, Option<&'a str>),
}

impl<'a> AccountSpec<'a> {
    pub fn usd(account_type: &'a str, subtype: Option<&'a str>, current: &'a str) -> Self {
        Self::iso("USD", account_type, subtype, current)
    }

    pub fn iso(
        currency: &'a str,
        account_type: &'a str,
        subtype: Option<&'a str>,
        current: &'a str,
    ) -> Self {
        Self {
            account_type,
            subtype,
            current: Some(current),
            currency: (Some(currency), None),
        }
    }
}

pub async fn insert_account(
    db: &PgPool,
    user_id: Uuid,
    item_id: Uuid,
    spec: AccountSpec<'_>,
) -> Uuid {
    sqlx::query_scalar(
        "insert into account (item_id, user_id, plaid_account_id, name, type, subtype,
                              current_balance, iso_currency_code, unofficial_currency_code)
         values ($1, $2, gen_random_uuid()::text, $3 || ' ' || coalesce($4, ''), $3, $4,
                 $5::numeric, $6, $7)
         returning account_id",
    )
    .bind(item_id)
    .bind(user_id)
    .bind(spec.account_type)
    .bind(spec.subtype)
    .bind(spec.current)
    .bind(spec.currency.0)
    .bind(spec.currency.1)
    .fetch_one(db)
    .await
    .unwrap()
}

/// A transaction on an account; money out is positive, as Plaid reports it.
#[derive(Clone, Copy)]
pub struct TransactionSpec<'a> {
    pub amount: &'a str,
    pub date: &'a str,
    pub currency: &'a str,
    /// `(primary, detailed)`, or `None` for a transaction Plaid did not categorise.
    pub category: Option<(&'a str, &'a str)>,
    pub name: &'a str,
    pub merchant: Option<&'a str>,
    pub pending: bool,
}

impl<'a> TransactionSpec<'a> {
    /// A posted USD purchase at a merchant.
    pub fn purchase(
        amount: &'a str,
        date: &'a str,
        detailed: (&'a str, &'a str),
        merchant: &'a str,
    ) -> Self {
        Self {
            amount,
            date,
            currency: "USD",
            category: Some(detailed),
            name: merchant,
            merchant: Some(merchant),
            pending: false,
        }
    }
}

pub async fn insert_transaction(
    db: &PgPool,
    user_id: Uuid,
    item_id: Uuid,
    account_id: Uuid,
    spec: TransactionSpec<'_>,
) {
    sqlx::query(
        "insert into bank_transaction (account_id, item_id, user_id, plaid_transaction_id, amount,
                                       iso_currency_code, date, name, merchant_name,
                                       payment_channel, category_primary, category_detailed,
                                       pending, plaid_category_id)
         values ($1, $2, $3, gen_random_uuid()::text, $4::numeric, $5, $6, $7, $8, 'other', $9,
                 $10, $11, plaid_category_id($9, $10))",
    )
    .bind(account_id)
    .bind(item_id)
    .bind(user_id)
    .bind(spec.amount)
    .bind(spec.currency)
    .bind(day(spec.date))
    .bind(spec.name)
    .bind(spec.merchant)
    .bind(spec.category.map(|c| c.0))
    .bind(spec.category.map(|c| c.1))
    .bind(spec.pending)
    .execute(db)
    .await
    .unwrap();
}

/// The account's balance at the end of `date`.
pub async fn insert_snapshot(
    db: &PgPool,
    user_id: Uuid,
    account_id: Uuid,
    date: &str,
    current: &str,
    currency: &str,
) {
    sqlx::query(
        "insert into balance_snapshot (account_id, user_id, snapshot_date, current_balance, currency)
         values ($1, $2, $3, $4::numeric, $5)",
    )
    .bind(account_id)
    .bind(user_id)
    .bind(day(date))
    .bind(current)
    .bind(currency)
    .execute(db)
    .await
    .unwrap();
}

pub async fn insert_manual_asset(
    db: &PgPool,
    user_id: Uuid,
    description: &str,
    value: &str,
    currency: &str,
    created_at: DateTime<Utc>,
) -> Uuid {
    sqlx::query_scalar(
        "insert into manual_asset (user_id, description, value, currency, created_at)
         values ($1, $2, $3::numeric, $4, $5)
         returning asset_id",
    )
    .bind(user_id)
    .bind(description)
    .bind(value)
    .bind(currency)
    .bind(created_at)
    .fetch_one(db)
    .await
    .unwrap()
}
