//! A person's budgets, month by month: the plans (`db::budgets`) put against net spending per
//! category and month (`db::spending::by_month_and_category`), by `domain::budget`. Also the
//! alerts sent when a budget crosses 80% and 100% this month.

use crate::db;
use crate::db::categories::CategoryRecord;
use crate::db::forecast::Streams;
use crate::db::spending::SpendingFilter;
use crate::domain::budget::{self, Month, MonthFigures, Versions};
use crate::domain::forecast::{self, PredictedStream, Window};
use crate::state::AppState;
use crate::ws::{EventHub, PublishError};
use chrono::{Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use std::collections::{BTreeMap, HashMap};
use tally_shared::api::budgets::{
    Budget, BudgetHistory, BudgetHistoryMonth, BudgetMonth, BudgetTotals, UnbudgetedSpending,
};
use tally_shared::ids::{CategoryId, UserId};
use tally_shared::ws::ServerEvent;

/// Net spending keyed by month, currency and the category it counts toward: its own, and its
/// primary's (a budget on a primary covers the categories under it).
#[derive(Default)]
struct Spent {
    covered: HashMap<(Month, String, CategoryId), Decimal>,
    /// Per month, currency and category where it was spent, for what no budget covers.
    own: BTreeMap<(Month, String, CategoryId), Decimal>,
}

impl Spent {
    async fn load(
        conn: &mut PgConnection,
        user_id: UserId,
        categories: &HashMap<CategoryId, CategoryRecord>,
        from: Month,
        to: Month,
    ) -> Result<Self, sqlx::Error> {
        let filter = SpendingFilter {
            user_id,
            from: from.first_day(),
            to: to.last_day(),
            // A pending charge is spent already; when it posts, Plaid replaces it.
            include_pending: true,
        };
        let mut spent = Self::default();
        for row in db::spending::by_month_and_category(conn, filter).await? {
            let month = Month::of(row.month);
            let parent = categories.get(&row.category_id).and_then(|c| c.parent_id);
            for category in std::iter::once(row.category_id).chain(parent) {
                *spent
                    .covered
                    .entry((month, row.currency.clone(), category))
                    .or_default() += row.spent;
            }
            spent
                .own
                .insert((month, row.currency, row.category_id), row.spent);
        }
        Ok(spent)
    }

    fn toward(&self, category_id: CategoryId, month: Month, currency: &str) -> Decimal {
        self.covered
            .get(&(month, currency.to_owned(), category_id))
            .copied()
            .unwrap_or_default()
    }
}

/// The plans and the categories they are on, as one person sees them.
struct Plans {
    categories: HashMap<CategoryId, CategoryRecord>,
    /// Category ids in the person's tree order.
    order: HashMap<CategoryId, usize>,
    versions: HashMap<CategoryId, Versions>,
}

impl Plans {
    async fn load(conn: &mut PgConnection, user_id: UserId) -> Result<Self, sqlx::Error> {
        let list = db::categories::list(&mut *conn, user_id).await?;
        let order = list
            .iter()
            .enumerate()
            .map(|(i, c)| (c.category_id, i))
            .collect();
        let categories = list.into_iter().map(|c| (c.category_id, c)).collect();
        let versions = Versions::by_category(db::budgets::versions(&mut *conn, user_id).await?);
        Ok(Self {
            categories,
            order,
            versions,
        })
    }

    /// The categories with a budget in `month`, in tree order.
    fn budgeted_in(&self, month: Month) -> Vec<CategoryId> {
        let mut ids: Vec<CategoryId> = self
            .versions
            .iter()
            .filter(|(id, v)| self.categories.contains_key(id) && v.plan_in(month).is_some())
            .map(|(id, _)| *id)
            .collect();
        ids.sort_by_key(|id| self.order.get(id).copied().unwrap_or(usize::MAX));
        ids
    }

    /// The category's figures for each month of `months` it had a plan in, worked out from the
    /// first month whose remainder reaches them.
    fn figures(
        &self,
        category_id: CategoryId,
        months: &[Month],
        spent: &Spent,
    ) -> Vec<(Month, MonthFigures)> {
        let (Some(versions), Some(&last)) = (self.versions.get(&category_id), months.last()) else {
            return Vec::new();
        };
        let first = versions.chain_start(last).min(months[0]);
        let all = last.ending_here(months_between(first, last));
        budget::figures(versions, &all, |month, currency| {
            spent.toward(category_id, month, currency)
        })
        .into_iter()
        .filter(|(month, _)| *month >= months[0])
        .collect()
    }

    fn earliest_needed(&self, categories: &[CategoryId], month: Month) -> Month {
        categories
            .iter()
            .filter_map(|id| self.versions.get(id))
            .map(|v| v.chain_start(month))
            .min()
            .unwrap_or(month)
            .min(month)
    }
}

/// Months from `first` to `last`, both counted.
fn months_between(first: Month, last: Month) -> u32 {
    let index = |m: Month| i64::from(m.first_day().year()) * 12 + i64::from(m.first_day().month0());
    u32::try_from(index(last) - index(first) + 1).unwrap_or(1)
}

/// The person's budgets in `month`, their totals per currency and the spending no budget covers.
#[tracing::instrument(skip_all, fields(%month))]
pub async fn month_view(
    conn: &mut PgConnection,
    user_id: UserId,
    month: Month,
    today: NaiveDate,
) -> Result<BudgetMonth, sqlx::Error> {
    let plans = Plans::load(conn, user_id).await?;
    let budgeted = plans.budgeted_in(month);
    let from = plans.earliest_needed(&budgeted, month);
    let spent = Spent::load(conn, user_id, &plans.categories, from, month).await?;

    let mut budgets = Vec::with_capacity(budgeted.len());
    for &category_id in &budgeted {
        let Some((_, figures)) = plans.figures(category_id, &[month], &spent).pop() else {
            continue;
        };
        let category = &plans.categories[&category_id];
        let within_parent = category.parent_id.is_some_and(|parent| {
            plans
                .versions
                .get(&parent)
                .and_then(|v| v.plan_in(month))
                .is_some_and(|(plan, _)| plan.currency == figures.plan.currency)
        });
        budgets.push(budget_of(category, &figures, within_parent));
    }
    let days_left = month.days_left(today);
    let committed = if month == Month::of(today) {
        committed_bills(conn, user_id, today, month.last_day()).await?
    } else {
        BTreeMap::new()
    };
    Ok(BudgetMonth {
        month: month.to_string(),
        days_left,
        totals: totals(&budgets, &committed, days_left, month < Month::of(today)),
        unbudgeted: unbudgeted(&plans, &spent, month),
        budgets,
    })
}

fn budget_of(category: &CategoryRecord, figures: &MonthFigures, within_parent: bool) -> Budget {
    Budget {
        category_id: category.category_id,
        category_name: category.name.clone(),
        parent_id: category.parent_id,
        currency: figures.plan.currency.clone(),
        since: figures.since.to_string(),
        budgeted: figures.plan.amount,
        rollover: figures.plan.rollover,
        rolled_over: figures.rolled_over,
        available: figures.available,
        spent: figures.spent,
        remaining: figures.remaining(),
        percent_used: figures.percent_used(),
        status: figures.status(),
        within_parent,
    }
}

/// Per currency, what the person's confirmed recurring bills are still expected to take from
/// `today` to `last` (each occurrence at the stream's last amount; a late one counts today).
async fn committed_bills(
    conn: &mut PgConnection,
    user_id: UserId,
    today: NaiveDate,
    last: NaiveDate,
) -> Result<BTreeMap<String, Decimal>, sqlx::Error> {
    let Some(window) = Window::between(today, last) else {
        return Ok(BTreeMap::new());
    };
    let bills: Vec<PredictedStream> =
        db::forecast::predicted(conn, user_id, Streams::ConfirmedBills).await?;
    let mut committed = BTreeMap::new();
    for payment in forecast::upcoming(&bills, window) {
        *committed.entry(payment.currency).or_default() += payment.amount;
    }
    Ok(committed)
}

/// Per currency, over the budgets not counted within a parent's, and any currency with bills
/// committed.
fn totals(
    budgets: &[Budget],
    committed: &BTreeMap<String, Decimal>,
    days_left: u32,
    past: bool,
) -> Vec<BudgetTotals> {
    let mut by_currency: BTreeMap<&str, [Decimal; 4]> = BTreeMap::new();
    for currency in committed.keys() {
        by_currency.entry(currency.as_str()).or_default();
    }
    for b in budgets.iter().filter(|b| !b.within_parent) {
        let sums = by_currency.entry(b.currency.as_str()).or_default();
        for (sum, value) in sums
            .iter_mut()
            .zip([b.budgeted, b.rolled_over, b.available, b.spent])
        {
            *sum += value;
        }
    }
    by_currency
        .into_iter()
        .map(|(currency, [budgeted, rolled_over, available, spent])| {
            let remaining = available - spent;
            BudgetTotals {
                currency: currency.to_owned(),
                budgeted,
                rolled_over,
                available,
                spent,
                remaining,
                percent_used: budget::percent_used(spent, available),
                committed: committed.get(currency).copied().unwrap_or_default(),
                left_per_day: (!past && days_left > 0)
                    .then(|| (remaining.max(Decimal::ZERO) / Decimal::from(days_left)).round_dp(2)),
            }
        })
        .collect()
}

/// Categories whose spending in `month` no budget in its currency covers, largest first.
fn unbudgeted(plans: &Plans, spent: &Spent, month: Month) -> Vec<UnbudgetedSpending> {
    let covered_by = |category_id: CategoryId, currency: &str| {
        plans
            .versions
            .get(&category_id)
            .and_then(|v| v.plan_in(month))
            .is_some_and(|(plan, _)| plan.currency == currency)
    };
    let mut out: Vec<UnbudgetedSpending> = spent
        .own
        .range((month, String::new(), CategoryId(uuid::Uuid::nil()))..)
        .take_while(|((m, _, _), _)| *m == month)
        .filter(|(_, amount)| **amount > Decimal::ZERO)
        .filter_map(|((_, currency, category_id), amount)| {
            let category = plans.categories.get(category_id)?;
            let covered = covered_by(*category_id, currency)
                || category.parent_id.is_some_and(|p| covered_by(p, currency));
            (!covered).then(|| UnbudgetedSpending {
                category_id: *category_id,
                category_name: category.name.clone(),
                parent_id: category.parent_id,
                currency: currency.clone(),
                spent: *amount,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.currency.as_str(), b.spent, a.category_name.to_lowercase()).cmp(&(
            b.currency.as_str(),
            a.spent,
            b.category_name.to_lowercase(),
        ))
    });
    out
}

/// The category's last `months` months, ending with `month`.
#[tracing::instrument(skip_all, fields(%category_id))]
pub async fn history(
    conn: &mut PgConnection,
    user_id: UserId,
    category_id: CategoryId,
    month: Month,
    months: u32,
) -> Result<BudgetHistory, sqlx::Error> {
    let plans = Plans::load(conn, user_id).await?;
    let wanted = month.ending_here(months);
    let from = plans.earliest_needed(&[category_id], month).min(wanted[0]);
    let spent = Spent::load(conn, user_id, &plans.categories, from, month).await?;
    let figures: HashMap<Month, MonthFigures> = plans
        .figures(category_id, &wanted, &spent)
        .into_iter()
        .collect();
    // Months without a plan report spending in the currency of the latest plan.
    let latest_currency = plans
        .versions
        .get(&category_id)
        .and_then(|v| v.latest_currency())
        .unwrap_or_default();
    let months = wanted
        .into_iter()
        .map(|m| match figures.get(&m) {
            Some(f) => BudgetHistoryMonth {
                month: m.to_string(),
                currency: f.plan.currency.clone(),
                budgeted: Some(f.plan.amount),
                rolled_over: f.rolled_over,
                available: f.available,
                spent: f.spent,
            },
            None => BudgetHistoryMonth {
                month: m.to_string(),
                currency: latest_currency.clone(),
                budgeted: None,
                rolled_over: Decimal::ZERO,
                available: Decimal::ZERO,
                spent: spent.toward(category_id, m, &latest_currency),
            },
        })
        .collect();
    Ok(BudgetHistory {
        category_id,
        months,
    })
}

/// Sends `budget_alert` for each of this month's budgets that has crossed 80% or 100% since the
/// last check, once per threshold and month (remembered in `budget_alert`, so a restart does not
/// send it again). A jump past both thresholds at once tells only the higher one. The event goes
/// out with the transaction that records it. Months are UTC months, as the server knows no
/// person's time zone.
#[tracing::instrument(skip_all, fields(%user_id))]
pub async fn send_alerts(
    db: &sqlx::PgPool,
    user_id: UserId,
    today: NaiveDate,
) -> Result<(), AlertError> {
    let mut tx = db.begin().await?;
    db::budgets::lock(&mut tx, user_id).await?;
    let month = Month::of(today);
    // Most syncs are for people without a budget this month: nothing to work out.
    let versions = db::budgets::versions(&mut *tx, user_id).await?;
    let budgeted = Versions::by_category(versions)
        .values()
        .any(|v| v.plan_in(month).is_some());
    if !budgeted {
        return Ok(());
    }
    let view = month_view(&mut tx, user_id, month, today).await?;
    for budget in &view.budgets {
        // This month's spending crossing a share of what is available; overspending carried
        // in is not spending this month.
        let reached: &[u8] = match budget.percent_used {
            Some(used) if used >= Decimal::ONE_HUNDRED => &[80, 100],
            Some(used) if used >= Decimal::from(80) => &[80],
            None if budget.spent > Decimal::ZERO => &[80, 100],
            _ => &[],
        };
        let mut newest = None;
        for &threshold in reached {
            if db::budgets::record_alert(
                &mut *tx,
                user_id,
                budget.category_id,
                month,
                threshold.into(),
            )
            .await?
            {
                newest = Some(threshold);
            }
        }
        if let Some(threshold) = newest {
            EventHub::publish_with(
                &mut *tx,
                user_id,
                ServerEvent::BudgetAlert {
                    category_id: budget.category_id,
                    category_name: budget.category_name.clone(),
                    month: view.month.clone(),
                    threshold,
                },
            )
            .await?;
        }
    }
    Ok(tx.commit().await?)
}

/// [`send_alerts`] after something that can move spending or a plan: a sync, an edit, a split,
/// a changed budget. A failure is logged: the change itself has been made.
pub async fn check_alerts(state: &AppState, user_id: UserId) {
    if let Err(error) = send_alerts(&state.db, user_id, Utc::now().date_naive()).await {
        tracing::warn!(%error, "cannot check the budget alerts");
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Publish(#[from] PublishError),
}
