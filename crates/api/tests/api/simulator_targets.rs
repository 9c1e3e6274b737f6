//! The simulator sends webhooks only to `PUBLIC_URL`'s origin or loopback, and its OAuth page
//! sends people back only to a redirect URI at `PUBLIC_URL`.

use crate::helpers::{count, spawn_app_with, TestApp};
use crate::simulator_support::{post_to_simulator as post, WebhookReceiver};
use serde_json::{json, Value};
use sqlx::PgPool;

const PUBLIC_URL: &str = "http://localhost:3001";

async fn app(db: PgPool) -> TestApp {
    spawn_app_with(db, &[("PUBLIC_URL", PUBLIC_URL)]).await
}

fn link_token_body(webhook: Option<&str>, redirect_uri: Option<&str>) -> Value {
    json!({
        "client_id": "test", "secret": "test",
        "client_name": "Tally", "language": "en", "country_codes": ["US"],
        "user": { "client_user_id": "user-1" }, "products": ["transactions"],
        "webhook": webhook, "redirect_uri": redirect_uri,
    })
}

fn public_token_body(webhook: &str) -> Value {
    json!({
        "client_id": "test", "secret": "test",
        "institution_id": "ins_109508", "initial_products": ["transactions"],
        "options": { "webhook": webhook },
    })
}

/// Plaid's `INVALID_FIELD` answer for `field`, naming where it may point instead.
fn assert_refused((status, error): &(u16, Value), field: &str) {
    assert_eq!(*status, 400, "{error}");
    assert_eq!(error["error_code"], "INVALID_FIELD", "{error}");
    let message = error["error_message"].as_str().unwrap();
    assert!(
        message.starts_with(field) && message.contains(PUBLIC_URL),
        "{message}"
    );
}

const ELSEWHERE: [&str; 4] = [
    "https://evil.example/webhooks/plaid",
    "http://169.254.169.254/latest/meta-data",
    "http://10.0.0.1/webhooks/plaid",
    "http://localhost.evil.example/webhooks/plaid",
];

#[sqlx::test(migrations = "../../migrations")]
async fn webhooks_go_only_to_the_public_origin_or_loopback(db: PgPool) {
    let app = app(db.clone()).await;
    let mut receiver = WebhookReceiver::start(0).await;

    for webhook in ELSEWHERE {
        let answer = post(
            &app,
            "/link/token/create",
            &link_token_body(Some(webhook), None),
        )
        .await;
        assert_refused(&answer, "webhook");
        let answer = post(
            &app,
            "/sandbox/public_token/create",
            &public_token_body(webhook),
        )
        .await;
        assert_refused(&answer, "options.webhook");
    }
    assert_eq!(count(&db, "plaid_sim.item").await, 0);
    assert_eq!(count(&db, "plaid_sim.link_token").await, 0);

    for webhook in [format!("{PUBLIC_URL}/webhooks/plaid"), receiver.url.clone()] {
        let (status, token) = post(
            &app,
            "/link/token/create",
            &link_token_body(Some(&webhook), None),
        )
        .await;
        assert_eq!(status, 200, "{webhook}: {token}");
    }

    // An item's webhook cannot be moved elsewhere either; it keeps the one it had.
    let (status, created) = post(
        &app,
        "/sandbox/public_token/create",
        &public_token_body(&receiver.url),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let exchange = json!({ "client_id": "test", "secret": "test",
                           "public_token": created["public_token"] });
    let (_, exchanged) = post(&app, "/item/public_token/exchange", &exchange).await;
    let access_token = exchanged["access_token"].as_str().unwrap();
    for webhook in ELSEWHERE {
        let update = json!({ "client_id": "test", "secret": "test",
                             "access_token": access_token, "webhook": webhook });
        assert_refused(
            &post(&app, "/item/webhook/update", &update).await,
            "webhook",
        );
    }
    let stored: Option<String> = sqlx::query_scalar("select webhook from plaid_sim.item")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(stored.as_deref(), Some(receiver.url.as_str()));
    let update = json!({ "client_id": "test", "secret": "test",
                         "access_token": access_token, "webhook": receiver.url });
    let (status, _) = post(&app, "/item/webhook/update", &update).await;
    assert_eq!(status, 200);
    assert_eq!(
        receiver.next().await.json()["webhook_code"],
        "WEBHOOK_UPDATE_ACKNOWLEDGED"
    );
}

/// Starts Link for `link_token` and goes to the OAuth bank's consent page; returns the
/// `oauth_state_id`.
async fn reach_consent(app: &TestApp, link_token: &str) -> String {
    let (_, session) = post(app, "/link/session", &json!({ "link_token": link_token })).await;
    let oauth = json!({ "link_token": link_token, "link_session_id": session["link_session_id"],
                        "institution_id": "ins_127287" });
    let (_, started) = post(app, "/link/oauth/start", &oauth).await;
    let url = started["oauth_url"].as_str().unwrap();
    assert_eq!(app.get(url).await.status(), 200);
    url.split_once("oauth_state_id=").unwrap().1.to_owned()
}

async fn decide(app: &TestApp, state: &str) -> reqwest::Response {
    app.client
        .post(app.url("/sim/plaid/oauth/decision"))
        .form(&[("oauth_state_id", state), ("decision", "authorize")])
        .send()
        .await
        .unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_oauth_page_sends_people_back_only_to_public_url(db: PgPool) {
    let app = app(db.clone()).await;
    for redirect in [
        "https://evil.example/oauth-link",
        "http://127.0.0.1:3001/oauth-link",
    ] {
        let answer = post(
            &app,
            "/link/token/create",
            &link_token_body(None, Some(redirect)),
        )
        .await;
        assert_refused(&answer, "redirect_uri");
    }

    let registered = format!("{PUBLIC_URL}/oauth-link");
    let body = link_token_body(None, Some(&registered));
    let (_, token) = post(&app, "/link/token/create", &body).await;
    let state = reach_consent(&app, token["link_token"].as_str().unwrap()).await;
    let back = decide(&app, &state).await;
    assert_eq!(back.status(), 303);
    assert_eq!(
        back.headers()["location"],
        format!("{registered}?oauth_state_id={state}").as_str()
    );

    // A token whose redirect_uri is no longer at PUBLIC_URL (say, PUBLIC_URL changed) does
    // not send anyone there.
    let (_, token) = post(&app, "/link/token/create", &body).await;
    let link_token = token["link_token"].as_str().unwrap();
    sqlx::query("update plaid_sim.link_token set redirect_uri = $2 where link_token = $1")
        .bind(link_token)
        .bind("https://evil.example/oauth-link")
        .execute(&db)
        .await
        .unwrap();
    let state = reach_consent(&app, link_token).await;
    let refused = decide(&app, &state).await;
    assert_eq!(refused.status(), 400);
    assert!(refused.headers().get("location").is_none());
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error_code"], "INVALID_FIELD", "{error}");
}
