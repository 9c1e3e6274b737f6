//! Banking data written straight into the test's database for a user registered over HTTP:
//! items, accounts and transactions inserted with SQL through small builders.
//!
//! ```ignore
//! let alice = app.sign_up("alice").await;
//! let item = item(&app.db, alice.user_id, "ins_109508", "First Platypus Bank").await;
//! let checking = account(item, "Checking").insert(&app.db).await;
//! let coffee = transaction(checking, "2026-01-02", "4.50", "Blue Bottle")
//!     .merchant("Blue Bottle Coffee")
//!     .category("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE")
//!     .insert(&app.db)
//!     .await;
//! ```

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgPool;
use std::str::FromStr;
use uuid::Uuid;

#[derive(Debug, Clone, Copy)]
pub struct ItemRef {
    pub item_id: Uuid,
    pub user_id: Uuid,
}

#[derive(Debug, Clone, Copy)]
pub struct AccountRef {
    pub account_id: Uuid,
    pub item_id: Uuid,
    pub user_id: Uuid,
}

/// A linked bank for `user_id`, already "exchanged" (a dummy token satisfies the deferred check).
pub async fn item(db: &PgPool, user_id: Uuid, institution_id: &str, name: &str) -> ItemRef {
    let item_id = sqlx::query_scalar(
        "insert into plaid_item (user_id, institution_id, institution_name, plaid_item_id, access_token)
         values ($1, $2, $3, $4, '\\x00'::bytea) returning item_id",
    )
    .bind(user_id)
    .bind(institution_id)
    .bind(name)
    .bind(format!("plaid-item-{}", Uuid::new_v4()))
    .fetch_one(db)
    .await
    .unwrap();
    ItemRef { item_id, user_id }
}

/// The bank most tests keep their accounts at: Alpha Credit Union, `ins_1`.
pub async fn alpha_bank(db: &PgPool, user_id: Uuid) -> ItemRef {
    item(db, user_id, "ins_1", "Alpha Credit Union").await
}

pub fn account(item: ItemRef, name: &str) -> AccountBuilder {
    AccountBuilder {
        item,
        name: name.to_owned(),
        account_type: "depository".to_owned(),
        subtype: Some("checking".to_owned()),
        mask: Some("0000".to_owned()),
        current: Some(money("100.00")),
        available: None,
        limit: None,
        iso_currency: Some("USD".to_owned()),
        unofficial_currency: None,
    }
}

pub struct AccountBuilder {
    item: ItemRef,
    name: String,
    account_type: String,
    subtype: Option<String>,
    mask: Option<String>,
    current: Option<Decimal>,
    available: Option<Decimal>,
    limit: Option<Decimal>,
    iso_currency: Option<String>,
    unofficial_currency: Option<String>,
}

impl AccountBuilder {
    pub fn kind(mut self, account_type: &str, subtype: Option<&str>) -> Self {
        self.account_type = account_type.to_owned();
        self.subtype = subtype.map(str::to_owned);
        self
    }

    /// Current, available and credit limit, as decimal strings.
    pub fn balances(
        mut self,
        current: Option<&str>,
        available: Option<&str>,
        limit: Option<&str>,
    ) -> Self {
        self.current = current.map(money);
        self.available = available.map(money);
        self.limit = limit.map(money);
        self
    }

    /// ISO and unofficial currency codes.
    pub fn currency(mut self, iso: Option<&str>, unofficial: Option<&str>) -> Self {
        self.iso_currency = iso.map(str::to_owned);
        self.unofficial_currency = unofficial.map(str::to_owned);
        self
    }

    pub fn no_mask(mut self) -> Self {
        self.mask = None;
        self
    }

    pub async fn insert(self, db: &PgPool) -> AccountRef {
        let account_id = sqlx::query_scalar(
            "insert into account (item_id, user_id, plaid_account_id, name, mask, type, subtype,
                                  current_balance, available_balance, credit_limit,
                                  iso_currency_code, unofficial_currency_code)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning account_id",
        )
        .bind(self.item.item_id)
        .bind(self.item.user_id)
        .bind(format!("plaid-account-{}", Uuid::new_v4()))
        .bind(&self.name)
        .bind(&self.mask)
        .bind(&self.account_type)
        .bind(&self.subtype)
        .bind(self.current)
        .bind(self.available)
        .bind(self.limit)
        .bind(&self.iso_currency)
        .bind(&self.unofficial_currency)
        .fetch_one(db)
        .await
        .unwrap();
        AccountRef {
            account_id,
            item_id: self.item.item_id,
            user_id: self.item.user_id,
        }
    }
}

