//! A person's own labels on one transaction (`bank_transaction`'s `user_*` columns and `notes`):
//! who set each field, and setting them by hand. The effective values are the table's generated
//! columns; nothing here re-derives them.

use crate::domain::LabelEdit;
use sqlx::PgExecutor;
use tally_shared::ids::{CategoryId, TransactionId, UserId};

/// What Plaid says of a transaction, and who gave each labelled field its value: `user`,
/// `rule` or `plaid`.
#[derive(Debug, Clone)]
pub struct LabelSources {
    pub plaid_category_id: CategoryId,
    pub plaid_category_name: String,
    pub name: String,
    pub merchant_name: Option<String>,
    pub category: String,
    pub display_name: String,
    pub notes: String,
    pub tags: String,
    pub hidden: String,
}

/// The sources of one of the person's transactions; `None` for anyone else's or none at all.
#[tracing::instrument(skip_all)]
pub async fn sources(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    transaction_id: TransactionId,
) -> Result<Option<LabelSources>, sqlx::Error> {
    sqlx::query_as!(
        LabelSources,
        r#"select t.plaid_category_id as "plaid_category_id: CategoryId",
                  c.name as "plaid_category_name!", t.name, t.merchant_name,
                  case when t.user_category_id is not null then 'user'
                       when t.rule_category_id is not null then 'rule'
                       else 'plaid' end as "category!",
                  case when t.user_display_name is not null then 'user'
                       when t.rule_display_name is not null then 'rule'
                       else 'plaid' end as "display_name!",
                  case when t.notes is not null then 'user' else 'plaid' end as "notes!",
                  case when t.user_tags is not null then 'user'
                       when t.rule_tags is not null then 'rule'
                       else 'plaid' end as "tags!",
                  case when t.user_hidden is not null then 'user'
                       when t.rule_hidden is not null then 'rule'
                       else 'plaid' end as "hidden!"
           from bank_transaction t
                    join user_category($1) c on c.category_id = t.plaid_category_id
           where t.user_id = $1 and t.transaction_id = $2"#,
        user_id.0,
        transaction_id.0
    )
    .fetch_optional(db)
    .await
}

/// Applies a checked edit to one of the person's transactions and clears `needs_review` (the
/// person has looked at it). `false` when they have no such transaction. The caller checked
/// that the category, if any, is one the person sees.
#[tracing::instrument(skip_all)]
pub async fn edit(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    transaction_id: TransactionId,
    edit: &LabelEdit,
) -> Result<bool, sqlx::Error> {
    // Each field: whether the edit sets it ($n), and to what ($n+1, null giving it back).
    let result = sqlx::query!(
        "update bank_transaction set
             user_category_id = case when $3 then $4 else user_category_id end,
             user_display_name = case when $5 then $6 else user_display_name end,
             notes = case when $7 then $8 else notes end,
             user_tags = case when $9 then $10::text[] else user_tags end,
             user_hidden = case when $11 then $12 else user_hidden end,
             needs_review = false
         where user_id = $1 and transaction_id = $2",
        user_id.0,
        transaction_id.0,
        edit.category_id.is_some(),
        edit.category_id.flatten().map(|id| id.0),
        edit.display_name.is_some(),
        edit.display_name.clone().flatten(),
        edit.notes.is_some(),
        edit.notes.clone().flatten(),
        edit.tags.is_some(),
        edit.tags.clone().flatten() as _,
        edit.hidden.is_some(),
        edit.hidden.flatten()
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}
