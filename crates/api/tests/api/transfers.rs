//! Transfers between a person's own accounts, against the simulator over HTTP: the sync pairs
//! the savings transfers, card payments and loan payments of `user_good` and nothing else, the
//! pairs are left out of spending, an unpaired pair and a hand pair survive later syncs, a
//! removed side unpairs the other, and a hand pair is checked.

use crate::api_calls::{create_item_request, decoded, named_fields, Person};
use crate::helpers::{spawn_app_with, TestApp};
use crate::labels_sync::sync_now;
use crate::simulator_support::advance_clock;
use crate::transaction_edits::plaid_category;
use chrono::{Datelike, NaiveDate};
use reqwest::{Response, StatusCode};
use rust_decimal::Decimal;
use sqlx::PgPool;
use tally_shared::api::insights::Spending;
use tally_shared::api::items::Item;
use tally_shared::api::transactions::{
    Transaction, TransactionDetail, TransactionEdit, TransferPairing,
};
use tally_shared::ids::TransactionId;
use tally_shared::{ApiError, ErrorCode};
use uuid::Uuid;

/// Another bank of the simulator's, where `user_good` has the same accounts.
const SECOND_BANK: &str = "ins_109509";

async fn app(db: &PgPool) -> TestApp {
    spawn_app_with(db.clone(), &[("SYNC_RETRY_BASE", "50ms")]).await
}

/// Alice with `user_good` linked and synced, and her transfers to savings (out, into).
async fn alice_with_savings(db: &PgPool) -> (TestApp, Person, Item, Vec<(Uuid, Uuid)>) {
    let app = app(db).await;
    let alice = app.sign_up("alice").await;
    let item = app.link_bank(&alice.client, "user_good").await;
    let savings = expected_pairs(
        db,
        alice.user_id,
        "Transfer to Savings",
        "Transfer from Checking",
    )
    .await;
    (app, alice, item, savings)
}

/// Each of the user's posted transactions named `out_name` with the id of its partner named
/// `in_name` in another account of the same bank: same day, opposite amount (what the simulator
/// books together).
async fn expected_pairs(
    db: &PgPool,
    user_id: Uuid,
    out_name: &str,
    in_name: &str,
) -> Vec<(Uuid, Uuid)> {
    sqlx::query_as(
        "select o.transaction_id, i.transaction_id
         from bank_transaction o
         join bank_transaction i on i.item_id = o.item_id and i.name = $3 and not i.pending
                                and i.date = o.date and i.amount = -o.amount
                                and i.account_id <> o.account_id
         where o.user_id = $1 and o.name = $2 and not o.pending
         order by o.date",
    )
    .bind(user_id)
    .bind(out_name)
    .bind(in_name)
    .fetch_all(db)
    .await
    .unwrap()
}

