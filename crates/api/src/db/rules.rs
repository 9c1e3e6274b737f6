//! `rule`, and the rules' columns of `bank_transaction`: a person's ordered rules, and running
//! them (`domain::rules`, the one matcher) over the rows a sync writes, over all of a person's
//! transactions ("apply to the past"), or, for a preview, counting what conditions match.

use crate::domain::rules::{Actions, Conditions, RuleLabels, RuleSet, TransactionFacts};
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use tally_shared::api::rules::{Condition, RuleActions};
use tally_shared::ids::{AccountId, CategoryId, ItemId, RuleId, TransactionId, UserId};
use tally_shared::FieldError;

/// Rows per statement when writing rule columns.
const BATCH: usize = 5_000;

/// A rule as stored.
#[derive(Debug, Clone)]
pub struct RuleRecord {
    pub rule_id: RuleId,
    pub position: i32,
    pub name: String,
    pub conditions: Json<Vec<Condition>>,
    pub set_category_id: Option<CategoryId>,
    pub set_display_name: Option<String>,
    pub add_tags: Vec<String>,
    pub hide: bool,
}

impl RuleRecord {
    /// Its actions in the wire form.
    pub fn actions(&self) -> RuleActions {
        RuleActions {
            category_id: self.set_category_id,
            display_name: self.set_display_name.clone(),
            add_tags: self.add_tags.clone(),
            hide: self.hide,
        }
    }

    /// Its conditions and actions, checked again (the API checked them when they were saved).
    pub fn checked(&self) -> Result<(Conditions, Actions), Vec<FieldError>> {
        Ok((
            Conditions::parse(&self.conditions.0)?,
            Actions::parse(&self.actions())?,
        ))
    }
}

/// What a new or changed rule holds, checked.
pub struct RuleFields<'a> {
    pub name: &'a str,
    pub conditions: &'a Conditions,
    pub actions: &'a Actions,
}

/// Serialises one person's rule changes (positions stay 0..n without gaps, the count under its
/// limit). Held until the transaction ends.
#[tracing::instrument(skip_all)]
pub async fn lock(conn: &mut PgConnection, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('rule:' || $1::uuid, 0))",
        user_id.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Taken alone by "apply to the past", shared by every sync pass of the person's items: a
