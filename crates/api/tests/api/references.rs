//! What bank_transaction refers to (its account, its categories, its transfer pair), and what
//! refers to a transaction (a split's parts, a recurring stream's list, a transfer choice), is
//! checked once per statement by triggers, not per row by foreign keys
//! (migrations/20261210010000_transaction_references_per_statement.sql and
//! 20261212000000_transaction_referrers_per_statement.sql). These tests hold the triggers to
//! what the foreign keys did, on a bank synced from the simulator: a row that refers to nothing
//! is refused with foreign_key_violation, an account's transactions go with it, a deleted
//! transaction's partner is unpaired and what referred to it is deleted, a category in use
//! stays, keys in use do not change, and a delete that races an insert waits for it and takes
//! its rows too.

use crate::helpers::{spawn_app, TestApp};
use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};
use std::future::Future;
use std::time::Duration;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Panics unless the statement failed as a foreign key's check would (SQLSTATE 23503), by the
/// trigger whose message contains `message`.
#[track_caller]
fn refused<T: std::fmt::Debug>(result: Result<T, sqlx::Error>, message: &str) {
    match result {
        Err(sqlx::Error::Database(error)) => {
            assert_eq!(error.code().as_deref(), Some("23503"), "{error}");
            assert!(error.message().contains(message), "{error}");
        }
        other => panic!("not refused: {other:?}"),
    }
}

const NO_ACCOUNT: &str = "refers to an account that does not exist";
const NO_CATEGORY: &str = "refers to a category that does not exist";
const NO_PAIR: &str = "paired with one that does not exist";
const NO_TRANSACTION: &str = "refers to a transaction that does not exist";

/// Copies a transaction under a new id and Plaid id, into `account_id` under `item_id`.
async fn copy_transaction(
    db: impl sqlx::PgExecutor<'_>,
    from: Uuid,
    account_id: Uuid,
    item_id: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "insert into bank_transaction (transaction_id, account_id, item_id, user_id,
             plaid_transaction_id, amount, iso_currency_code, date, name, payment_channel,
             pending, plaid_category_id)
         select gen_random_uuid(), $2, $3, user_id, 'copy-' || gen_random_uuid(), amount,
                iso_currency_code, date, name, payment_channel, pending, plaid_category_id
         from bank_transaction where transaction_id = $1
         returning transaction_id",
    )
    .bind(from)
    .bind(account_id)
    .bind(item_id)
    .fetch_one(db)
    .await
}

/// A transaction of the bank's and its account and item.
async fn some_transaction(db: &PgPool, user_id: Uuid) -> (Uuid, Uuid, Uuid) {
    sqlx::query_as(
        "select transaction_id, account_id, item_id from bank_transaction
         where user_id = $1 order by transaction_id limit 1",
    )
    .bind(user_id)
    .fetch_one(db)
    .await
    .unwrap()
}

/// Signs `name` up and links a bank for them; their id, and one of the bank's transactions with
/// its account and item.
async fn linked_transaction(app: &TestApp, name: &str) -> (Uuid, (Uuid, Uuid, Uuid)) {
    let person = app.sign_up(name).await;
    app.link_bank(&person.client, "user_good").await;
    (
        person.user_id,
        some_transaction(&app.db, person.user_id).await,
    )
}