/// Every pair as stored: (transaction, partner) for each side.
async fn stored_pairs(db: &PgPool, user_id: Uuid) -> Vec<(Uuid, Uuid)> {
    sqlx::query_as(
        "select transaction_id, transfer_pair_id from bank_transaction
         where user_id = $1 and transfer_pair_id is not null
         order by transaction_id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
    .unwrap()
}

async fn detail(app: &TestApp, person: &Person, id: Uuid) -> Transaction {
    let response = app.transaction_detail(&person.client, id).await;
    decoded::<TransactionDetail>(response, StatusCode::OK)
        .await
        .transaction
}

pub(crate) async fn pair(
    app: &TestApp,
    person: &Person,
    id: impl std::fmt::Display,
    other: Uuid,
) -> Response {
    person
        .client
        .post(app.url(&format!("/api/transactions/{id}/transfer")))
        .json(&TransferPairing {
            other_id: TransactionId(other),
        })
        .send()
        .await
        .unwrap()
}

async fn unpair(app: &TestApp, person: &Person, id: impl std::fmt::Display) -> Response {
    app.delete(&person.client, &format!("/api/transactions/{id}/transfer"))
        .await
}

/// Refreshes the item and waits for the sync.
async fn refresh(app: &TestApp, person: &Person, item: &Item) -> Item {
    let item = app.item(&person.client, item.id).await;
    let response = app.refresh_item(&person.client, item.id).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    app.wait_for_sync(&person.client, &item, item.last_synced_at)
        .await
}

/// The person's spending total over the whole history, in USD, from the API.
async fn spent(app: &TestApp, person: &Person) -> Decimal {
    let spending: Spending = app
        .get_json(
            &person.client,
            "/api/insights/spending?from=2020-01-01&to=2030-12-31",
        )
        .await;
    spending
        .currencies
        .iter()
        .find(|c| c.currency == "USD")
        .map_or(Decimal::ZERO, |c| c.total)
}

/// The same total, row by row: posted, not hidden, not split (none are here), money out in a
/// category the person counts as spending, and, when `without_pairs`, not a side of a pair.
async fn spent_by_rows(db: &PgPool, user_id: Uuid, without_pairs: bool) -> Decimal {
    sqlx::query_scalar(
        "select coalesce(sum(t.amount), 0)
         from bank_transaction t
         join category c on c.category_id = coalesce(t.user_category_id, t.rule_category_id,
                                                     t.plaid_category_id)
         left join category_override o on o.category_id = c.category_id and o.user_id = t.user_id
         where t.user_id = $1 and not t.pending and t.amount > 0
           and not coalesce(t.user_hidden, t.rule_hidden, false)
           and coalesce(o.kind, c.kind) = 'spending'
           and coalesce(t.iso_currency_code, t.unofficial_currency_code) = 'USD'
           and not ($2 and t.transfer_pair_id is not null)",
    )
    .bind(user_id)
    .bind(without_pairs)
    .fetch_one(db)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn transfers_between_my_accounts_are_paired_and_left_out_of_spending(db: PgPool) {
    let (app, alice, _, savings) = alice_with_savings(&db).await;
    let card = expected_pairs(
        &db,
        alice.user_id,
        "CREDIT CARD 3333 PAYMENT *//",
        "AUTOMATIC PAYMENT - THANK",
    )
    .await;
    let loan = expected_pairs(
        &db,
        alice.user_id,
        "SALLIE MAE LOAN PMT",
        "PAYMENT RECEIVED - THANK YOU",
    )
    .await;
    let mortgage = expected_pairs(
        &db,
        alice.user_id,
        "MORTGAGE PMT PLAID HOME LOANS",
        "PAYMENT RECEIVED - THANK YOU",
    )
    .await;
    assert!(
        savings.len() >= 3 && card.len() >= 3 && loan.len() >= 3,
        "{savings:?} {card:?} {loan:?}"
    );
    let mut expected: Vec<(Uuid, Uuid)> = [&savings, &card, &loan, &mortgage]
        .into_iter()
        .flatten()
        .flat_map(|&(out, into)| [(out, into), (into, out)])
        .collect();
    expected.sort();
    // Exactly those, both sides naming each other: no purchase, refund or ATM withdrawal is
    // taken for a transfer, and no pending one is paired.
    assert_eq!(stored_pairs(&db, alice.user_id).await, expected);

    // The API says who the partner is, and in which account.
    let (out, into) = savings[0];
    let shown = detail(&app, &alice, out).await;
    assert_eq!(shown.transfer_pair_id, Some(TransactionId(into)));
    let partner = detail(&app, &alice, into).await;
    assert_eq!(partner.transfer_pair_id, Some(TransactionId(out)));
    assert_eq!(
        shown.transfer_account_name.as_deref(),
        Some(partner.account_name.as_str())
    );
    assert_ne!(shown.account_name, partner.account_name);

    // A card payment the person files under groceries is still a transfer: not spending.
    let groceries = plaid_category(&app, &alice.client, "FOOD_AND_DRINK_GROCERIES").await;
    let (payment, _) = card[0];
    let edit = TransactionEdit {
        category_id: Some(Some(groceries.id)),
        ..TransactionEdit::default()
    };
    let edited = app.edited(&alice.client, payment, &edit).await;
    let total = spent(&app, &alice).await;
    assert_eq!(total, spent_by_rows(&db, alice.user_id, true).await);
    assert_eq!(
        total + edited.transaction.amount,
        spent_by_rows(&db, alice.user_id, false).await,
        "the pair would count without its exclusion"
    );
    // Unpaired, it counts.
    assert_eq!(unpair(&app, &alice, payment).await.status(), StatusCode::OK);
    assert_eq!(spent(&app, &alice).await, total + edited.transaction.amount);
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_unpaired_pair_stays_unpaired_and_a_hand_pair_stays_through_syncs(db: PgPool) {
    let (app, alice, item, savings) = alice_with_savings(&db).await;
    let (out, into) = savings[0];

    let response = unpair(&app, &alice, into).await;
    let unpaired: Transaction = decoded(response, StatusCode::OK).await;
    assert_eq!(unpaired.transfer_pair_id, None);
    assert_eq!(unpaired.transfer_account_name, None);
    assert_eq!(detail(&app, &alice, out).await.transfer_pair_id, None);
    // Unpairing what is not paired changes nothing.
    let again: Transaction = decoded(unpair(&app, &alice, into).await, StatusCode::OK).await;
    assert_eq!(again.transfer_pair_id, None);

    // By hand: money out of checking (an ATM withdrawal) and money into the card (a refund).
    let (cash, refund): (Uuid, Uuid) = sqlx::query_as(
        "select o.transaction_id, i.transaction_id
         from bank_transaction o, bank_transaction i
         where o.user_id = $1 and i.user_id = $1 and not o.pending and not i.pending
           and o.name like 'ATM WITHDRAWAL%' and i.amount < 0 and i.transfer_pair_id is null
           and i.account_id <> o.account_id and i.name not like 'Transfer%'
           and i.iso_currency_code = o.iso_currency_code
         order by o.date, i.date limit 1",
    )
    .bind(alice.user_id)
    .fetch_one(&db)
    .await
    .unwrap();
    let response = pair(&app, &alice, cash, refund).await;
    let paired: Transaction = decoded(response, StatusCode::OK).await;
    assert_eq!(paired.transfer_pair_id, Some(TransactionId(refund)));
    assert_eq!(
        detail(&app, &alice, refund).await.transfer_pair_id,
        Some(TransactionId(cash))
    );

    let before = stored_pairs(&db, alice.user_id).await;
    let item = refresh(&app, &alice, &item).await;
    sync_now(&app, &item).await;
    assert_eq!(
        detail(&app, &alice, out).await.transfer_pair_id,
        None,
        "unpaired stays unpaired"
    );
    assert_eq!(
        detail(&app, &alice, cash).await.transfer_pair_id,
        Some(TransactionId(refund))
    );
    assert_eq!(stored_pairs(&db, alice.user_id).await, before);

    // The person changes their mind: paired by hand again, it stays too.
    let response = pair(&app, &alice, out, into).await;
    assert_eq!(
        decoded::<Transaction>(response, StatusCode::OK)
            .await
            .transfer_pair_id,
        Some(TransactionId(into))
    );
    sync_now(&app, &item).await;
    assert_eq!(
        detail(&app, &alice, into).await.transfer_pair_id,
        Some(TransactionId(out))
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_removed_side_unpairs_its_partner_and_a_new_one_pairs_again(db: PgPool) {
    let (app, alice, item, savings) = alice_with_savings(&db).await;
    let (out, into) = savings[0];
    let plaid_into: String = sqlx::query_scalar(
        "select plaid_transaction_id from bank_transaction where transaction_id = $1",
    )
    .bind(into)
    .fetch_one(&db)
    .await
    .unwrap();

    // The bank withdraws the deposit into savings...
    sqlx::query(
        "update plaid_sim.transaction set removed = true, seq = nextval('plaid_sim.change_seq')
         where transaction_id = $1",
    )
    .bind(&plaid_into)
    .execute(&db)
    .await
    .unwrap();
    sync_now(&app, &item).await;
    assert_eq!(detail(&app, &alice, out).await.transfer_pair_id, None);

    // ...and books it again under a new id: the transfer is whole again.
    sqlx::query(
        "with change as (select nextval('plaid_sim.change_seq') as seq)
         insert into plaid_sim.transaction (transaction_id, item_id, account_id, date, pending,
                                            removed, body, added_seq, seq)
         select transaction_id || '-again', item_id, account_id, date, pending, false,
                body || jsonb_build_object('transaction_id', transaction_id || '-again'),
                change.seq, change.seq
         from plaid_sim.transaction, change where transaction_id = $1",
    )
    .bind(&plaid_into)
    .execute(&db)
    .await
    .unwrap();
    sync_now(&app, &item).await;
    let again: Uuid = sqlx::query_scalar(
        "select transaction_id from bank_transaction where plaid_transaction_id = $1 || '-again'",
    )
    .bind(&plaid_into)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        detail(&app, &alice, out).await.transfer_pair_id,
        Some(TransactionId(again))
    );
}

async fn refused(response: Response, status: StatusCode) -> ApiError {
    decoded(response, status).await
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_hand_pair_is_two_sides_of_one_transfer_of_mine(db: PgPool) {
    let (app, alice, _, savings) = alice_with_savings(&db).await;
    let bob = app.sign_up("bob").await;
    app.link_bank(&bob.client, "user_good").await;
    let (out, into) = savings[0];
    let (other_out, _) = savings[1];
    let one_of = |name: &'static str, pending: bool| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>(
                "select transaction_id from bank_transaction
                 where user_id = $1 and name like $2 and pending = $3 and transfer_pair_id is null
                 order by date limit 1",
            )
            .bind(alice.user_id)
            .bind(name)
            .bind(pending)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let atm = one_of("ATM WITHDRAWAL%", false).await;
    let atm_fee = one_of("NON-NETWORK ATM FEE", false).await;
    let interest = one_of("INTRST PYMNT", false).await;
    // Money out of an account other than the ATM's, and a pending one outside savings.
    let elsewhere = |sql: &'static str, of: Uuid| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>(sql)
                .bind(alice.user_id)
                .bind(of)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let spent_elsewhere = elsewhere(
        "select transaction_id from bank_transaction
         where user_id = $1 and not pending and amount > 0
           and account_id <> (select account_id from bank_transaction where transaction_id = $2)
         limit 1",
        atm,
    )
    .await;
    let pending = elsewhere(
        "select transaction_id from bank_transaction
         where user_id = $1 and pending and amount > 0
           and account_id <> (select account_id from bank_transaction where transaction_id = $2)
         limit 1",
        interest,
    )
    .await;

    // Not two sides of one transfer: 422, naming `other_id`.
    for (one, other, why) in [
        (atm, atm, "itself"),
        (atm, atm_fee, "same account"),
        (atm, spent_elsewhere, "same sign"),
        (interest, pending, "pending"),
    ] {
        let error = refused(
            pair(&app, &alice, one, other).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error.code, ErrorCode::Validation, "{why}");
        assert_eq!(named_fields(&error), ["other_id"], "{why}");
    }
    // Already the partner of another: 409, whichever side.
    let error = refused(pair(&app, &alice, atm, into).await, StatusCode::CONFLICT).await;
    assert_eq!(error.code, ErrorCode::Conflict);
    refused(pair(&app, &alice, into, atm).await, StatusCode::CONFLICT).await;
    // Already each other's: the pair becomes the person's.
    let response = pair(&app, &alice, into, out).await;
    assert_eq!(
        decoded::<Transaction>(response, StatusCode::OK)
            .await
            .transfer_pair_id,
        Some(TransactionId(out))
    );
    let chosen: i64 = sqlx::query_scalar("select count(*) from transfer_choice where paired")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(chosen, 1);

    // Another person's transactions are not there: 404, in the address or the body.
    let bobs: Uuid = sqlx::query_scalar(
        "select transaction_id from bank_transaction where user_id = $1 and not pending
         and amount < 0 limit 1",
    )
    .bind(bob.user_id)
    .fetch_one(&db)
    .await
    .unwrap();
    let error = refused(pair(&app, &alice, atm, bobs).await, StatusCode::NOT_FOUND).await;
    assert_eq!(error.code, ErrorCode::NotFound);
    refused(pair(&app, &alice, bobs, atm).await, StatusCode::NOT_FOUND).await;
    refused(unpair(&app, &alice, bobs).await, StatusCode::NOT_FOUND).await;
    refused(unpair(&app, &bob, out).await, StatusCode::NOT_FOUND).await;
    refused(
        pair(&app, &alice, Uuid::new_v4(), atm).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // A malformed id or body: the one error shape.
    refused(
        pair(&app, &alice, "not-an-id", atm).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let response = alice
        .client
        .post(app.url(&format!("/api/transactions/{atm}/transfer")))
        .json(&serde_json::json!({"other": atm}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert!(status.is_client_error(), "{status}");
    decoded::<ApiError>(response, status).await;
    // Nothing of the refused requests was written.
    assert_eq!(detail(&app, &alice, atm).await.transfer_pair_id, None);
    assert!(detail(&app, &alice, other_out)
        .await
        .transfer_pair_id
        .is_some());
}

/// The user's transfers to savings dated `date` or the day after (a pending transaction posts
/// the next day): (id, pending, partner).
async fn transfers_on(
    db: &PgPool,
    user_id: Uuid,
    date: NaiveDate,
) -> Vec<(Uuid, bool, Option<Uuid>)> {
    sqlx::query_as(
        "select transaction_id, pending, transfer_pair_id from bank_transaction
         where user_id = $1 and date between $2 and $2 + 1 and name = 'Transfer to Savings'",
    )
    .bind(user_id)
    .bind(date)
    .fetch_all(db)
    .await
    .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_pending_transfer_is_not_paired_and_the_posted_one_replacing_it_is(db: PgPool) {
    let (app, alice, item, _) = alice_with_savings(&db).await;
    // The bank's next 3rd of the month, when checking moves money to savings.
    let today: NaiveDate = sqlx::query_scalar(
        "select (now() at time zone 'utc')::date + offset_days from plaid_sim.clock",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    let third = (1..=31)
        .map(|days| today + chrono::Days::new(days))
        .find(|day| day.day() == 3)
        .unwrap();
    let days = u32::try_from((third - today).num_days()).unwrap();

    // The clock's own webhook can look like a replay of the link's, so say it again.
    advance_clock(&app, days).await;
    sync_now(&app, &item).await;
    let pending = transfers_on(&db, alice.user_id, third).await;
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert!(pending[0].1, "still pending on its day");
    assert_eq!(pending[0].2, None, "a pending transfer is not paired");

    advance_clock(&app, 3).await;
    sync_now(&app, &item).await;
    let posted = transfers_on(&db, alice.user_id, third).await;
    assert_eq!(posted.len(), 1, "{posted:?}");
    let (id, still_pending, partner) = posted[0];
    assert!(!still_pending);
    let partner = partner.expect("the posted transfer is paired");
    let other = detail(&app, &alice, partner).await;
    assert_eq!(other.name, "Transfer from Checking");
    assert!(!other.pending);
    assert_eq!(other.transfer_pair_id, Some(TransactionId(id)));
}

#[sqlx::test(migrations = "../../migrations")]
async fn with_two_banks_booking_the_same_transfers_each_pairs_once_within_its_bank(db: PgPool) {
    let (app, alice, first, _) = alice_with_savings(&db).await;
    let token = app.public_token(SECOND_BANK, "user_good").await;
    let response = app
        .create_item(&alice.client, &create_item_request(&token, SECOND_BANK))
        .await;
    let second: Item = decoded(response, StatusCode::CREATED).await;
    app.wait_for_sync(&alice.client, &second, None).await;

    // Both banks move 500.00 to savings every 3rd: each checking transfer has two candidates
    // (its own bank's savings and the other's), the same days apart. Made again at once, the
    // pairs are each bank's own (the closest, then the earlier stored), each transaction once.
    sqlx::query("update bank_transaction set transfer_pair_id = null")
        .execute(&db)
        .await
        .unwrap();
    sync_now(&app, &first).await;
    let savings = expected_pairs(
        &db,
        alice.user_id,
        "Transfer to Savings",
        "Transfer from Checking",
    )
    .await;
    let banks: i64 = sqlx::query_scalar(
        "select count(distinct item_id) from bank_transaction
         where transaction_id = any($1)",
    )
    .bind(savings.iter().map(|p| p.0).collect::<Vec<_>>())
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(banks, 2);
    let stored = stored_pairs(&db, alice.user_id).await;
    for (out, into) in savings {
        assert!(stored.contains(&(out, into)) && stored.contains(&(into, out)));
    }
    let crossing: i64 = sqlx::query_scalar(
        "select count(*) from bank_transaction t
         join bank_transaction p on p.transaction_id = t.transfer_pair_id
         where p.item_id <> t.item_id or p.transfer_pair_id <> t.transaction_id",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(crossing, 0);
}

/// The bank changes the amount of one of its transactions, as a correction does.
async fn bank_changes_amount(db: &PgPool, id: Uuid, by: Decimal) {
    sqlx::query(
        "update plaid_sim.transaction
         set body = body || jsonb_build_object('amount', (body->>'amount')::numeric + $2),
             seq = nextval('plaid_sim.change_seq')
         where transaction_id = (select plaid_transaction_id from bank_transaction
                                 where transaction_id = $1)",
    )
    .bind(id)
    .bind(by)
    .execute(db)
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_bank_change_that_breaks_a_pair_undoes_it_but_not_a_hand_pair(db: PgPool) {
    let (app, alice, item, savings) = alice_with_savings(&db).await;
    let (out, into) = savings[0];
    let (hand_out, hand_into) = savings[1];
    // The person confirms the second pair by hand.
    let response = pair(&app, &alice, hand_out, hand_into).await;
    assert_eq!(response.status(), StatusCode::OK);

    bank_changes_amount(&db, into, Decimal::ONE).await;
    bank_changes_amount(&db, hand_into, Decimal::ONE).await;
    sync_now(&app, &item).await;

    assert_eq!(detail(&app, &alice, into).await.transfer_pair_id, None);
    assert_eq!(detail(&app, &alice, out).await.transfer_pair_id, None);
    assert_eq!(
        detail(&app, &alice, hand_into).await.transfer_pair_id,
        Some(TransactionId(hand_out))
    );
}