/// pass never writes rule columns that an apply computed from rows the pass then changes, nor
/// the other way round. Held until the transaction ends.
async fn lock_labels(
    conn: &mut PgConnection,
    user_id: UserId,
    alone: bool,
) -> Result<(), sqlx::Error> {
    if alone {
        sqlx::query!(
            "select pg_advisory_xact_lock(hashtextextended('rule-labels:' || $1::uuid, 0))",
            user_id.0
        )
        .execute(conn)
        .await?;
    } else {
        sqlx::query!(
            "select pg_advisory_xact_lock_shared(hashtextextended('rule-labels:' || $1::uuid, 0))",
            user_id.0
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The person's rules in position order.
#[tracing::instrument(skip_all)]
pub async fn list(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<RuleRecord>, sqlx::Error> {
    sqlx::query_as!(
        RuleRecord,
        r#"select rule_id as "rule_id: RuleId", position, name,
                  conditions as "conditions: Json<Vec<Condition>>",
                  set_category_id as "set_category_id: CategoryId", set_display_name,
                  add_tags, hide
           from rule where user_id = $1 order by position"#,
        user_id.0
    )
    .fetch_all(db)
    .await
}

/// One of the person's rules; `None` for anyone else's or none at all.
#[tracing::instrument(skip_all)]
pub async fn find(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    rule_id: RuleId,
) -> Result<Option<RuleRecord>, sqlx::Error> {
    sqlx::query_as!(
        RuleRecord,
        r#"select rule_id as "rule_id: RuleId", position, name,
                  conditions as "conditions: Json<Vec<Condition>>",
                  set_category_id as "set_category_id: CategoryId", set_display_name,
                  add_tags, hide
           from rule where user_id = $1 and rule_id = $2"#,
        user_id.0,
        rule_id.0
    )
    .fetch_optional(db)
    .await
}

/// How many rules the person has.
#[tracing::instrument(skip_all)]
pub async fn count(db: impl PgExecutor<'_>, user_id: UserId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from rule where user_id = $1"#,
        user_id.0
    )
    .fetch_one(db)
    .await
}

/// Whether every one of `account_ids` is an account of the person's.
#[tracing::instrument(skip_all)]
pub async fn accounts_are_owned(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    account_ids: &[AccountId],
) -> Result<bool, sqlx::Error> {
    let ids: Vec<uuid::Uuid> = account_ids.iter().map(|id| id.0).collect();
    sqlx::query_scalar!(
        r#"select not exists (select 1 from unnest($2::uuid[]) as wanted(account_id)
                              where not exists (select 1 from account a
                                                where a.account_id = wanted.account_id
                                                  and a.user_id = $1)) as "owned!""#,
        user_id.0,
        &ids
    )
    .fetch_one(db)
    .await
}

/// A new rule at `position` (0..=count), the rules from there on moving one down.
#[tracing::instrument(skip_all)]
pub async fn insert(
    conn: &mut PgConnection,
    user_id: UserId,
    position: i32,
    fields: &RuleFields<'_>,
) -> Result<RuleId, sqlx::Error> {
    sqlx::query!(
        "update rule set position = position + 1 where user_id = $1 and position >= $2",
        user_id.0,
        position
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar!(
        r#"insert into rule (user_id, position, name, conditions, set_category_id,
                             set_display_name, add_tags, hide)
           values ($1, $2, $3, $4, $5, $6, $7, $8)
           returning rule_id as "rule_id: RuleId""#,
        user_id.0,
        position,
        fields.name,
        Json(fields.conditions.to_wire()) as _,
        fields.actions.category_id().map(|id| id.0),
        fields.actions.display_name(),
        fields.actions.add_tags(),
        fields.actions.hide()
    )
    .fetch_one(conn)
    .await
}

/// Replaces a rule's name, conditions and actions.
#[tracing::instrument(skip_all)]
pub async fn update(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    rule_id: RuleId,
    fields: &RuleFields<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update rule set name = $3, conditions = $4, set_category_id = $5, set_display_name = $6,
                         add_tags = $7, hide = $8
         where user_id = $1 and rule_id = $2",
        user_id.0,
        rule_id.0,
        fields.name,
        Json(fields.conditions.to_wire()) as _,
        fields.actions.category_id().map(|id| id.0),
        fields.actions.display_name(),
        fields.actions.add_tags(),
        fields.actions.hide()
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Moves the rule at `from` to `to` (both 0..count), shifting the rules between by one. The
/// unique position is checked at the commit, so the positions may cross within the statement.
#[tracing::instrument(skip_all)]
pub async fn move_to(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    rule_id: RuleId,
    from: i32,
    to: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update rule
         set position = case when rule_id = $2 then $4::integer
                             when $4::integer < $3::integer then position + 1
                             else position - 1 end
         where user_id = $1
           and position between least($3::integer, $4::integer)
                            and greatest($3::integer, $4::integer)",
        user_id.0,
        rule_id.0,
        from,
        to
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes the rule and closes the gap it leaves; `false` when the person has none with that id.
#[tracing::instrument(skip_all)]
pub async fn delete(
    conn: &mut PgConnection,
    user_id: UserId,
    rule_id: RuleId,
) -> Result<bool, sqlx::Error> {
    let Some(position) = sqlx::query_scalar!(
        "delete from rule where user_id = $1 and rule_id = $2 returning position",
        user_id.0,
        rule_id.0
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(false);
    };
    sqlx::query!(
        "update rule set position = position - 1 where user_id = $1 and position > $2",
        user_id.0,
        position
    )
    .execute(conn)
    .await?;
    Ok(true)
}

/// The person's rules, ready to run. A stored rule that no longer parses (the API checked it
/// when it was saved, so this is a bug) is left out and logged, rather than stopping every sync.
#[tracing::instrument(skip_all)]
async fn rule_set(db: impl PgExecutor<'_>, user_id: UserId) -> Result<RuleSet, sqlx::Error> {
    let rules = list(db, user_id)
        .await?
        .into_iter()
        .filter_map(|record| match record.checked() {
            Ok(rule) => Some(rule),
            Err(problems) => {
                tracing::error!(rule_id = %record.rule_id, ?problems, "a stored rule does not parse");
                None
            }
        })
        .collect();
    Ok(RuleSet::new(rules))
}

/// The person's rules for one sync pass, loaded once, with the shared labels lock (see
/// `lock_labels`) held until the pass commits.
pub async fn for_sync(conn: &mut PgConnection, user_id: UserId) -> Result<RuleSet, sqlx::Error> {
    lock_labels(&mut *conn, user_id, false).await?;
    rule_set(conn, user_id).await
}

/// A transaction as the matcher sees it, with its rule columns now.
struct LabelledRow {
    transaction_id: TransactionId,
    name: String,
    merchant_name: Option<String>,
    amount: Decimal,
    account_id: AccountId,
    category_primary: Option<String>,
    category_detailed: Option<String>,
    rule_category_id: Option<CategoryId>,
    rule_display_name: Option<String>,
    rule_tags: Option<Vec<String>>,
    rule_hidden: Option<bool>,
}

impl LabelledRow {
    fn facts(&self) -> TransactionFacts<'_> {
        TransactionFacts {
            name: &self.name,
            merchant_name: self.merchant_name.as_deref(),
            amount: self.amount,
            account_id: self.account_id,
            category_primary: self.category_primary.as_deref(),
            category_detailed: self.category_detailed.as_deref(),
        }
    }

    /// The rules' columns `rules` give the row, when they differ from what it holds.
    fn relabelled(self, rules: &RuleSet) -> Option<(TransactionId, RuleLabels)> {
        let labels = rules.labels(&self.facts());
        let now = RuleLabels {
            category_id: self.rule_category_id,
            display_name: self.rule_display_name,
            tags: self.rule_tags,
            hidden: self.rule_hidden,
        };
        (labels != now).then_some((self.transaction_id, labels))
    }
}

/// Runs the person's rules on the item's rows with these Plaid ids (what a sync page just
/// inserted or modified), in the sync's transaction, and writes the rows whose rule columns
/// change in one statement.
#[tracing::instrument(skip_all, fields(rows = plaid_transaction_ids.len(), rules = rules.len()))]
pub async fn relabel_synced(
    conn: &mut PgConnection,
    user_id: UserId,
    item_id: ItemId,
    plaid_transaction_ids: &[String],
    rules: &RuleSet,
) -> Result<(), sqlx::Error> {
    let changes: Vec<(TransactionId, RuleLabels)> = sqlx::query_as!(
        LabelledRow,
        r#"select transaction_id as "transaction_id: TransactionId", name, merchant_name, amount,
                  account_id as "account_id: AccountId", category_primary, category_detailed,
                  rule_category_id as "rule_category_id: CategoryId", rule_display_name,
                  rule_tags, rule_hidden
           from bank_transaction
           where item_id = $1 and plaid_transaction_id = any($2)"#,
        item_id.0,
        plaid_transaction_ids
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter_map(|row| row.relabelled(rules))
    .collect();
    for batch in changes.chunks(BATCH) {
        write_labels(&mut *conn, user_id, batch).await?;
    }
    Ok(())
}

/// Recomputes the rule columns of every transaction of the person's under all their rules
/// ("apply to the past"): reads the rows once, runs the rules in Rust, writes the rows whose
/// rule columns change in batches. Returns how many transactions' effective labels changed.
#[tracing::instrument(skip_all)]
pub async fn relabel_all(conn: &mut PgConnection, user_id: UserId) -> Result<u64, sqlx::Error> {
    lock_labels(&mut *conn, user_id, true).await?;
    let rules = rule_set(&mut *conn, user_id).await?;
    let mut changes = Vec::new();
    {
        let mut rows = sqlx::query_as!(
            LabelledRow,
            r#"select transaction_id as "transaction_id: TransactionId", name, merchant_name,
                      amount, account_id as "account_id: AccountId", category_primary,
                      category_detailed, rule_category_id as "rule_category_id: CategoryId",
                      rule_display_name, rule_tags, rule_hidden
               from bank_transaction
               where user_id = $1"#,
            user_id.0
        )
        .fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            changes.extend(row.relabelled(&rules));
        }
    }
    let mut changed = 0;
    for batch in changes.chunks(BATCH) {
        changed += write_labels(&mut *conn, user_id, batch).await?;
    }
    tracing::info!(written = changes.len(), changed, "rules applied");
    Ok(changed)
}

/// Writes these rule columns; returns how many of the rows' effective values (the generated
/// columns, which state the precedence) changed.
async fn write_labels(
    conn: &mut PgConnection,
    user_id: UserId,
    batch: &[(TransactionId, RuleLabels)],
) -> Result<u64, sqlx::Error> {
    // Tags vary in number per row, which a two-dimensional array cannot hold: each row's go as
    // one JSON array. (Slices of one flat array of every row's tags cost a walk along that array
    // per row, quadratic in the batch: a quarter of applying a rule to 43,000 rows.)
    let tags: Vec<Option<Json<&[String]>>> = batch
        .iter()
        .map(|(_, labels)| labels.tags.as_deref().map(Json))
        .collect();
    let changed = sqlx::query_scalar!(
        r#"with labels as (
             select * from unnest($2::uuid[], $3::uuid[], $4::text[], $5::jsonb[], $6::bool[])
                 as l(transaction_id, category_id, display_name, tags, hidden)),
         written as (
             update bank_transaction t
             set rule_category_id = labels.category_id,
                 rule_display_name = labels.display_name,
                 rule_tags = case when labels.tags is null then null
                                  else array(select tag
                                             from jsonb_array_elements_text(labels.tags)
                                                  with ordinality as e(tag, n)
                                             order by n) end,
                 rule_hidden = labels.hidden
             from labels
                  join bank_transaction before on before.transaction_id = labels.transaction_id
             where t.transaction_id = labels.transaction_id and t.user_id = $1
             returning (t.category_id, t.display_name, t.tags, t.hidden) is distinct from
                       (before.category_id, before.display_name, before.tags, before.hidden)
                       as changed)
         select count(*) filter (where changed) as "changed!" from written"#,
        user_id.0,
        &batch.iter().map(|(id, _)| id.0).collect::<Vec<_>>(),
        batch
            .iter()
            .map(|(_, labels)| labels.category_id.map(|id| id.0))
            .collect::<Vec<_>>() as _,
        batch
            .iter()
            .map(|(_, labels)| labels.display_name.clone())
            .collect::<Vec<_>>() as _,
        tags as _,
        batch
            .iter()
            .map(|(_, labels)| labels.hidden)
            .collect::<Vec<_>>() as _
    )
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(changed).unwrap_or_default())
}

/// How many of the person's transactions meet `conditions`, and the ids of the newest
/// `sample` of them (newest first), for a preview. Reads the rows once and matches in Rust, so
/// the preview agrees with what the rule would do.
#[tracing::instrument(skip_all)]
pub async fn matching(
    conn: &mut PgConnection,
    user_id: UserId,
    conditions: &Conditions,
    sample: usize,
) -> Result<(u64, Vec<TransactionId>), sqlx::Error> {
    struct Row {
        transaction_id: TransactionId,
        date: NaiveDate,
        name: String,
        merchant_name: Option<String>,
        amount: Decimal,
        account_id: AccountId,
        category_primary: Option<String>,
        category_detailed: Option<String>,
    }
    let mut rows = sqlx::query_as!(
        Row,
        r#"select transaction_id as "transaction_id: TransactionId", date, name, merchant_name,
                  amount, account_id as "account_id: AccountId", category_primary,
                  category_detailed
           from bank_transaction
           where user_id = $1"#,
        user_id.0
    )
    .fetch(conn);
    let mut matches = 0_u64;
    // The newest so far, kept at most twice the sample before trimming.
    let mut newest: Vec<(NaiveDate, TransactionId)> = Vec::new();
    while let Some(row) = rows.try_next().await? {
        let facts = TransactionFacts {
            name: &row.name,
            merchant_name: row.merchant_name.as_deref(),
            amount: row.amount,
            account_id: row.account_id,
            category_primary: row.category_primary.as_deref(),
            category_detailed: row.category_detailed.as_deref(),
        };
        if conditions.matches(&facts) {
            matches += 1;
            newest.push((row.date, row.transaction_id));
            if newest.len() >= sample.saturating_mul(2).max(1) {
                newest.sort_unstable_by(|a, b| b.cmp(a));
                newest.truncate(sample);
            }
        }
    }
    newest.sort_unstable_by(|a, b| b.cmp(a));
    newest.truncate(sample);
    Ok((matches, newest.into_iter().map(|(_, id)| id).collect()))
}
