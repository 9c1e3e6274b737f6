//! `bank_transaction.transfer_pair_id` and `transfer_choice`: a person's transfers between their
//! own accounts and what they decided about them. Both sides of a pair always name each other:
//! every write here sets or clears both in one statement. Every query is scoped by the person.

use crate::domain::transfers::{Candidate, Side, MAX_DAYS_APART};
use sqlx::{PgConnection, PgExecutor};
use tally_shared::ids::{AccountId, TransactionId, UserId};

/// Serialises the changes to one person's pairs (a sync of each of their items, a hand pair),
/// so two of them never pair one transaction twice. Held until the transaction ends.
#[tracing::instrument(skip_all)]
pub async fn lock(conn: &mut PgConnection, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(hashtextextended('transfers:' || $1::uuid, 0))",
        user_id.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Unpairs the sync's pairs that the bank's changes broke (an amount, currency, date, account or
/// category that no longer fits, or none at all); pairs the person made by hand stay. Returns how
/// many pairs.
#[tracing::instrument(skip_all)]
pub async fn unpair_broken(conn: &mut PgConnection, user_id: UserId) -> Result<u64, sqlx::Error> {
    let unpaired = sqlx::query!(
        "with broken as (
             select t.transaction_id, t.transfer_pair_id
             from bank_transaction t
             join bank_transaction p on p.transaction_id = t.transfer_pair_id
             where t.user_id = $1
               and t.transfer_pair_id is not null
               and not exists (select 1 from transfer_choice c
                               where c.first_id = least(t.transaction_id, p.transaction_id)
                                 and c.second_id = greatest(t.transaction_id, p.transaction_id)
                                 and c.paired)
               and not coalesce(p.amount = -t.amount and t.amount <> 0
                        and p.account_id <> t.account_id
                        and not p.pending and not t.pending
                        and coalesce(p.iso_currency_code, p.unofficial_currency_code)
                            = coalesce(t.iso_currency_code, t.unofficial_currency_code)
                        and abs(p.date - t.date) <= $2
                        and t.category_primary in ('TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS')
                        and p.category_primary in ('TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS'),
                        false))
         update bank_transaction
         set transfer_pair_id = null
         where user_id = $1
           and transaction_id in (select transaction_id from broken
                                  union select transfer_pair_id from broken)",
        user_id.0,
        MAX_DAYS_APART
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(unpaired / 2)
}

/// Every pair the sync could make among the person's unpaired, posted transactions, leaving out
/// each transaction they unpaired (they said it is not that transfer; they can pair it by hand).
/// A transaction can be in several; `domain::transfers::choose` picks.
#[tracing::instrument(skip_all)]
pub async fn candidates(
    db: impl PgExecutor<'_>,
    user_id: UserId,
) -> Result<Vec<Candidate>, sqlx::Error> {
    // The predicate of `bank_transaction_transfer_candidate`, written out so the index serves it.
    sqlx::query_as!(
        Candidate,
        r#"with candidate as (
               select transaction_id, account_id, amount, date,
                      coalesce(iso_currency_code, unofficial_currency_code) as currency
               from bank_transaction
               where user_id = $1
                 and transfer_pair_id is null
                 and not pending
                 and category_primary in ('TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS')
                 and not exists (select 1 from transfer_choice c
                                 where not c.paired
                                   and (c.first_id = transaction_id
                                        or c.second_id = transaction_id)))
           select o.transaction_id as "out!: TransactionId",
                  i.transaction_id as "into!: TransactionId",
                  o.date as "out_date!", i.date as "into_date!"
           from candidate o
           join candidate i on i.amount = -o.amount and i.currency = o.currency
           where o.amount > 0
             and i.account_id <> o.account_id
             and abs(i.date - o.date) <= $2"#,
        user_id.0,
        MAX_DAYS_APART
    )
    .fetch_all(db)
    .await
}

/// Pairs each `out` with its `into`. Only unpaired transactions of the person are written.
/// Returns how many pairs.
#[tracing::instrument(skip_all, fields(pairs = pairs.len()))]
pub async fn pair(
    db: impl PgExecutor<'_>,
    user_id: UserId,
    pairs: &[Candidate],
) -> Result<u64, sqlx::Error> {
    let ids: Vec<_> = pairs.iter().flat_map(|p| [p.out.0, p.into.0]).collect();
    let partners: Vec<_> = pairs.iter().flat_map(|p| [p.into.0, p.out.0]).collect();
    // Each side is looked up by its primary key (the `offset 0` keeps the lookup a lookup):
    // joined to the person's rows instead, right after a large first sync, when the table has
    // no statistics yet, the planner took the person's 100,000 rows for one and looped over
    // them once per pair (10 s for 192 pairs).
    let written = sqlx::query!(
        "with target as materialized (
             select x.transaction_id, p.partner
             from unnest($2::uuid[], $3::uuid[]) as p(id, partner)
                  cross join lateral (select t.transaction_id from bank_transaction t
                                      where t.transaction_id = p.id
                                        and t.user_id = $1
                                        and t.transfer_pair_id is null
                                      offset 0) x)
         update bank_transaction t
         set transfer_pair_id = target.partner
         from target
         where t.transaction_id = target.transaction_id",
        user_id.0,
        &ids,
        &partners
    )
    .execute(db)
    .await?
    .rows_affected();
    Ok(written / 2)
}

