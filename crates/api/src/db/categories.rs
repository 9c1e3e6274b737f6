//! `category` and `category_override`: Plaid's categories and each person's own, read through
//! `user_category(user)`, which applies the person's changes to Plaid's. Every query is scoped
//! by the person.

use sqlx::{PgConnection, PgExecutor};
use tally_shared::ids::{CategoryId, UserId};

/// A category as one person sees it.
#[derive(Debug, Clone)]
pub struct CategoryRecord {
    pub category_id: CategoryId,
    pub parent_id: Option<CategoryId>,
    pub name: String,
    pub kind: String,
    pub hidden: bool,
    /// Set on Plaid's categories only.
    pub plaid_code: Option<String>,
    pub plaid_name: Option<String>,
    pub plaid_kind: Option<String>,
}

impl CategoryRecord {
    pub fn is_plaids(&self) -> bool {
        self.plaid_code.is_some()
    }
}

/// Serialises one person's category changes, so that "no visible sibling has this name" still
/// holds when the change commits. Held until the transaction ends.
#[tracing::instrument(skip_all)]
pub async fn lock(conn: &mut PgConnection, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('category:' || $1::uuid, 0))",
        user_id.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Every category the person sees, in tree order: primaries by name, each followed by its
/// categories by name.
#[tracing::instrument(skip_all)]
pub async fn list(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<CategoryRecord>, sqlx::Error> {
    sqlx::query_as!(
        CategoryRecord,
        r#"select c.category_id as "category_id!: CategoryId",
                  c.parent_id as "parent_id?: CategoryId",
                  c.name as "name!", c.kind as "kind!", c.hidden as "hidden!",
                  c.plaid_code, c.plaid_name, c.plaid_kind
           from user_category($1) c
                    left join user_category($1) p on p.category_id = c.parent_id
           order by lower(coalesce(p.name, c.name)), coalesce(p.category_id, c.category_id),
                    c.parent_id is not null, lower(c.name), c.category_id"#,
        user_id.0
    )
    .fetch_all(db)
    .await
}

/// One category the person sees; `None` for anyone else's or none at all.
#[tracing::instrument(skip_all)]
pub async fn find(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    category_id: CategoryId,
) -> Result<Option<CategoryRecord>, sqlx::Error> {
    sqlx::query_as!(
        CategoryRecord,
        r#"select category_id as "category_id!: CategoryId",
                  parent_id as "parent_id?: CategoryId",
                  name as "name!", kind as "kind!", hidden as "hidden!",
                  plaid_code, plaid_name, plaid_kind
           from user_category($1)
           where category_id = $2"#,
        user_id.0,
        category_id.0
    )
    .fetch_optional(db)
    .await
}

/// Whether a visible category under `parent_id` (none: among the primaries), other than
/// `except`, is already called `name`, ignoring case.
#[tracing::instrument(skip_all)]
pub async fn name_taken(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    parent_id: Option<CategoryId>,
    name: &str,
    except: Option<CategoryId>,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1
                          from user_category($1)
                          where parent_id is not distinct from $2
                            and not hidden
                            and lower(name) = lower($3)
                            and category_id is distinct from $4) as "taken!""#,
        user_id.0,
        parent_id.map(|id| id.0),
        name,
        except.map(|id| id.0)
    )
    .fetch_one(db)
    .await
}

/// A new category of the person's own.
#[tracing::instrument(skip_all)]
pub async fn insert(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    parent_id: Option<CategoryId>,
    name: &str,
    kind: &str,
) -> Result<CategoryId, sqlx::Error> {
    sqlx::query_scalar!(
        r#"insert into category (user_id, parent_id, name, kind)
           values ($1, $2, $3, $4)
           returning category_id as "category_id: CategoryId""#,
        user_id.0,
        parent_id.map(|id| id.0),
        name,
        kind
    )
    .fetch_one(db)
    .await
}

