//! `NEW_ACCOUNTS_AVAILABLE`: the bank has accounts the person has not shared. Link opens in
//! update mode with account selection, the chosen accounts join the item, and Tally stores them.

use crate::api_calls::decoded;
use crate::banking_support::*;
use crate::helpers::{spawn_app, TestApp};
use crate::simulator_support::{plaid, post_to_simulator};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{json, Value};
use sqlx::PgPool;
use tally::plaid::ItemAccess;
use tally_shared::api::items::{Item, ItemStatus, LinkTokenRequest, LinkTokenResponse};

/// The item as Plaid (the simulator) knows it, to act as its sandbox.
pub async fn plaid_access(db: &PgPool, item: &Item) -> ItemAccess {
    let item_id = plaid_item_id(db, item).await;
    let access_token: String =
        sqlx::query_scalar("select access_token from plaid_sim.item where item_id = $1")
            .bind(&item_id)
            .fetch_one(db)
            .await
            .unwrap();
    ItemAccess {
        item_id,
        access_token: SecretString::from(access_token),
    }
}

/// Tally's link token for update mode on `item`.
async fn update_link_token(app: &TestApp, client: &reqwest::Client, item: &Item) -> String {
    let token: LinkTokenResponse = decoded(
        app.create_link_token(
            client,
            &LinkTokenRequest {
                item_id: Some(item.id),
            },
        )
        .await,
        StatusCode::OK,
    )
    .await;
    token.link_token
}

/// The Link stand-in's first call for `link_token`, as the browser makes it.
async fn start_link(app: &TestApp, link_token: &str) -> Value {
    let (status, session) =
        post_to_simulator(app, "/link/session", &json!({ "link_token": link_token })).await;
    assert_eq!(status, 200);
    assert!(session.get("error_code").is_none(), "{session}");
    session
}

#[sqlx::test(migrations = "../../migrations")]
async fn new_accounts_are_chosen_in_update_mode_and_stored(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let accounts_before: i64 = accounts_of(&db, &item).await;

    // The bank opens an account and says so.
    plaid(&app)
        .sandbox_item_fire_webhook(
            &plaid_access(&db, &item).await,
            "NEW_ACCOUNTS_AVAILABLE",
            None,
        )
        .await
        .unwrap();
    let flagged = app
        .wait_until(&alice, &item, |now| {
            now.status == ItemStatus::NewAccountsAvailable
        })
        .await;

    // Tally's link token for this item opens Link in update mode with account selection.
    let token = update_link_token(&app, &alice, &item).await;
    let session = start_link(&app, &token).await;
    assert_eq!(session["mode"], "update");
    assert_eq!(session["next"], "select_accounts", "{session}");
    let offered = session["accounts"].as_array().unwrap();
    let new: Vec<&Value> = offered.iter().filter(|a| a["selected"] == false).collect();
    assert_eq!(new.len(), 1, "{offered:?}");
    assert_eq!(
        i64::try_from(offered.len()).unwrap(),
        accounts_before + 1,
        "the item's own accounts are offered too"
    );

    // The person keeps every account and adds the new one.
    let chosen: Vec<&Value> = offered.iter().map(|a| &a["id"]).collect();
    let (status, done) = post_to_simulator(
        &app,
        "/link/complete",
        &json!({ "link_token": token,
                 "link_session_id": session["link_session_id"],
                 "account_ids": chosen }),
    )
    .await;
    assert_eq!(status, 200);
    assert!(done["public_token"].is_string(), "{done}");

    // Link's onSuccess: Tally confirms with Plaid, clears the flag and fetches the accounts.
    let confirmed: Item = decoded(app.login_repaired(&alice, item.id).await, StatusCode::OK).await;
    assert_eq!(confirmed.status, ItemStatus::Good);
    let synced = app
        .wait_for_sync(&alice, &item, flagged.last_synced_at)
        .await;
    assert_eq!(synced.status, ItemStatus::Good);
    assert_eq!(accounts_of(&db, &item).await, accounts_before + 1);
    let stored: bool = sqlx::query_scalar(
        "select exists (select from account where plaid_account_id = $1 and item_id = $2)",
    )
    .bind(new[0]["id"].as_str().unwrap())
    .bind(item.id.0)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(stored, "the chosen account was not stored");
    assert_matches_bank(&db, &synced).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn update_mode_for_a_login_does_not_offer_accounts(db: PgPool) {
    let app = spawn_app(db.clone()).await;
    let (alice, item) = app.sign_up_with_bank("alice").await;
    let token = update_link_token(&app, &alice, &item).await;
    let session = start_link(&app, &token).await;
    assert_eq!(session["mode"], "update");
    assert!(session.get("next").is_none(), "{session}");
}

async fn accounts_of(db: &PgPool, item: &Item) -> i64 {
    sqlx::query_scalar("select count(*) from account where item_id = $1")
        .bind(item.id.0)
        .fetch_one(db)
        .await
        .unwrap()
}
