//! `PlaidClient`: every Plaid endpoint Tally uses, typed, with timeouts and an event per call.

use super::error::{PlaidError, PlaidErrorBody};
use super::events::PlaidApiEvent;
use super::types::*;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use url::Url;

/// The version of Plaid's API these types follow.
pub const PLAID_VERSION: &str = "2020-09-14";
/// The countries whose banks Link offers (Plaid's transactions product covers all of them).
pub const COUNTRY_CODES: &[&str] = &["US", "CA", "GB", "IE", "FR", "ES", "NL", "DE"];
/// How much history a new link asks for: Plaid's maximum.
const DAYS_REQUESTED: u32 = 730;
/// Most calls answer in well under a second; Plaid asks for patience on a few.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// `/accounts/balance/get` asks the bank live and can take tens of seconds.
const LIVE_BALANCE_TIMEOUT: Duration = Duration::from_secs(90);

pub struct PlaidCredentials {
    pub client_id: String,
    pub secret: SecretString,
}

/// An item's access token together with the item it opens. `Debug` shows the item id only.
#[derive(Debug)]
pub struct ItemAccess {
    pub item_id: String,
    pub access_token: SecretString,
}

/// What every link token names besides the item: who is linking (an opaque id, no PII), where
/// Plaid sends the item's webhooks, and where the bank sends the person back after OAuth.
pub struct LinkTokenOptions<'a> {
    pub client_user_id: &'a str,
    pub webhook: &'a str,
    pub redirect_uri: &'a str,
}

impl LinkTokenOptions<'_> {
    fn request(&self) -> LinkTokenCreateRequest {
        LinkTokenCreateRequest {
            client_name: "Tally".to_owned(),
            language: "en".to_owned(),
            country_codes: COUNTRY_CODES.iter().map(|c| (*c).to_owned()).collect(),
            user: LinkUser {
                client_user_id: self.client_user_id.to_owned(),
            },
            products: Vec::new(),
            webhook: Some(self.webhook.to_owned()),
            access_token: None,
            redirect_uri: Some(self.redirect_uri.to_owned()),
            transactions: None,
            update: None,
        }
    }
}

#[derive(Clone)]
pub struct PlaidClient {
    http: reqwest::Client,
    base_url: Url,
    client_id: String,
    secret: SecretString,
    events: Option<mpsc::Sender<PlaidApiEvent>>,
}