/// Sets a category of the person's own; `false` when they have none with that id.
#[tracing::instrument(skip_all)]
pub async fn update_own(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    category_id: CategoryId,
    name: &str,
    hidden: bool,
    kind: &str,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "update category set name = $3, hidden = $4, kind = $5
         where category_id = $2 and user_id = $1",
        user_id.0,
        category_id.0,
        name,
        hidden,
        kind
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// The person's changes to one of Plaid's categories: a `None` name or kind is Plaid's own.
#[tracing::instrument(skip_all)]
pub async fn set_override(
    conn: &mut PgConnection,
    user_id: UserId,
    category_id: CategoryId,
    name: Option<&str>,
    hidden: bool,
    kind: Option<&str>,
) -> Result<(), sqlx::Error> {
    if name.is_none() && kind.is_none() && !hidden {
        // Nothing left to override: the row goes, so Plaid's category is plainly Plaid's again.
        sqlx::query!(
            "delete from category_override where user_id = $1 and category_id = $2",
            user_id.0,
            category_id.0
        )
        .execute(conn)
        .await?;
        return Ok(());
    }
    sqlx::query!(
        "insert into category_override (user_id, category_id, name, hidden, kind)
         values ($1, $2, $3, $4, $5)
         on conflict (user_id, category_id)
             do update set name = excluded.name, hidden = excluded.hidden, kind = excluded.kind",
        user_id.0,
        category_id.0,
        name,
        hidden,
        kind
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes a category of the person's own, and its own categories with it; `false` when they
/// have none with that id.
#[tracing::instrument(skip_all)]
pub async fn delete_own(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    category_id: CategoryId,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "delete from category where category_id = $2 and user_id = $1",
        user_id.0,
        category_id.0
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// The person's own category and the categories under it: what deleting it deletes.
#[tracing::instrument(skip_all)]
pub async fn own_with_children(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    category_id: CategoryId,
) -> Result<Vec<CategoryId>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select category_id as "category_id: CategoryId" from category
           where user_id = $1 and (category_id = $2 or parent_id = $2)"#,
        user_id.0,
        category_id.0
    )
    .fetch_all(db)
    .await
}

/// Whether any of the person's transactions, splits, carried labels, rules or recurring streams
/// refer to one of these categories.
#[tracing::instrument(skip_all)]
pub async fn in_use(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    category_ids: &[CategoryId],
) -> Result<bool, sqlx::Error> {
    let ids: Vec<_> = category_ids.iter().map(|id| id.0).collect();
    sqlx::query_scalar!(
        r#"select exists (select 1 from bank_transaction
                          where user_id = $1 and user_category_id = any($2))
               or exists (select 1 from bank_transaction
                          where user_id = $1 and rule_category_id = any($2))
               or exists (select 1 from transaction_split
                          where user_id = $1 and category_id = any($2))
               or exists (select 1 from carried_labels
                          where user_id = $1
                            and (user_category_id = any($2)
                                 or exists (select 1 from jsonb_array_elements(splits) e
                                            where (e->>'category_id')::uuid = any($2))))
               or exists (select 1 from rule where user_id = $1 and set_category_id = any($2))
               or exists (select 1 from recurring_stream
                          where user_id = $1 and user_category_id = any($2))
               as "in_use!""#,
        user_id.0,
        &ids
    )
    .fetch_one(db)
    .await
}

/// Moves every reference of the person's to one of `from` (transactions by hand and by rules,
/// split parts, carried labels and their splits, rules' actions, recurring streams) to `to`.
/// Returns how many transactions, parts, carried labels, rules and streams changed.
#[tracing::instrument(skip_all)]
pub async fn reassign(
    conn: &mut PgConnection,
    user_id: UserId,
    from: &[CategoryId],
    to: CategoryId,
) -> Result<u64, sqlx::Error> {
    let ids: Vec<_> = from.iter().map(|id| id.0).collect();
    let mut moved = 0;
    moved += sqlx::query!(
        "update bank_transaction set
             user_category_id = case when user_category_id = any($2) then $3
                                     else user_category_id end,
             rule_category_id = case when rule_category_id = any($2) then $3
                                     else rule_category_id end
         where user_id = $1 and (user_category_id = any($2) or rule_category_id = any($2))",
        user_id.0,
        &ids,
        to.0
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    moved += sqlx::query!(
        "update transaction_split set category_id = $3
         where user_id = $1 and category_id = any($2)",
        user_id.0,
        &ids,
        to.0
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    moved += sqlx::query!(
        "update carried_labels set
             user_category_id = case when user_category_id = any($2) then $3
                                     else user_category_id end,
             splits = (select jsonb_agg(case when (e->>'category_id')::uuid = any($2)
                                             then jsonb_set(e, '{category_id}', to_jsonb($3::uuid))
                                             else e end
                                        order by n)
                       from jsonb_array_elements(splits) with ordinality x(e, n))
         where user_id = $1
           and (user_category_id = any($2)
                or exists (select 1 from jsonb_array_elements(splits) e
                           where (e->>'category_id')::uuid = any($2)))",
        user_id.0,
        &ids,
        to.0
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let chosen = sqlx::query_scalar!(
        r#"with rules as (
               update rule set set_category_id = $3
               where user_id = $1 and set_category_id = any($2)
               returning 1),
           streams as (
               update recurring_stream set user_category_id = $3
               where user_id = $1 and user_category_id = any($2)
               returning 1)
           select (select count(*) from rules) + (select count(*) from streams) as "moved!""#,
        user_id.0,
        &ids,
        to.0
    )
    .fetch_one(&mut *conn)
    .await?;
    moved += u64::try_from(chosen).unwrap_or(0);
    Ok(moved)
}
