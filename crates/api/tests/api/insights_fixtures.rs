//! Banking rows written straight into the test's database, as the sync engine would write them,
//! for the asset and insight tests.

use crate::helpers::{browser_like_client, TestApp};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::json;
use tally_shared::api::session::SessionResponse;
use uuid::Uuid;

/// A registered user with a logged-in client of their own.
pub struct Person {
    pub client: reqwest::Client,
    pub user_id: Uuid,
}

pub async fn register(app: &TestApp, username: &str) -> Person {
    let client = browser_like_client();
    let response = client
        .post(app.url("/api/users"))
        .json(&json!({ "username": username, "password": "a long enough password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let session: SessionResponse = response.json().await.unwrap();
    Person {
        client,
        user_id: session.user.id.0,
    }
}

pub fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}
