//! The test app's typed calls of Tally's JSON API: `tally_shared` request types in, its response
//! types out, so a change to a route or a body breaks here and not in every test.
//!
//! Each call is made from a `reqwest::Client` that stands for one browser tab (its cookie jar
//! holds the session). Calls that return the raw response leave the status to the test; the
//! others assert the success status and decode the body.

use crate::helpers::{browser_like_client, TestApp};
use reqwest::{Client, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Display;
use tally_shared::api::account::{ActiveSessionList, ChangePasswordRequest};
use tally_shared::api::admin::{CreatedInvite, UpdateUserRequest};
use tally_shared::api::assets::NewAsset;
use tally_shared::api::categories::{CategoryChanges, CategoryList, NewCategory};
use tally_shared::api::config::ConfigResponse;
use tally_shared::api::items::{
    CreateItemRequest, Item, ItemList, LinkEventKind, LinkEventRequest, LinkTokenRequest,
};
use tally_shared::api::rules::{Condition, NewRule, RuleList, RulePreviewRequest, RuleUpdate};
use tally_shared::api::session::{
    DeleteAccountRequest, LoginRequest, RegisterRequest, SessionResponse,
};
use tally_shared::api::transactions::{
    TransactionDetail, TransactionEdit, TransactionFilter, TransactionPage,
};
use tally_shared::ids::{CategoryId, ItemId};
use tally_shared::{ApiError, ErrorCode};
use uuid::Uuid;

/// The password of every user `sign_up` registers.
pub const PASSWORD: &str = "a long enough password";

/// A registered user, and a browser tab signed in as them.
pub struct Person {
    pub client: Client,
    pub user_id: Uuid,
}

pub fn register_request(username: &str, password: &str) -> RegisterRequest {
    RegisterRequest {
        username: username.to_owned(),
        password: password.to_owned(),
        invite: None,
    }
}

pub fn login_request(username: &str, password: &str) -> LoginRequest {
    LoginRequest {
        username: username.to_owned(),
        password: password.to_owned(),
    }
}

/// What the browser posts after Link's `onSuccess`, which passed no institution name.
pub fn create_item_request(public_token: &str, institution_id: &str) -> CreateItemRequest {
    CreateItemRequest {
        public_token: public_token.to_owned(),
        institution_id: institution_id.to_owned(),
        institution_name: None,
    }
}

/// A Link callback of `kind` that says nothing more.
pub fn link_event(kind: LinkEventKind) -> LinkEventRequest {
    // Every field but `kind` may be left out on the wire.
    serde_json::from_value(serde_json::json!({ "kind": kind })).unwrap()
}

/// `POST /api/categories`'s body; `kind` as sent on the wire.
pub fn new_category(name: &str, parent_id: Option<CategoryId>, kind: &str) -> NewCategory {
    NewCategory {
        name: name.to_owned(),
        parent_id,
        kind: kind.to_owned(),
    }
}

pub fn new_asset(description: &str, value: &str, currency: &str) -> NewAsset {
    NewAsset {
        description: description.to_owned(),
        value: value.to_owned(),
        currency: currency.to_owned(),
    }
}

/// Asserts the answer's status, then decodes its body.
pub async fn decoded<T: DeserializeOwned>(response: Response, status: StatusCode) -> T {
    let url = response.url().to_string();
    assert_eq!(response.status(), status, "{url}");
    response.json().await.unwrap()
}

/// Asserts `response` is the 401 of a request without a session, in the one error shape.
pub async fn assert_unauthorized(response: Response) {
    let error: ApiError = decoded(response, StatusCode::UNAUTHORIZED).await;
    assert_eq!(error.code, ErrorCode::Unauthorized);
}

/// The session token a register or log-in answer set as the `tally_session` cookie.
pub fn session_token(response: &Response) -> String {
    response
        .cookies()
        .find(|c| c.name() == "tally_session")
        .unwrap()
        .value()
        .to_owned()
}

/// The fields an error names, in its order.
pub fn named_fields(error: &ApiError) -> Vec<&str> {
    error.fields.iter().map(|f| f.field.as_str()).collect()
}

impl TestApp {
    async fn post_json(&self, client: &Client, path: &str, body: &impl Serialize) -> Response {
        client.post(self.url(path)).json(body).send().await.unwrap()
    }

    async fn post_empty(&self, client: &Client, path: &str) -> Response {
        client.post(self.url(path)).send().await.unwrap()
    }

    /// `DELETE path` from `client`.
    pub async fn delete(&self, client: &Client, path: &str) -> Response {
        client.delete(self.url(path)).send().await.unwrap()
    }

    /// `GET path` from `client`.
    pub async fn get_from(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    /// `GET path` from `client`, which must answer 200, decoded.
    pub async fn get_json<T: DeserializeOwned>(&self, client: &Client, path: &str) -> T {
        decoded(self.get_from(client, path).await, StatusCode::OK).await
    }

    /// `POST /api/users`.
    pub async fn register(&self, client: &Client, request: &RegisterRequest) -> Response {
        self.post_json(client, "/api/users", request).await
    }

    /// `POST /api/session`.
    pub async fn log_in(&self, client: &Client, request: &LoginRequest) -> Response {
        self.post_json(client, "/api/session", request).await
    }

    /// `GET /api/session`.
    pub async fn who_am_i(&self, client: &Client) -> Response {
        self.get_from(client, "/api/session").await
    }

    /// `DELETE /api/session`.
    pub async fn log_out(&self, client: &Client) -> Response {
        self.delete(client, "/api/session").await
    }

    /// `DELETE /api/users/me` with the password given again.
    pub async fn delete_me(&self, client: &Client, password: &str) -> Response {
        let request = DeleteAccountRequest {
            password: password.to_owned(),
        };
        client
            .delete(self.url("/api/users/me"))
            .json(&request)
            .send()
            .await
            .unwrap()
    }

    /// `PUT /api/account/password`.
    pub async fn change_password(&self, client: &Client, current: &str, new: &str) -> Response {
        let request = ChangePasswordRequest {
            current_password: current.to_owned(),
            new_password: new.to_owned(),
        };
        client
            .put(self.url("/api/account/password"))
            .json(&request)
            .send()
            .await
            .unwrap()
    }

    /// `GET /api/account/sessions`: the browsers signed in as `client`'s user.
    pub async fn sessions(&self, client: &Client) -> ActiveSessionList {
        self.get_json(client, "/api/account/sessions").await
    }

    /// `DELETE /api/account/sessions/{id}`; `id` is a session's id, or anything a test sends.
    pub async fn revoke_session(&self, client: &Client, id: impl Display) -> Response {
        self.delete(client, &format!("/api/account/sessions/{id}"))
            .await
    }

    /// `DELETE /api/account/sessions`: sign out everywhere else.
    pub async fn sign_out_others(&self, client: &Client) -> Response {
        self.delete(client, "/api/account/sessions").await
    }

    /// `PATCH /api/admin/users/{id}`: promote (`true`) or demote (`false`).
    pub async fn set_admin(&self, client: &Client, id: impl Display, is_admin: bool) -> Response {
        client
            .patch(self.url(&format!("/api/admin/users/{id}")))
            .json(&UpdateUserRequest { is_admin })
            .send()
            .await
            .unwrap()
    }

    /// A new tab signed in as `username` (password [`PASSWORD`]).
    pub async fn sign_in_as(&self, username: &str) -> Client {
        let client = browser_like_client();
        let response = self
            .log_in(&client, &login_request(username, PASSWORD))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "log in as {username}");
        client
    }

    /// `GET /api/config`.
    pub async fn config(&self) -> ConfigResponse {
        self.get_json(&browser_like_client(), "/api/config").await
    }

    /// `POST /api/admin/invites`.
    pub async fn create_invite(&self, client: &Client) -> Response {
        self.post_empty(client, "/api/admin/invites").await
    }

    /// An administrator's new invite, which must be made (201).
    pub async fn invite(&self, admin: &Client) -> CreatedInvite {
        decoded(self.create_invite(admin).await, StatusCode::CREATED).await
    }

    /// `GET /api/admin/invites`.
    pub async fn list_invites(&self, client: &Client) -> Response {
        self.get_from(client, "/api/admin/invites").await
    }

    /// `DELETE /api/admin/invites/{id}`.
    pub async fn revoke_invite(&self, client: &Client, id: impl Display) -> Response {
        self.delete(client, &format!("/api/admin/invites/{id}"))
            .await
    }

    /// `DELETE /api/admin/users/{id}`; `id` is a user's id, or anything else a test sends there.
    pub async fn delete_user(&self, client: &Client, id: impl Display) -> Response {
        self.delete(client, &format!("/api/admin/users/{id}")).await
    }

    /// Registers `username` (password [`PASSWORD`]) from `client`, which is then signed in.
    pub async fn register_as(&self, client: &Client, username: &str) -> Response {
        self.register(client, &register_request(username, PASSWORD))
            .await
    }

    /// Registers `username` (password [`PASSWORD`]) from a new tab, which stays signed in.
    pub async fn sign_up(&self, username: &str) -> Person {
        let client = browser_like_client();
        let response = self.register_as(&client, username).await;
        let session: SessionResponse = decoded(response, StatusCode::CREATED).await;
        Person {
            client,
            user_id: session.user.id.0,
        }
    }

    /// `GET /api/institutions/{id}`; `id` is Plaid's institution id, or anything a test sends.
    pub async fn institution(&self, client: &Client, id: &str) -> Response {
        self.get_from(client, &format!("/api/institutions/{id}"))
            .await
    }

    /// `POST /api/items`: what the browser sends after Link's `onSuccess`.
    pub async fn create_item(&self, client: &Client, request: &CreateItemRequest) -> Response {
        self.post_json(client, "/api/items", request).await
    }

    /// `GET /api/items`.
    pub async fn items(&self, client: &Client) -> ItemList {
        self.get_json(client, "/api/items").await
    }

    /// `GET /api/items/{id}`.
    pub async fn item(&self, client: &Client, id: ItemId) -> Item {
        self.get_json(client, &format!("/api/items/{id}")).await
    }

    /// `DELETE /api/items/{id}`.
    pub async fn remove_item(&self, client: &Client, id: ItemId) -> Response {
        self.delete(client, &format!("/api/items/{id}")).await
    }

    /// `POST /api/items/{id}/refresh`: sync now.
    pub async fn refresh_item(&self, client: &Client, id: ItemId) -> Response {
        self.post_empty(client, &format!("/api/items/{id}/refresh"))
            .await
    }

    /// `POST /api/items/{id}/login-repaired`: update mode succeeded in Link.
    pub async fn login_repaired(&self, client: &Client, id: ItemId) -> Response {
        self.post_empty(client, &format!("/api/items/{id}/login-repaired"))
            .await
    }

    /// `POST /api/items/{id}/sandbox/reset-login`: the bank wants a new log-in (sandbox only).
    pub async fn reset_login(&self, client: &Client, id: ItemId) -> Response {
        self.post_empty(client, &format!("/api/items/{id}/sandbox/reset-login"))
            .await
    }

    /// `POST /api/link/token`.
    pub async fn create_link_token(&self, client: &Client, request: &LinkTokenRequest) -> Response {
        self.post_json(client, "/api/link/token", request).await
    }

    /// `POST /api/link/events`.
    pub async fn record_link_event(&self, client: &Client, request: &LinkEventRequest) -> Response {
        self.post_json(client, "/api/link/events", request).await
    }

    /// `POST /api/assets`.
    pub async fn create_asset(&self, client: &Client, request: &NewAsset) -> Response {
        self.post_json(client, "/api/assets", request).await
    }

    /// `DELETE /api/assets/{id}`; `id` is an `AssetId`, or anything else a test sends there.
    pub async fn delete_asset(&self, client: &Client, id: impl Display) -> Response {
        self.delete(client, &format!("/api/assets/{id}")).await
    }

    /// `GET /api/categories`, which must answer 200.
    pub async fn categories(&self, client: &Client) -> CategoryList {
        self.get_json(client, "/api/categories").await
    }

    /// `POST /api/categories`.
    pub async fn create_category(&self, client: &Client, request: &NewCategory) -> Response {
        self.post_json(client, "/api/categories", request).await
    }

    /// `PATCH /api/categories/{id}`; `id` is a `CategoryId`, or anything else a test sends there.
    pub async fn update_category(
        &self,
        client: &Client,
        id: impl Display,
        changes: &CategoryChanges,
    ) -> Response {
        client
            .patch(self.url(&format!("/api/categories/{id}")))
            .json(changes)
            .send()
            .await
            .unwrap()
    }

    /// `DELETE /api/categories/{id}`, with `?reassign_to=` when given.
    pub async fn delete_category(
        &self,
        client: &Client,
        id: impl Display,
        reassign_to: Option<&dyn Display>,
    ) -> Response {
        let path = match reassign_to {
            Some(target) => format!("/api/categories/{id}?reassign_to={target}"),
            None => format!("/api/categories/{id}"),
        };
        self.delete(client, &path).await
    }

    async fn get_query(&self, client: &Client, path: &str, query: &impl Serialize) -> Response {
        client
            .get(self.url(path))
            .query(query)
            .send()
            .await
            .unwrap()
    }

    /// `GET /api/transactions` with `filter`, which must answer 200.
    pub async fn transactions(
        &self,
        client: &Client,
        filter: &TransactionFilter,
    ) -> TransactionPage {
        let response = self.list_transactions(client, filter).await;
        decoded(response, StatusCode::OK).await
    }

    /// `GET /api/transactions?query`: `query` is a `TransactionFilter`, or the raw pairs of a
    /// query string a test wants sent as written.
    pub async fn list_transactions(&self, client: &Client, query: &impl Serialize) -> Response {
        self.get_query(client, "/api/transactions", query).await
    }

    /// `GET /api/transactions/export.csv?query`, `query` as for `list_transactions`.
    pub async fn export_transactions(&self, client: &Client, query: &impl Serialize) -> Response {
        self.get_query(client, "/api/transactions/export.csv", query)
            .await
    }

    /// `GET /api/transactions/{id}`; `id` is a `TransactionId`, or anything else a test sends.
    pub async fn transaction_detail(&self, client: &Client, id: impl Display) -> Response {
        self.get_from(client, &format!("/api/transactions/{id}"))
            .await
    }

    /// `PATCH /api/transactions/{id}`.
    pub async fn edit_transaction(
        &self,
        client: &Client,
        id: impl Display,
        edit: &TransactionEdit,
    ) -> Response {
        client
            .patch(self.url(&format!("/api/transactions/{id}")))
            .json(edit)
            .send()
            .await
            .unwrap()
    }

    /// `PATCH /api/transactions/{id}`, which must answer 200, decoded.
    pub async fn edited(
        &self,
        client: &Client,
        id: impl Display,
        edit: &TransactionEdit,
    ) -> TransactionDetail {
        decoded(
            self.edit_transaction(client, id, edit).await,
            StatusCode::OK,
        )
        .await
    }
}

/// `/api/rules`.
impl TestApp {
    /// `GET /api/rules`, which must answer 200.
    pub async fn rules(&self, client: &Client) -> RuleList {
        self.get_json(client, "/api/rules").await
    }

    /// `POST /api/rules`.
    pub async fn create_rule(&self, client: &Client, rule: &NewRule) -> Response {
        self.post_json(client, "/api/rules", rule).await
    }

    /// `PATCH /api/rules/{id}`; `id` is a `RuleId`, or anything else a test sends there.
    pub async fn update_rule(
        &self,
        client: &Client,
        id: impl Display,
        changes: &RuleUpdate,
    ) -> Response {
        client
            .patch(self.url(&format!("/api/rules/{id}")))
            .json(changes)
            .send()
            .await
            .unwrap()
    }

    /// `DELETE /api/rules/{id}`.
    pub async fn delete_rule(&self, client: &Client, id: impl Display) -> Response {
        self.delete(client, &format!("/api/rules/{id}")).await
    }

    /// `POST /api/rules/preview`.
    pub async fn preview_rule(&self, client: &Client, conditions: &[Condition]) -> Response {
        let request = RulePreviewRequest {
            conditions: conditions.to_vec(),
        };
        self.post_json(client, "/api/rules/preview", &request).await
    }

    /// `POST /api/rules/{id}/apply`.
    pub async fn apply_rules(&self, client: &Client, id: impl Display) -> Response {
        self.post_empty(client, &format!("/api/rules/{id}/apply"))
            .await
    }
}