/// Each side as a hand pair checks it, locked; `None` for one that is not the person's.
#[tracing::instrument(skip_all)]
pub async fn sides(
    conn: &mut PgConnection,
    user_id: UserId,
    one: TransactionId,
    other: TransactionId,
) -> Result<(Option<Side>, Option<Side>), sqlx::Error> {
    let rows = sqlx::query_as!(
        Side,
        r#"select transaction_id as "transaction_id!: TransactionId",
                  account_id as "account_id!: AccountId", amount as "amount!",
                  coalesce(iso_currency_code, unofficial_currency_code) as currency,
                  pending as "pending!",
                  transfer_pair_id as "transfer_pair_id?: TransactionId"
           from bank_transaction
           where user_id = $1 and transaction_id in ($2, $3)
           for update"#,
        user_id.0,
        one.0,
        other.0
    )
    .fetch_all(conn)
    .await?;
    let find = |id: TransactionId| rows.iter().find(|s| s.transaction_id == id).cloned();
    Ok((find(one), find(other)))
}

/// The person's transaction's partner, locked; `Ok(None)` when it is not theirs, `Some(None)`
/// when it is not paired.
#[tracing::instrument(skip_all)]
pub async fn partner(
    conn: &mut PgConnection,
    user_id: UserId,
    transaction_id: TransactionId,
) -> Result<Option<Option<TransactionId>>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select transfer_pair_id as "transfer_pair_id?: TransactionId"
           from bank_transaction
           where user_id = $1 and transaction_id = $2
           for update"#,
        user_id.0,
        transaction_id.0
    )
    .fetch_optional(conn)
    .await
}

/// Pairs two of the person's transactions by hand (or makes their pair the person's), or
/// unpairs them, and remembers the choice so that no sync goes against it. A pair by hand is
/// checked first (`check_hand_pair`).
#[tracing::instrument(skip_all, fields(paired))]
pub async fn choose_by_hand(
    conn: &mut PgConnection,
    user_id: UserId,
    one: TransactionId,
    other: TransactionId,
    paired: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update bank_transaction
         set transfer_pair_id = case when not $4 then null
                                     when transaction_id = $2 then $3
                                     else $2 end
         where user_id = $1 and transaction_id in ($2, $3)",
        user_id.0,
        one.0,
        other.0,
        paired
    )
    .execute(&mut *conn)
    .await?;
    choose(conn, user_id, one, other, paired).await
}

/// Records the person's word on a pair, replacing any earlier one.
async fn choose(
    conn: &mut PgConnection,
    user_id: UserId,
    one: TransactionId,
    other: TransactionId,
    paired: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into transfer_choice (user_id, first_id, second_id, paired)
         values ($1, least($2::uuid, $3::uuid), greatest($2::uuid, $3::uuid), $4)
         on conflict (first_id, second_id)
             do update set paired = excluded.paired, chosen_at = now()",
        user_id.0,
        one.0,
        other.0,
        paired
    )
    .execute(conn)
    .await?;
    Ok(())
}
