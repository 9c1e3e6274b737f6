//! Recurring streams against the simulator: stored after linking as its history holds them,
//! the person's decisions kept through every refresh and webhook, a price rise flagged and
//! announced once, a late payment flagged, Tally's own detector where Plaid refuses the
//! product, and the API's refusals.

use crate::api_calls::create_item_request;
use crate::api_calls::{decoded, named_fields, new_category};
use crate::banking_support::{plaid_item_id, send_webhook, FIRST_PLATYPUS};
use crate::helpers::{spawn_app_with, TestApp};
use crate::new_accounts::plaid_access;
use crate::simulator_support::{advance_clock, correct_amount, inject_fault, plaid};
use crate::ws::{connect, next_event_within, register, QUIET};
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use reqwest::{Client, Response, StatusCode};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::Duration;
use tally_shared::api::categories::Category;
use tally_shared::api::items::{Item, ItemStatus};
use tally_shared::api::recurring::{
    Direction, Frequency, RecurringList, RecurringStream, StreamFlag, StreamSource, StreamState,
    StreamStatus,
};
use tally_shared::ids::{CategoryId, ItemId, RecurringStreamId};
use tally_shared::ws::ServerEvent;
use tally_shared::ApiError;

const SALARY: &str = "ACH Electronic CreditGUSTO PAY 123456";
const MORTGAGE: &str = "MORTGAGE PMT PLAID HOME LOANS";
const RENT: &str = "PARKVIEW APTS RENT ACH";
const NETFLIX: &str = "NETFLIX.COM";
const SPOTIFY: &str = "Spotify USA";

async fn app(db: &PgPool) -> TestApp {
    spawn_app_with(db.clone(), &[("SYNC_RETRY_BASE", "50ms")]).await
}

impl TestApp {
    /// `GET /api/recurring`.
    async fn recurring(&self, client: &Client) -> Vec<RecurringStream> {
        let list: RecurringList = self.get_json(client, "/api/recurring").await;
        list.streams
    }

    /// `PATCH /api/recurring/{id}` with any body.
    async fn patch_recurring(
        &self,
        client: &Client,
        id: impl std::fmt::Display,
        body: Value,
    ) -> Response {
        client
            .patch(self.url(&format!("/api/recurring/{id}")))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn decide(&self, client: &Client, id: RecurringStreamId, body: Value) -> RecurringStream {
        decoded(self.patch_recurring(client, id, body).await, StatusCode::OK).await
    }
}

/// Waits (up to a minute: waiting, not a speed check) until every refresh of the item's
/// streams asked for since `since` has run, and returns the person's streams.
async fn refreshed_since(
    app: &TestApp,
    client: &Client,
    item: ItemId,
    since: DateTime<Utc>,
) -> Vec<RecurringStream> {
    for _ in 0..600 {
        let settled: Option<bool> = sqlx::query_scalar(
            // Not taken yet (`taken_at` null) is not settled either.
            "select coalesce(taken_at >= $2 and taken_at >= wanted_at and lease_until is null,
                             false)
             from recurring_refresh where item_id = $1",
        )
        .bind(item.0)
        .bind(since)
        .fetch_optional(&app.db)
        .await
        .unwrap();
        let syncing: i64 = sqlx::query_scalar(
            "select count(*) from sync_job where item_id = $1 and state in ('queued', 'running')",
        )
        .bind(item.0)
        .fetch_one(&app.db)
        .await
        .unwrap();
        if settled == Some(true) && syncing == 0 {
            return app.recurring(client).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the item's recurring streams were never refreshed");
}

/// Plaid (the simulator's sandbox) tells Tally that the item's streams changed; returns once
/// Tally has refreshed them.
async fn recurring_update(app: &TestApp, client: &Client, item: &Item) -> Vec<RecurringStream> {
    let since = Utc::now();
    plaid(app)
        .sandbox_item_fire_webhook(
            &plaid_access(&app.db, item).await,
            "RECURRING_TRANSACTIONS_UPDATE",
            None,
        )
        .await
        .unwrap();
    refreshed_since(app, client, item.id, since).await
}

/// Links First Platypus Bank as the simulator's `sandbox_user` and waits for its streams.
async fn linked(
    app: &TestApp,
    client: &Client,
    sandbox_user: &str,
) -> (Item, Vec<RecurringStream>) {
    let since = Utc::now();
    let item = app.link_bank(client, sandbox_user).await;
    let streams = refreshed_since(app, client, item.id, since).await;
    (item, streams)
}

/// The stream whose bank description is `description`.
fn stream<'a>(streams: &'a [RecurringStream], description: &str) -> &'a RecurringStream {
    streams
        .iter()
        .find(|s| s.description == description)
        .unwrap_or_else(|| panic!("no stream {description:?} among {streams:#?}"))
}

