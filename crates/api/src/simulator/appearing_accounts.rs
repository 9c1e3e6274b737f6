//! Accounts that appear on an item after it was linked (the person opened one at the bank),
//! with their history. A test adds one now, or arms one to appear right after the simulator
//! next answers an endpoint, so that it lands inside a sync: after `/accounts/get`, before the
//! first page, or between two pages of `/transactions/sync`.

use super::activity::Role;
use super::error::SimError;
use super::ledger::{self, NewAccountBooks};
use super::{ids, store, Simulator};
use chrono::Days;
use rust_decimal::Decimal;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// The longest history a new account comes with, as for a new item.
pub const MAX_HISTORY_DAYS: u32 = 730;
/// Accounts armed at once: they wait in memory.
const MAX_ARMED: usize = 20;

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    #[serde(default)]
    name: Option<String>,
    /// `checking` (the default) or `credit card`.
    #[serde(default)]
    subtype: Option<String>,
    /// Days of history, today included (default 30).
    #[serde(default)]
    history_days: Option<u32>,
    /// A Plaid path: the account appears right after the simulator next answers it.
    #[serde(default)]
    after: Option<String>,
}

impl NewAccount {
    pub fn after(&self) -> Option<&str> {
        self.after.as_deref()
    }

    /// Checks the request before it is armed or applied.
    pub fn validate(&self) -> Result<(), SimError> {
        self.kind()?;
        if !(1..=MAX_HISTORY_DAYS).contains(&self.history_days()) {
            return Err(SimError::invalid_field(format!(
                "history_days must be between 1 and {MAX_HISTORY_DAYS}"
            )));
        }
        if self.name.as_ref().is_some_and(|name| name.len() > 100) {
            return Err(SimError::invalid_field("name must be at most 100 bytes"));
        }
        Ok(())
    }

    fn history_days(&self) -> u32 {
        self.history_days.unwrap_or(30)
    }

    /// The account's Plaid type, subtype and the role its activity plays.
    fn kind(&self) -> Result<(&'static str, &'static str, Role), SimError> {
        match self.subtype.as_deref().unwrap_or("checking") {
            "checking" => Ok(("depository", "checking", Role::Checking)),
            "credit card" => Ok(("credit", "credit card", Role::Card)),
            _ => Err(SimError::invalid_field(
                "subtype must be \"checking\" or \"credit card\"",
            )),
        }
    }
}

/// Accounts armed to appear after an endpoint's next answer, with their item.
#[derive(Clone, Default)]
pub struct ArmedAccounts(Arc<Mutex<Vec<(String, NewAccount)>>>);

impl ArmedAccounts {
    pub fn arm(&self, item_id: String, account: NewAccount) -> Result<(), SimError> {
        let mut armed = self.lock();
        if armed.len() >= MAX_ARMED {
            return Err(SimError::invalid_field(format!(
                "at most {MAX_ARMED} accounts may wait at once"
            )));
        }
        armed.push((item_id, account));
        Ok(())
    }

    /// Takes every account armed for `endpoint`.
    fn take(&self, endpoint: &str) -> Vec<(String, NewAccount)> {
        let mut armed = self.lock();
        let (due, waiting) = std::mem::take(&mut *armed)
            .into_iter()
            .partition(|(_, account)| account.after() == Some(endpoint));
        *armed = waiting;
        due
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, NewAccount)>> {
        // A panic while holding this lock cannot leave the list inconsistent.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Simulator {
    /// Adds the account and its history to the item now, and tells the item's webhook.
    pub(crate) async fn add_account(
        &self,
        item_id: &str,
        account: &NewAccount,
    ) -> Result<Value, SimError> {
        let (account_type, subtype, role) = account.kind()?;
        let mut tx = self.db.begin().await?;
        // One change to an item's books at a time (as `catch_up`).
        sqlx::query_scalar!(
            "select item_id from plaid_sim.item where item_id = $1 for update",
            item_id
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(SimError::not_found)?;
        let place = sqlx::query!(
            r#"select coalesce(max(position) + 1, 0) as "position!",
                      (array_agg(iso_currency_code order by position))[1] as currency
               from plaid_sim.account where item_id = $1"#,
            item_id
        )
        .fetch_one(&mut *tx)
        .await?;
        let currency = place.currency.unwrap_or_else(|| "USD".to_owned());
        let account_id = ids::object_id();
        let mask = format!("{:04}", rand::random_range(0..10_000));
        let (current, available, limit) = if role == Role::Card {
            let owed = Decimal::new(25_000, 2);
            let limit = Decimal::new(2_000, 0);
            (owed, limit - owed, Some(limit))
        } else {
            let balance = Decimal::new(100_000, 2);
            (balance, balance, None)
        };
        let name = account
            .name
            .clone()
            .unwrap_or_else(|| format!("New {subtype}"));
        sqlx::query!(
            "insert into plaid_sim.account (account_id, item_id, position, name, mask, type,
                 subtype, available, current, credit_limit, iso_currency_code)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            account_id,
            item_id,
            place.position,
            name,
            mask,
            account_type,
            subtype,
            available,
            current,
            limit,
            currency
        )
        .execute(&mut *tx)
        .await?;
        let today = ledger::today(&mut *tx).await?;
        let first_day = today
            .checked_sub_days(Days::new(u64::from(
                account.history_days().saturating_sub(1),
            )))
            .unwrap_or(today);
        let books = NewAccountBooks {
            account_id: &account_id,
            role,
            iso_currency_code: &currency,
            seed: rand::random(),
        };
        let changes =
            ledger::generate_account_history(&mut tx, item_id, &books, first_day, today).await?;
        tx.commit().await?;
        let item = store::item_by_id(&self.db, item_id).await?;
        self.announce_changes(&item, changes);
        let added = store::accounts(&self.db, item_id)
            .await?
            .into_iter()
            .find(|a| a.account_id == account_id)
            .ok_or_else(SimError::not_found)?;
        Ok(added.to_json())
    }

    /// Adds the accounts armed for `endpoint`, now that it has been answered.
    pub(crate) async fn add_armed_accounts(&self, endpoint: &str) {
        for (item_id, account) in self.armed_accounts.take(endpoint) {
            if let Err(error) = self.add_account(&item_id, &account).await {
                tracing::warn!(%error, "simulator: cannot add an armed account");
            }
        }
    }
}