impl PlaidClient {
    /// A client for the Plaid at `base_url` (Plaid's hosts, the simulator, or any URL).
    pub fn new(base_url: Url, credentials: PlaidCredentials) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(super::IDLE_CONNECTION_REUSE)
            .user_agent(concat!("Tally/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            base_url,
            client_id: credentials.client_id,
            secret: credentials.secret,
            events: None,
        })
    }

    /// Sends a `PlaidApiEvent` for every call to `sink`. A full sink drops events rather than
    /// slow Plaid calls down.
    pub fn with_events(mut self, sink: mpsc::Sender<PlaidApiEvent>) -> Self {
        self.events = Some(sink);
        self
    }

    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    pub async fn link_token_create(
        &self,
        request: &LinkTokenCreateRequest,
    ) -> Result<LinkTokenCreateResponse, PlaidError> {
        self.post("/link/token/create", None, json!(request), DEFAULT_TIMEOUT)
            .await
    }

    /// A link token for linking a new bank, asking for its transactions and as much history as
    /// Plaid gives.
    pub async fn link_token_for_new_item(
        &self,
        options: &LinkTokenOptions<'_>,
    ) -> Result<LinkTokenCreateResponse, PlaidError> {
        let request = LinkTokenCreateRequest {
            products: vec![Product::Transactions],
            transactions: Some(LinkTransactionsOptions {
                days_requested: Some(DAYS_REQUESTED),
            }),
            ..options.request()
        };
        self.link_token_create(&request).await
    }

    /// A link token for update mode: Link asks the person to log in to `item`'s bank again,
    /// or, with `account_selection`, to choose which of its accounts to share (new ones too).
    pub async fn link_token_for_update(
        &self,
        item: &ItemAccess,
        options: &LinkTokenOptions<'_>,
        account_selection: bool,
    ) -> Result<LinkTokenCreateResponse, PlaidError> {
        let request = LinkTokenCreateRequest {
            update: account_selection.then_some(LinkUpdateOptions {
                account_selection_enabled: true,
            }),
            ..options.request()
        };
        let body = json!(request);
        self.post_for_item("/link/token/create", item, body, DEFAULT_TIMEOUT)
            .await
    }

    /// Trades the public token from Link's `onSuccess` for the item's access token.
    pub async fn item_public_token_exchange(
        &self,
        public_token: &SecretString,
    ) -> Result<ItemAccess, PlaidError> {
        let body = json!({ "public_token": public_token.expose_secret() });
        let exchanged: PublicTokenExchangeResponse = self
            .post("/item/public_token/exchange", None, body, DEFAULT_TIMEOUT)
            .await?;
        Ok(ItemAccess {
            item_id: exchanged.item_id,
            access_token: SecretString::from(exchanged.access_token),
        })
    }

    pub async fn item_get(&self, item: &ItemAccess) -> Result<ItemGetResponse, PlaidError> {
        self.post_for_item("/item/get", item, json!({}), DEFAULT_TIMEOUT)
            .await
    }

    pub async fn item_remove(&self, item: &ItemAccess) -> Result<RequestIdResponse, PlaidError> {
        self.post_for_item("/item/remove", item, json!({}), DEFAULT_TIMEOUT)
            .await
    }

    pub async fn item_webhook_update(
        &self,
        item: &ItemAccess,
        webhook: Option<&str>,
    ) -> Result<ItemWebhookUpdateResponse, PlaidError> {
        let body = json!({ "webhook": webhook });
        self.post_for_item("/item/webhook/update", item, body, DEFAULT_TIMEOUT)
            .await
    }

    /// Accounts with the balances Plaid last fetched.
    pub async fn accounts_get(&self, item: &ItemAccess) -> Result<AccountsGetResponse, PlaidError> {
        self.post_for_item("/accounts/get", item, json!({}), DEFAULT_TIMEOUT)
            .await
    }

    /// Accounts with balances fetched from the bank now (slow).
    pub async fn accounts_balance_get(
        &self,
        item: &ItemAccess,
    ) -> Result<AccountsGetResponse, PlaidError> {
        self.post_for_item(
            "/accounts/balance/get",
            item,
            json!({}),
            LIVE_BALANCE_TIMEOUT,
        )
        .await
    }

    pub async fn institutions_get_by_id(
        &self,
        institution_id: &str,
        country_codes: &[&str],
        include_optional_metadata: bool,
    ) -> Result<InstitutionGetResponse, PlaidError> {
        let body = json!({
            "institution_id": institution_id,
            "country_codes": country_codes,
            "options": { "include_optional_metadata": include_optional_metadata },
        });
        self.post("/institutions/get_by_id", None, body, DEFAULT_TIMEOUT)
            .await
    }

    /// One page of changes since `cursor` (`None`: from the beginning), up to `count` (≤ 500).
    pub async fn transactions_sync(
        &self,
        item: &ItemAccess,
        cursor: Option<&str>,
        count: u32,
    ) -> Result<TransactionsSyncResponse, PlaidError> {
        let mut body = json!({
            "count": count,
            "options": { "personal_finance_category_version": "v2" },
        });
        if let Some(cursor) = cursor.filter(|c| !c.is_empty()) {
            body["cursor"] = Value::from(cursor);
        }
        self.post_for_item("/transactions/sync", item, body, DEFAULT_TIMEOUT)
            .await
    }

    /// Asks Plaid to check the bank for new transactions now; changes arrive by webhook.
    pub async fn transactions_refresh(
        &self,
        item: &ItemAccess,
    ) -> Result<RequestIdResponse, PlaidError> {
        self.post_for_item("/transactions/refresh", item, json!({}), DEFAULT_TIMEOUT)
            .await
    }

    pub async fn transactions_recurring_get(
        &self,
        item: &ItemAccess,
    ) -> Result<TransactionsRecurringGetResponse, PlaidError> {
        let body = json!({ "options": { "personal_finance_category_version": "v2" } });
        self.post_for_item("/transactions/recurring/get", item, body, DEFAULT_TIMEOUT)
            .await
    }

    pub async fn sandbox_public_token_create(
        &self,
        request: &SandboxPublicTokenCreateRequest,
    ) -> Result<SandboxPublicTokenCreateResponse, PlaidError> {
        self.post(
            "/sandbox/public_token/create",
            None,
            json!(request),
            DEFAULT_TIMEOUT,
        )
        .await
    }

    pub async fn sandbox_item_reset_login(
        &self,
        item: &ItemAccess,
    ) -> Result<SandboxResetLoginResponse, PlaidError> {
        self.post_for_item(
            "/sandbox/item/reset_login",
            item,
            json!({}),
            DEFAULT_TIMEOUT,
        )
        .await
    }

    pub async fn sandbox_item_fire_webhook(
        &self,
        item: &ItemAccess,
        webhook_code: &str,
        webhook_type: Option<&str>,
    ) -> Result<SandboxFireWebhookResponse, PlaidError> {
        let mut body = json!({ "webhook_code": webhook_code });
        if let Some(webhook_type) = webhook_type {
            body["webhook_type"] = Value::from(webhook_type);
        }
        self.post_for_item("/sandbox/item/fire_webhook", item, body, DEFAULT_TIMEOUT)
            .await
    }

    pub async fn webhook_verification_key_get(
        &self,
        key_id: &str,
    ) -> Result<WebhookVerificationKeyGetResponse, PlaidError> {
        let body = json!({ "key_id": key_id });
        self.post("/webhook_verification_key/get", None, body, DEFAULT_TIMEOUT)
            .await
    }

    async fn post_for_item<T: PlaidResponse>(
        &self,
        method: &'static str,
        item: &ItemAccess,
        mut body: Value,
        timeout: Duration,
    ) -> Result<T, PlaidError> {
        body["access_token"] = Value::from(item.access_token.expose_secret());
        self.post(method, Some(&item.item_id), body, timeout).await
    }

    /// The one place a request leaves: credentials in headers, the body as JSON, the answer
    /// decoded into `T` or Plaid's error object, and an event recorded either way.
    #[tracing::instrument(name = "plaid", skip_all, fields(plaid.method = method, plaid.item_id = item_id, plaid.request_id))]
    async fn post<T: PlaidResponse>(
        &self,
        method: &'static str,
        item_id: Option<&str>,
        body: Value,
        timeout: Duration,
    ) -> Result<T, PlaidError> {
        let started = Instant::now();
        let outcome = self.exchange(method, body, timeout).await;
        let event = PlaidApiEvent::new(
            method,
            item_id,
            outcome.as_ref().map(|(_, id)| id.as_str()),
            started.elapsed(),
        );
        if let Some(request_id) = &event.request_id {
            tracing::Span::current().record("plaid.request_id", request_id.as_str());
        }
        match &outcome {
            Ok(_) => tracing::debug!(elapsed = ?event.duration, "plaid call succeeded"),
            Err(error) => tracing::warn!(%error, "plaid call failed"),
        }
        if let Some(sink) = &self.events {
            if sink.try_send(event).is_err() {
                tracing::warn!("plaid api event dropped: the recorder is behind");
            }
        }
        outcome.map(|(value, _)| value)
    }

    async fn exchange<T: PlaidResponse>(
        &self,
        method: &'static str,
        body: Value,
        timeout: Duration,
    ) -> Result<(T, String), PlaidError> {
        let url = format!("{}{method}", self.base_url.as_str().trim_end_matches('/'));
        let response = self
            .http
            .post(url)
            .timeout(timeout)
            .header("PLAID-CLIENT-ID", &self.client_id)
            .header("PLAID-SECRET", self.secret.expose_secret())
            .header("Plaid-Version", PLAID_VERSION)
            .json(&body)
            .send()
            .await
            .map_err(|source| transport_error(method, timeout, source))?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|source| transport_error(method, timeout, source))?;
        if (200..300).contains(&status) {
            let value = serde_json::from_slice::<T>(&bytes)
                .map_err(|source| PlaidError::Decode { method, source })?;
            let request_id = value.request_id().to_owned();
            return Ok((value, request_id));
        }
        match serde_json::from_slice::<Box<PlaidErrorBody>>(&bytes) {
            Ok(body) => Err(PlaidError::Api {
                method,
                status,
                body,
            }),
            Err(_) => Err(PlaidError::UnexpectedStatus { method, status }),
        }
    }
}

fn transport_error(method: &'static str, timeout: Duration, source: reqwest::Error) -> PlaidError {
    if source.is_timeout() {
        PlaidError::Timeout { method, timeout }
    } else {
        PlaidError::Transport { method, source }
    }
}