/// The bank's posted transactions named `name` on the item within the 400 days its streams
/// look back, oldest first, as (Plaid id, date, amount).
async fn bank_history(
    db: &PgPool,
    plaid_item: &str,
    name: &str,
) -> Vec<(String, NaiveDate, Decimal)> {
    sqlx::query_as(
        "select transaction_id, date, (body->>'amount')::numeric from plaid_sim.transaction
         where item_id = $1 and body->>'name' = $2 and not pending and not removed
           and date >= (now() at time zone 'utc')::date
                       + (select offset_days from plaid_sim.clock) - 400
         order by date",
    )
    .bind(plaid_item)
    .bind(name)
    .fetch_all(db)
    .await
    .unwrap()
}

/// Plaid's ids of a stream's transactions, in the stream's order.
async fn plaid_ids(db: &PgPool, stream: &RecurringStream) -> Vec<String> {
    let ids: Vec<uuid::Uuid> = stream.transaction_ids.iter().map(|id| id.0).collect();
    sqlx::query_scalar(
        "select b.plaid_transaction_id
         from unnest($1::uuid[]) with ordinality as s(id, n)
         join bank_transaction b on b.transaction_id = s.id order by s.n",
    )
    .bind(&ids)
    .fetch_all(db)
    .await
    .unwrap()
}

/// Checks a stream against the bank's history of its description, by hand: every posted
/// occurrence, their dates, the average and last amounts, and the next date.
async fn assert_matches_history(
    db: &PgPool,
    plaid_item: &str,
    stream: &RecurringStream,
    next_date: impl Fn(NaiveDate) -> NaiveDate,
) {
    let history = bank_history(db, plaid_item, &stream.description).await;
    assert!(history.len() >= 3, "{history:?}");
    let (first, last) = (&history[0], &history[history.len() - 1]);
    assert_eq!(
        plaid_ids(db, stream).await,
        history.iter().map(|h| h.0.clone()).collect::<Vec<_>>()
    );
    assert_eq!((stream.first_date, stream.last_date), (first.1, last.1));
    let total: Decimal = history.iter().map(|h| h.2).sum();
    let average = (total / Decimal::from(history.len())).round_dp(2).abs();
    assert_eq!(stream.average_amount, average, "{}", stream.description);
    assert_eq!(stream.last_amount, last.2.abs());
    assert_eq!(stream.next_date, Some(next_date(last.1)));
}

fn month_after(date: NaiveDate) -> NaiveDate {
    date.checked_add_months(Months::new(1)).unwrap()
}