async fn count(db: impl sqlx::PgExecutor<'_>, sql: &str, id: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn account_transactions(db: &PgPool, account_id: Uuid) -> i64 {
    count(
        db,
        "select count(*) from bank_transaction where account_id = $1",
        account_id,
    )
    .await
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_transaction_must_refer_to_what_exists(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (_, (transaction, account, item)) = linked_transaction(&app, "alice").await;
    let (_, (_, bobs_account, bobs_item)) = linked_transaction(&app, "bob").await;

    // The account's own item: accepted.
    copy_transaction(&db, transaction, account, item)
        .await
        .unwrap();
    // No such account; an account of another item (Bob's, under Alice's item); an item that is
    // not the account's.
    for (account, item) in [
        (Uuid::new_v4(), item),
        (bobs_account, item),
        (account, bobs_item),
    ] {
        refused(
            copy_transaction(&db, transaction, account, item).await,
            NO_ACCOUNT,
        );
    }
    // One good row beside a bad one in the same statement: the whole statement fails.
    let mixed = sqlx::query(
        "insert into bank_transaction (transaction_id, account_id, item_id, user_id,
             plaid_transaction_id, amount, date, name, payment_channel, pending,
             plaid_category_id)
         select gen_random_uuid(), a, item_id, user_id, 'mixed-' || gen_random_uuid(), amount,
                date, name, payment_channel, pending, plaid_category_id
         from bank_transaction, unnest(array[account_id, $2]) as a
         where transaction_id = $1",
    )
    .bind(transaction)
    .bind(bobs_account)
    .execute(&db)
    .await;
    refused(mixed, NO_ACCOUNT);
    assert_eq!(
        count(
            &db,
            "select count(*) from bank_transaction where item_id = $1
             and plaid_transaction_id like 'mixed-%'",
            item
        )
        .await,
        0
    );

    // Categories and transfer pairs that do not exist, set by an update.
    for (column, message) in [
        ("user_category_id", NO_CATEGORY),
        ("rule_category_id", NO_CATEGORY),
        ("transfer_pair_id", NO_PAIR),
    ] {
        let update = sqlx::query(&format!(
            "update bank_transaction set {column} = $2 where transaction_id = $1"
        ))
        .bind(transaction)
        .bind(Uuid::new_v4())
        .execute(&db)
        .await;
        refused(update, message);
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn deletes_carry_to_what_referred_to_them(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (alice, (first, account, item)) = linked_transaction(&app, "alice").await;
    let second = copy_transaction(&db, first, account, item).await.unwrap();

    // Paired by hand, then one side deleted: the other is unpaired.
    sqlx::query(
        "update bank_transaction set transfer_pair_id = case transaction_id when $1 then $2
                                                                              else $1 end
         where transaction_id in ($1, $2)",
    )
    .bind(first)
    .bind(second)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query("delete from bank_transaction where transaction_id = $1")
        .bind(second)
        .execute(&db)
        .await
        .unwrap();
    let pair: Option<Uuid> = sqlx::query_scalar(
        "select transfer_pair_id from bank_transaction where transaction_id = $1",
    )
    .bind(first)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(pair, None);

    // A category of her own that a transaction uses cannot go, nor change its id.
    let category: Uuid = sqlx::query_scalar(
        "insert into category (user_id, name, kind) values ($1, 'Mine', 'spending')
         returning category_id",
    )
    .bind(alice)
    .fetch_one(&db)
    .await
    .unwrap();
    for column in ["user_category_id", "rule_category_id"] {
        sqlx::query(&format!(
            "update bank_transaction set {column} = $2 where transaction_id = $1"
        ))
        .bind(first)
        .bind(category)
        .execute(&db)
        .await
        .unwrap();
        let delete = sqlx::query("delete from category where category_id = $1")
            .bind(category)
            .execute(&db)
            .await;
        refused(delete, "still uses a deleted category");
        let rekey = sqlx::query(
            "update category set category_id = gen_random_uuid() where category_id = $1",
        )
        .bind(category)
        .execute(&db)
        .await;
        refused(rekey, "transactions refer to cannot change");
        sqlx::query(&format!(
            "update bank_transaction set {column} = null where transaction_id = $1"
        ))
        .bind(first)
        .execute(&db)
        .await
        .unwrap();
    }
    sqlx::query("delete from category where category_id = $1")
        .bind(category)
        .execute(&db)
        .await
        .unwrap();

    // An account's id in use does not change; deleting the account deletes its transactions.
    let rekey =
        sqlx::query("update account set account_id = gen_random_uuid() where account_id = $1")
            .bind(account)
            .execute(&db)
            .await;
    refused(rekey, "transactions refer to cannot change");
    let held = account_transactions(&db, account).await;
    assert!(held > 1, "the account has {held} transactions");
    sqlx::query("delete from account where account_id = $1")
        .bind(account)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(account_transactions(&db, account).await, 0);
    // And the item's removal deletes the rest.
    sqlx::query("delete from plaid_item where item_id = $1")
        .bind(item)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        count(
            &db,
            "select count(*) from bank_transaction where user_id = $1",
            alice
        )
        .await,
        0
    );
}

/// Runs `statement` in a task on a connection of its own, and returns once that connection waits
/// for a lock: the caller then lets it go on by ending the transaction it waits for.
async fn blocked<T, Fut>(
    db: &PgPool,
    statement: impl FnOnce(PoolConnection<Postgres>) -> Fut,
) -> JoinHandle<T>
where
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut conn = db.acquire().await.unwrap();
    let pid: i32 = sqlx::query_scalar("select pg_backend_pid()")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let task = tokio::spawn(statement(conn));
    for _ in 0..200 {
        let waiting: bool = sqlx::query_scalar(
            "select coalesce(wait_event_type = 'Lock', false) from pg_stat_activity
             where pid = $1",
        )
        .bind(pid)
        .fetch_one(db)
        .await
        .unwrap();
        if waiting {
            assert!(!task.is_finished());
            return task;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("backend {pid} never waited for a lock");
}

/// `delete` (of the rows `$1` names) run as `blocked` runs a statement; the task answers how
/// many rows it deleted.
async fn blocked_delete(
    db: &PgPool,
    delete: &'static str,
    id: Uuid,
) -> JoinHandle<Result<u64, sqlx::Error>> {
    blocked(db, move |mut conn| async move {
        sqlx::query(delete)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected())
    })
    .await
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_account_deleted_while_a_sync_writes_takes_the_new_rows_too(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (alice, (transaction, account, item)) = linked_transaction(&app, "alice").await;

    // A sync's transaction has written a row to the account and not committed yet.
    let mut writer = db.begin().await.unwrap();
    let written = copy_transaction(&mut *writer, transaction, account, item)
        .await
        .unwrap();

    // The account's removal waits for it ...
    let removal = blocked_delete(&db, "delete from account where account_id = $1", account).await;

    // ... and, once the row is committed, deletes it with the account's others.
    writer.commit().await.unwrap();
    assert_eq!(removal.await.unwrap().unwrap(), 1);
    assert_eq!(
        count(
            &db,
            "select count(*) from bank_transaction where transaction_id = $1",
            written
        )
        .await,
        0
    );
    assert_eq!(account_transactions(&db, account).await, 0);

    // The other way round: the account went first; the sync's row is refused when it commits.
    let (transaction, account, item) = some_transaction(&db, alice).await;
    let mut remover = db.begin().await.unwrap();
    sqlx::query("delete from account where account_id = $1")
        .bind(account)
        .execute(&mut *remover)
        .await
        .unwrap();
    let write = blocked(&db, |mut writer| async move {
        copy_transaction(&mut *writer, transaction, account, item).await
    })
    .await;
    remover.commit().await.unwrap();
    refused(write.await.unwrap(), NO_ACCOUNT);
}

/// One of the person's recurring streams and a transaction it lists, once the refresh queued by
/// the link has stored them.
async fn a_streams_transaction(db: &PgPool, user_id: Uuid) -> (Uuid, Uuid) {
    for _ in 0..600 {
        let listed: Option<(Uuid, Uuid)> = sqlx::query_as(
            "select l.recurring_stream_id, l.transaction_id
             from recurring_stream_transaction l
                  join recurring_stream s using (recurring_stream_id)
             where s.user_id = $1
             order by l.transaction_id
             limit 1",
        )
        .bind(user_id)
        .fetch_optional(db)
        .await
        .unwrap();
        if let Some(listed) = listed {
            return listed;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no recurring stream was stored after the link");
}

/// Splits `transaction_id` into two parts (the amounts are not checked here).
async fn split(db: impl sqlx::PgExecutor<'_>, transaction_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into transaction_split (transaction_id, position, user_id, amount, category_id)
         select t.transaction_id, p, t.user_id, t.amount / 2, t.plaid_category_id
         from bank_transaction t, generate_series(0, 1) p
         where t.transaction_id = $1",
    )
    .bind(transaction_id)
    .execute(db)
    .await
    .map(drop)
}

/// The person's word on `a` and `b` as a pair (stored with its ids in order).
async fn choose(db: &PgPool, user_id: Uuid, a: Uuid, b: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into transfer_choice (user_id, first_id, second_id, paired)
         values ($1, least($2, $3), greatest($2, $3), true)",
    )
    .bind(user_id)
    .bind(a)
    .bind(b)
    .execute(db)
    .await
    .map(drop)
}

/// How many rows of splits, stream lists and transfer choices refer to `transaction_id`.
async fn referrers(db: &PgPool, transaction_id: Uuid) -> i64 {
    count(
        db,
        "select (select count(*) from transaction_split where transaction_id = $1)
              + (select count(*) from recurring_stream_transaction where transaction_id = $1)
              + (select count(*) from transfer_choice where $1 in (first_id, second_id))",
        transaction_id,
    )
    .await
}

#[sqlx::test(migrations = "../../migrations")]
async fn what_refers_to_a_transaction_must_exist_and_goes_with_it(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (alice, (first, account, item)) = linked_transaction(&app, "alice").await;
    let second = copy_transaction(&db, first, account, item).await.unwrap();
    let (stream, listed) = a_streams_transaction(&db, alice).await;
    let missing = Uuid::new_v4();

    // Rows that refer to a transaction that does not exist, inserted or updated to.
    refused(choose(&db, alice, first, missing).await, NO_TRANSACTION);
    refused(
        sqlx::query(
            "insert into recurring_stream_transaction (recurring_stream_id, transaction_id)
             values ($1, $2)",
        )
        .bind(stream)
        .bind(missing)
        .execute(&db)
        .await,
        NO_TRANSACTION,
    );
    refused(
        sqlx::query(
            "update recurring_stream_transaction set transaction_id = $3
             where recurring_stream_id = $1 and transaction_id = $2",
        )
        .bind(stream)
        .bind(listed)
        .bind(missing)
        .execute(&db)
        .await,
        NO_TRANSACTION,
    );
    assert_eq!(referrers(&db, listed).await, 1);

    // A split, a stream's list and a choice that refer to what exists are kept, ...
    split(&db, second).await.unwrap();
    choose(&db, alice, first, second).await.unwrap();
    assert_eq!(referrers(&db, second).await, 3);
    assert_eq!(referrers(&db, first).await, 1);
    // ... and their transactions' ids do not change.
    for referred in [second, first, listed] {
        let rekey = sqlx::query(
            "update bank_transaction set transaction_id = gen_random_uuid()
             where transaction_id = $1",
        )
        .bind(referred)
        .execute(&db)
        .await;
        refused(rekey, "transactions refer to cannot change");
    }

    // ... until the transaction goes: then they go with it, and only they.
    sqlx::query("delete from bank_transaction where transaction_id = $1")
        .bind(second)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(referrers(&db, second).await, 0);
    assert_eq!(referrers(&db, first).await, 0);
    assert_eq!(referrers(&db, listed).await, 1);
    sqlx::query("delete from bank_transaction where transaction_id = $1")
        .bind(listed)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(referrers(&db, listed).await, 0);
    assert_eq!(
        count(
            &db,
            "select count(*) from recurring_stream where recurring_stream_id = $1",
            stream
        )
        .await,
        1,
        "the stream stays"
    );

    // Removing the bank takes every split, list and choice of its transactions at once.
    let (a, _, _) = some_transaction(&db, alice).await;
    let b = copy_transaction(&db, a, account, item).await.unwrap();
    split(&db, a).await.unwrap();
    choose(&db, alice, a, b).await.unwrap();
    sqlx::query("delete from plaid_item where item_id = $1")
        .bind(item)
        .execute(&db)
        .await
        .unwrap();
    for table in [
        "transaction_split",
        "transfer_choice",
        "recurring_stream_transaction",
    ] {
        let left: i64 = sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(left, 0, "{table}");
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_transaction_deleted_while_it_is_split_takes_the_split_too(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (_, (transaction, _, _)) = linked_transaction(&app, "alice").await;

    // The person's split is written and not committed yet.
    let mut writer = db.begin().await.unwrap();
    split(&mut *writer, transaction).await.unwrap();

    // A sync's removal of the transaction waits for it ...
    let removal = blocked_delete(
        &db,
        "delete from bank_transaction where transaction_id = $1",
        transaction,
    )
    .await;

    // ... and, once the split is committed, deletes it with the transaction.
    writer.commit().await.unwrap();
    assert_eq!(removal.await.unwrap().unwrap(), 1);
    assert_eq!(referrers(&db, transaction).await, 0);

    // The other way round: the removal went first; the split is refused when it commits.
    let (_, (transaction, _, _)) = linked_transaction(&app, "bob").await;
    let mut remover = db.begin().await.unwrap();
    sqlx::query("delete from bank_transaction where transaction_id = $1")
        .bind(transaction)
        .execute(&mut *remover)
        .await
        .unwrap();
    let write = blocked(&db, |mut writer| async move {
        split(&mut *writer, transaction).await
    })
    .await;
    remover.commit().await.unwrap();
    refused(write.await.unwrap(), NO_TRANSACTION);
    assert_eq!(referrers(&db, transaction).await, 0);
}