/// A posted transaction in USD, paid in store, uncategorised; `date` is `YYYY-MM-DD`.
pub fn transaction(
    account: AccountRef,
    date: &str,
    amount: &str,
    name: &str,
) -> TransactionBuilder {
    TransactionBuilder {
        account,
        id: Uuid::new_v4(),
        date: day(date),
        authorized_date: None,
        amount: money(amount),
        name: name.to_owned(),
        merchant_name: None,
        category_primary: None,
        category_detailed: None,
        pending: false,
        payment_channel: "in store".to_owned(),
        currency: Some("USD".to_owned()),
    }
}

pub struct TransactionBuilder {
    account: AccountRef,
    id: Uuid,
    date: NaiveDate,
    authorized_date: Option<NaiveDate>,
    amount: Decimal,
    name: String,
    merchant_name: Option<String>,
    category_primary: Option<String>,
    category_detailed: Option<String>,
    pending: bool,
    payment_channel: String,
    currency: Option<String>,
}

impl TransactionBuilder {
    /// Chooses the id, to control the tie-break between rows of one date.
    pub fn id(mut self, id: Uuid) -> Self {
        self.id = id;
        self
    }

    pub fn merchant(mut self, merchant_name: &str) -> Self {
        self.merchant_name = Some(merchant_name.to_owned());
        self
    }

    pub fn category(mut self, primary: &str, detailed: &str) -> Self {
        self.category_primary = Some(primary.to_owned());
        self.category_detailed = Some(detailed.to_owned());
        self
    }

    pub fn pending(mut self) -> Self {
        self.pending = true;
        self
    }

    pub fn authorized(mut self, date: &str) -> Self {
        self.authorized_date = Some(day(date));
        self
    }

    pub fn channel(mut self, payment_channel: &str) -> Self {
        self.payment_channel = payment_channel.to_owned();
        self
    }

    pub fn currency(mut self, iso: Option<&str>) -> Self {
        self.currency = iso.map(str::to_owned);
        self
    }

    pub async fn insert(self, db: &PgPool) -> Uuid {
        sqlx::query(
            "insert into bank_transaction
                 (transaction_id, account_id, item_id, user_id, plaid_transaction_id, amount,
                  iso_currency_code, date, authorized_date, name, merchant_name, payment_channel,
                  category_primary, category_detailed, pending, plaid_category_id)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                     plaid_category_id($13, $14))",
        )
        .bind(self.id)
        .bind(self.account.account_id)
        .bind(self.account.item_id)
        .bind(self.account.user_id)
        .bind(format!("plaid-transaction-{}", Uuid::new_v4()))
        .bind(self.amount)
        .bind(&self.currency)
        .bind(self.date)
        .bind(self.authorized_date)
        .bind(&self.name)
        .bind(&self.merchant_name)
        .bind(&self.payment_channel)
        .bind(&self.category_primary)
        .bind(&self.category_detailed)
        .bind(self.pending)
        .execute(db)
        .await
        .unwrap();
        self.id
    }
}

pub fn money(amount: &str) -> Decimal {
    Decimal::from_str(amount).unwrap()
}

pub fn day(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
}

/// `count` transactions on `account`, one a day over 300 days, named `Purchase number <n>`
/// followed by `padding` (to make rows as long as a test needs), amounts 1 to `count`.
pub async fn bulk_transactions(db: &PgPool, account: AccountRef, count: i32, padding: &str) {
    sqlx::query(
        "insert into bank_transaction (account_id, item_id, user_id, plaid_transaction_id, amount,
                                       date, name, payment_channel, pending,
                                       plaid_category_id)
         select $1, $2, $3, $3::text || '-bulk-' || n, n, date '2026-01-01' + (n % 300),
                'Purchase number ' || n || $5, 'online', false, plaid_category_id(null, null)
         from generate_series(1, $4) as n",
    )
    .bind(account.account_id)
    .bind(account.item_id)
    .bind(account.user_id)
    .bind(count)
    .bind(padding)
    .execute(db)
    .await
    .unwrap();
}