#[sqlx::test]
async fn streams_are_stored_after_linking_as_the_bank_history_holds_them(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    let (item, streams) = linked(&app, &alice, "user_good").await;
    let plaid_item = plaid_item_id(&db, &item).await;
    assert!(streams
        .iter()
        .all(|s| s.source == StreamSource::Plaid && s.state == StreamState::Suggested));

    // Salary: 2,850.00 in on the 1st and the 15th.
    let salary = stream(&streams, SALARY);
    assert_eq!(
        (salary.direction, salary.frequency),
        (Direction::Inflow, Frequency::SemiMonthly)
    );
    assert_eq!(salary.name, "Gusto");
    assert_eq!(salary.last_amount, Decimal::new(285_000, 2));
    assert_eq!(salary.monthly_amount, Decimal::new(570_000, 2));
    assert_matches_history(&db, &plaid_item, salary, |last| {
        if last.day() == 1 {
            last.with_day(15).unwrap()
        } else {
            month_after(last).with_day(1).unwrap()
        }
    })
    .await;

    // user_good has a mortgage: 1,450.00 out on the 1st, not rent.
    let mortgage = stream(&streams, MORTGAGE);
    assert_eq!(
        (mortgage.direction, mortgage.frequency),
        (Direction::Outflow, Frequency::Monthly)
    );
    assert_eq!(mortgage.last_amount, Decimal::new(145_000, 2));
    assert_matches_history(&db, &plaid_item, mortgage, month_after).await;
    assert!(!streams.iter().any(|s| s.description == RENT));

    // A subscription, named by its merchant, in its transactions' category.
    let netflix = stream(&streams, NETFLIX);
    assert_eq!(
        (netflix.name.as_str(), netflix.frequency),
        ("Netflix", Frequency::Monthly)
    );
    assert_eq!(netflix.average_amount, Decimal::new(1549, 2));
    assert_eq!(
        netflix.category_name.as_deref(),
        Some("TV and movies"),
        "{netflix:?}"
    );
    assert_matches_history(&db, &plaid_item, netflix, month_after).await;

    // A utility bill that varies: its average is the bank's average.
    let pge = stream(&streams, "PGANDE WEB ONLINE");
    assert_matches_history(&db, &plaid_item, pge, month_after).await;
    for bill in [
        "VERIZON WIRELESS PMT",
        "COMCAST CABLE COMM",
        SPOTIFY,
        "APPLE.COM/BILL",
    ] {
        assert_eq!(
            stream(&streams, bill).frequency,
            Frequency::Monthly,
            "{bill}"
        );
    }
    // Nothing is flagged in a steady history.
    assert!(streams.iter().all(|s| s.flags.is_empty()), "{streams:#?}");
}

#[sqlx::test]
async fn a_custom_users_streams_follow_its_accounts(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    // A renter with a checking account and a card, and 120 days of history.
    let config = json!({
        "history_days": 120,
        "accounts": [
            { "type": "depository", "subtype": "checking", "balance": "2400.00" },
            { "type": "credit", "subtype": "credit card", "balance": "310.00", "limit": "5000" },
        ],
    });
    let token = app
        .public_token_as(FIRST_PLATYPUS, "user_custom", &config.to_string())
        .await;
    let since = Utc::now();
    let item: Item = decoded(
        app.create_item(&alice, &create_item_request(&token, FIRST_PLATYPUS))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let streams = refreshed_since(&app, &alice, item.id, since).await;
    let plaid_item = plaid_item_id(&db, &item).await;

    let rent = stream(&streams, RENT);
    assert_eq!(
        (rent.direction, rent.frequency, rent.last_amount),
        (
            Direction::Outflow,
            Frequency::Monthly,
            Decimal::new(185_000, 2)
        )
    );
    assert_matches_history(&db, &plaid_item, rent, month_after).await;
    assert!(!streams.iter().any(|s| s.description == MORTGAGE));
    // Subscriptions are charged to the card, bills and pay go through checking.
    let card = stream(&streams, NETFLIX).account_id;
    let checking = stream(&streams, SALARY).account_id;
    assert_ne!(card, checking);
    assert_eq!(stream(&streams, SPOTIFY).account_id, card);
    assert_eq!(
        stream(&streams, "VERIZON WIRELESS PMT").account_id,
        checking
    );
    assert_eq!(stream(&streams, RENT).account_id, checking);
}

#[sqlx::test]
async fn decisions_survive_every_refresh_sync_and_webhook(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    let (item, streams) = linked(&app, &alice, "user_good").await;
    let netflix = stream(&streams, NETFLIX).clone();
    let spotify = stream(&streams, SPOTIFY).clone();
    let categories = app.categories(&alice).await;
    let music: CategoryId = categories
        .categories
        .iter()
        .find(|c| c.plaid_code.as_deref() == Some("ENTERTAINMENT_MUSIC_AND_AUDIO"))
        .map(|c| c.id)
        .unwrap();

    let dismissed = app
        .decide(&alice, netflix.id, json!({ "state": "dismissed" }))
        .await;
    assert_eq!(dismissed.state, StreamState::Dismissed);
    let confirmed = app
        .decide(
            &alice,
            spotify.id,
            json!({ "state": "confirmed", "name": "  Music  ", "category_id": music }),
        )
        .await;
    assert_eq!(
        (confirmed.state, confirmed.name.as_str()),
        (StreamState::Confirmed, "Music")
    );
    assert_eq!(confirmed.category_id, Some(music));

    // Plaid says the streams changed, then a month of the bank's days passes (new charges,
    // a sync, and Plaid's streams move on).
    recurring_update(&app, &alice, &item).await;
    let since = Utc::now();
    advance_clock(&app, 35).await;
    let after = refreshed_since(&app, &alice, item.id, since).await;

    let netflix_after = stream(&after, NETFLIX);
    assert!(
        netflix_after.last_date > netflix.last_date,
        "the stream moved on: {netflix_after:?}"
    );
    assert_eq!(netflix_after.id, netflix.id);
    assert_eq!(netflix_after.state, StreamState::Dismissed);
    let spotify_after = stream(&after, SPOTIFY);
    assert!(spotify_after.last_date > spotify.last_date);
    assert_eq!(
        (
            spotify_after.state,
            spotify_after.name.as_str(),
            spotify_after.category_id
        ),
        (StreamState::Confirmed, "Music", Some(music))
    );
    // The others are still suggestions; none was added twice.
    assert_eq!(after.len(), streams.len());
    assert_eq!(stream(&after, SALARY).state, StreamState::Suggested);

    // An empty name gives the merchant's back; the category stays the person's.
    let renamed = app.decide(&alice, spotify.id, json!({ "name": "" })).await;
    assert_eq!(
        (renamed.name.as_str(), renamed.category_id),
        ("Spotify", Some(music))
    );

    // The person's own category, in use by the stream, is deleted only with somewhere to go.
    let own: Category = decoded(
        app.create_category(&alice, &new_category("Streaming", None, "spending"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    // `null` gives it back the category of its last transaction.
    let chosen = app
        .decide(&alice, spotify.id, json!({ "category_id": own.id }))
        .await;
    assert_eq!(chosen.category_id, Some(own.id));
    let cleared = app
        .decide(&alice, spotify.id, json!({ "category_id": null }))
        .await;
    assert_eq!(cleared.category_id, Some(music));
    app.decide(&alice, spotify.id, json!({ "category_id": own.id }))
        .await;
    let refused = app.delete_category(&alice, own.id, None).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let deleted = app.delete_category(&alice, own.id, Some(&music)).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        stream(&app.recurring(&alice).await, SPOTIFY).category_id,
        Some(music)
    );
}

#[sqlx::test]
async fn a_price_rise_is_flagged_and_announced_once(db: PgPool) {
    let app = app(&db).await;
    let alice = register(&app, "alice").await;
    let (item, streams) = linked(&app, &alice.tab, "user_good").await;
    let plaid_item = plaid_item_id(&db, &item).await;
    let netflix = stream(&streams, NETFLIX).clone();
    let mut socket = connect(&app, &alice).await;

    // The bank's last Netflix charge becomes 17.99 (from 15.49: 16% more).
    let history = bank_history(&db, &plaid_item, NETFLIX).await;
    let last = history.last().unwrap();
    let since = Utc::now();
    correct_amount(&app, &plaid_item, &last.0, "17.99").await;
    let after = refreshed_since(&app, &alice.tab, item.id, since).await;
    let flagged: Vec<&RecurringStream> = after
        .iter()
        .filter(|s| s.flags.contains(&StreamFlag::PriceChanged))
        .collect();
    assert_eq!(flagged.len(), 1, "{after:#?}");
    assert_eq!(
        (flagged[0].id, flagged[0].last_amount),
        (netflix.id, Decimal::new(1799, 2))
    );

    // Told once, then again at no later refresh.
    recurring_update(&app, &alice.tab, &item).await;
    let mut announced = Vec::new();
    while let Some(event) = next_event_within(&mut socket, QUIET).await {
        if let ServerEvent::RecurringPriceChanged { .. } = event {
            announced.push(event);
        }
    }
    assert_eq!(
        announced,
        vec![ServerEvent::RecurringPriceChanged {
            stream_id: netflix.id,
            name: "Netflix".to_owned(),
            previous_amount: Decimal::new(1549, 2),
            last_amount: Decimal::new(1799, 2),
            currency: "USD".to_owned(),
        }]
    );
    let remembered: i64 = sqlx::query_scalar(
        "select count(*) from recurring_stream
         where announced_price_amount = 17.99 and recurring_stream_id = $1",
    )
    .bind(netflix.id.0)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(remembered, 1, "remembered in the database, across restarts");
}

#[sqlx::test]
async fn a_payment_that_does_not_come_is_flagged_late(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    let (item, streams) = linked(&app, &alice, "user_good").await;
    let plaid_item = plaid_item_id(&db, &item).await;
    assert!(
        streams.iter().all(|s| !s.flags.contains(&StreamFlag::Late)),
        "{streams:#?}"
    );

    // A monthly bill whose last charge was 8–14 days ago (a week of days always holds one)...
    let today = Utc::now().date_naive();
    let window = today.checked_sub_days(Days::new(14)).unwrap()
        ..=today.checked_sub_days(Days::new(8)).unwrap();
    let bill = streams
        .iter()
        .find(|s| {
            s.direction == Direction::Outflow
                && s.frequency == Frequency::Monthly
                && window.contains(&s.last_date)
        })
        .unwrap_or_else(|| panic!("no monthly bill charged in {window:?}: {streams:#?}"))
        .clone();
    // ...had that charge reversed by the bank: the one before it predicted this one, and a
    // week (the grace period of a monthly stream) has passed without it.
    let history = bank_history(&db, &plaid_item, &bill.description).await;
    let since = Utc::now();
    let response = app
        .client
        .delete(app.url(&format!(
            "/sim/plaid/control/items/{plaid_item}/transactions/{}",
            history.last().unwrap().0
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let after = refreshed_since(&app, &alice, item.id, since).await;
    let late: Vec<&str> = after
        .iter()
        .filter(|s| s.flags.contains(&StreamFlag::Late))
        .map(|s| s.description.as_str())
        .collect();
    assert_eq!(late, vec![bill.description.as_str()]);
    let now = stream(&after, &bill.description);
    assert_eq!(now.next_date, Some(bill.last_date));
    assert!(now.is_active);
}

#[sqlx::test]
async fn tallys_detector_finds_the_main_streams_when_plaid_refuses_the_product(db: PgPool) {
    let app = app(&db).await;
    let with_plaid = app.sign_up("plaid").await.client;
    let (_, plaid_streams) = linked(&app, &with_plaid, "user_good").await;

    inject_fault(
        &app,
        json!({ "endpoint": "/transactions/recurring/get", "kind": "invalid_product", "count": 1000 }),
    )
    .await;
    let without = app.sign_up("local").await.client;
    let (item, local) = linked(&app, &without, "user_good").await;
    let plaid_item = plaid_item_id(&db, &item).await;
    let refused: Option<DateTime<Utc>> =
        sqlx::query_scalar("select plaid_refused_at from recurring_refresh where item_id = $1")
            .bind(item.id.0)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(refused.is_some());
    assert!(!local.is_empty() && local.iter().all(|s| s.source == StreamSource::Local));

    for description in [SALARY, MORTGAGE, NETFLIX, SPOTIFY, "VERIZON WIRELESS PMT"] {
        let (mine, plaids) = (
            stream(&local, description),
            stream(&plaid_streams, description),
        );
        assert_eq!(
            (
                mine.direction,
                mine.frequency,
                mine.last_amount,
                mine.last_date,
                mine.next_date
            ),
            (
                plaids.direction,
                plaids.frequency,
                plaids.last_amount,
                plaids.last_date,
                plaids.next_date
            ),
            "{description}"
        );
        // Tally's detector reads the whole history (Plaid's, the last 400 days of it): every
        // posted occurrence the bank holds.
        let occurrences: i64 = sqlx::query_scalar(
            "select count(*) from plaid_sim.transaction
             where item_id = $1 and body->>'name' = $2 and not pending and not removed",
        )
        .bind(&plaid_item)
        .bind(description)
        .fetch_one(&db)
        .await
        .unwrap();
        assert_eq!(
            mine.transaction_ids.len(),
            usize::try_from(occurrences).unwrap(),
            "{description}"
        );
    }
}

#[sqlx::test]
async fn streams_no_longer_returned_are_kept_tombstoned_with_their_decisions(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    let (item, streams) = linked(&app, &alice, "user_good").await;
    let netflix = stream(&streams, NETFLIX).id;
    app.decide(&alice, netflix, json!({ "state": "dismissed" }))
        .await;

    // Plaid stops offering the product for the item: Tally's detector takes over, and
    // Plaid's streams stay, tombstoned, with what the person decided.
    inject_fault(
        &app,
        json!({ "endpoint": "/transactions/recurring/get", "kind": "invalid_product", "count": 1000 }),
    )
    .await;
    let after = recurring_update(&app, &alice, &item).await;
    let kept = after.iter().find(|s| s.id == netflix).unwrap();
    assert_eq!(
        (kept.status, kept.is_active, kept.next_date, kept.state),
        (
            StreamStatus::Tombstoned,
            false,
            None,
            StreamState::Dismissed
        )
    );
    assert!(!kept.transaction_ids.is_empty());
    let plaids: Vec<_> = after
        .iter()
        .filter(|s| s.source == StreamSource::Plaid)
        .collect();
    assert_eq!(plaids.len(), streams.len());
    assert!(plaids
        .iter()
        .all(|s| s.status == StreamStatus::Tombstoned && !s.is_active));
    assert!(after
        .iter()
        .any(|s| s.source == StreamSource::Local && s.description == NETFLIX));
}

#[sqlx::test]
async fn a_failing_recurring_call_never_fails_a_sync(db: PgPool) {
    let app = app(&db).await;
    inject_fault(
        &app,
        json!({ "endpoint": "/transactions/recurring/get", "kind": "server_error", "count": 1000 }),
    )
    .await;
    let alice = app.sign_up("alice").await.client;
    let item = app.link_bank(&alice, "user_good").await;
    assert_eq!(item.status, ItemStatus::Good);
    assert!(item.error_code.is_none());
    recurring_calls(&db, &plaid_item_id(&db, &item).await, 1).await;
    assert!(app.recurring(&alice).await.is_empty());
    let transactions: i64 =
        sqlx::query_scalar("select count(*) from bank_transaction where item_id = $1")
            .bind(item.id.0)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(transactions > 0);
}

/// How many times Tally asked Plaid for the item's streams (as its call records say).
async fn recurring_calls(db: &PgPool, plaid_item: &str, at_least: i64) -> i64 {
    for _ in 0..600 {
        let calls: i64 = sqlx::query_scalar(
            "select count(*) from plaid_api_event
             where method = '/transactions/recurring/get' and plaid_item_id = $1",
        )
        .bind(plaid_item)
        .fetch_one(db)
        .await
        .unwrap();
        if calls >= at_least {
            return calls;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("Plaid was never asked for the item's streams {at_least} times");
}

#[sqlx::test]
async fn a_burst_of_webhooks_is_one_or_two_calls_to_plaid(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    let (item, _) = linked(&app, &alice, "user_good").await;
    let plaid_item = plaid_item_id(&db, &item).await;
    let before = recurring_calls(&db, &plaid_item, 1).await;

    let since = Utc::now();
    for n in 0..10 {
        let update = json!({
            "webhook_type": "TRANSACTIONS", "webhook_code": "RECURRING_TRANSACTIONS_UPDATE",
            "item_id": plaid_item, "environment": "sandbox", "account_ids": [format!("burst-{n}")],
        });
        assert_eq!(
            send_webhook(&app, &db, &update).await.status(),
            StatusCode::OK
        );
    }
    refreshed_since(&app, &alice, item.id, since).await;
    recurring_calls(&db, &plaid_item, before + 1).await;
    // Every call made is recorded by now (a quiet moment, not a speed check).
    tokio::time::sleep(QUIET).await;
    let calls = recurring_calls(&db, &plaid_item, 0).await - before;
    assert!((1..=2).contains(&calls), "{calls} calls for 10 webhooks");
}

#[sqlx::test]
async fn decisions_are_checked_and_scoped_to_their_owner(db: PgPool) {
    let app = app(&db).await;
    let alice = app.sign_up("alice").await.client;
    let (_, streams) = linked(&app, &alice, "user_good").await;
    let netflix = stream(&streams, NETFLIX).id;
    let bob = app.sign_up("bob").await.client;

    // Someone else's stream, or none at all: 404, and nothing changes.
    for (client, id) in [
        (&bob, netflix.to_string()),
        (&alice, uuid::Uuid::new_v4().to_string()),
    ] {
        let response = app
            .patch_recurring(client, &id, json!({ "state": "dismissed" }))
            .await;
        let error: ApiError = decoded(response, StatusCode::NOT_FOUND).await;
        assert!(!error.message.is_empty());
    }
    assert!(app.recurring(&bob).await.is_empty());
    assert_eq!(
        stream(&app.recurring(&alice).await, NETFLIX).state,
        StreamState::Suggested
    );

    // A name or category only for a confirmed stream.
    let response = app
        .patch_recurring(&alice, netflix, json!({ "name": "TV" }))
        .await;
    let error: ApiError = decoded(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(named_fields(&error), vec!["name"]);
    let response = app
        .patch_recurring(
            &alice,
            netflix,
            json!({ "state": "dismissed", "name": "TV" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Bob's own category is none Alice sees.
    let bobs: Category = decoded(
        app.create_category(&bob, &new_category("Bob's", None, "spending"))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let response = app
        .patch_recurring(
            &alice,
            netflix,
            json!({ "state": "confirmed", "category_id": bobs.id }),
        )
        .await;
    let _: ApiError = decoded(response, StatusCode::NOT_FOUND).await;
    // Bad bodies, in the one error shape.
    for body in [
        json!({ "state": "paused" }),
        json!({ "state": "confirmed", "nickname": "TV" }),
        json!({ "category_id": "not-an-id" }),
        json!("dismissed"),
    ] {
        let response = app.patch_recurring(&alice, netflix, body.clone()).await;
        let status = response.status();
        let error: ApiError = response.json().await.unwrap();
        assert!(status.is_client_error(), "{body}: {status}");
        assert!(!error.message.is_empty(), "{body}");
    }
    let response = app
        .patch_recurring(
            &alice,
            netflix,
            json!({ "state": "confirmed", "name": "x".repeat(101) }),
        )
        .await;
    let error: ApiError = decoded(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(named_fields(&error), vec!["name"]);
    // None of that changed anything.
    let unchanged = stream(&app.recurring(&alice).await, NETFLIX).clone();
    assert_eq!(
        (unchanged.state, unchanged.name.as_str()),
        (StreamState::Suggested, "Netflix")
    );
}
