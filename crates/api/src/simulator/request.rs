//! Reading a request as Plaid does: a JSON object, credentials, required fields.

use super::error::SimError;
use actix_web::HttpRequest;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The keys the simulator accepts. Without them it accepts any (or no) credentials.
pub struct SimulatorKeys {
    pub client_id: String,
    pub secret: SecretString,
}

/// A Plaid request body: always a JSON object.
pub struct PlaidRequest {
    body: Map<String, Value>,
}

impl PlaidRequest {
    /// Parses the body and checks credentials (headers first, then the body, as Plaid allows).
    pub fn parse(
        req: &HttpRequest,
        bytes: &[u8],
        keys: Option<&SimulatorKeys>,
    ) -> Result<Self, SimError> {
        let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(bytes) else {
            return Err(SimError::invalid_body());
        };
        let request = Self { body };
        if let Some(keys) = keys {
            let header = |name: &str| {
                req.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let client_id = header("PLAID-CLIENT-ID").or_else(|| request.text("client_id"));
            let secret = header("PLAID-SECRET").or_else(|| request.text("secret"));
            let matches = client_id.as_deref() == Some(keys.client_id.as_str())
                && secret.as_deref().is_some_and(|s| {
                    constant_time_eq::constant_time_eq(
                        s.as_bytes(),
                        keys.secret.expose_secret().as_bytes(),
                    )
                });
            if !matches {
                return Err(SimError::invalid_api_keys());
            }
        }
        Ok(request)
    }

    /// Fails with `MISSING_FIELDS` naming every required field that is absent or null.
    pub fn require(&self, fields: &[&str]) -> Result<(), SimError> {
        let missing: Vec<&str> = fields
            .iter()
            .copied()
            .filter(|field| self.body.get(*field).is_none_or(Value::is_null))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(SimError::missing_fields(&missing))
        }
    }

    /// A string field; absent and null are `None`.
    pub fn text(&self, field: &str) -> Option<String> {
        self.body
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// A required string field; the wrong type is `INVALID_FIELD`.
    pub fn required_text(&self, field: &str) -> Result<String, SimError> {
        self.require(&[field])?;
        self.text(field)
            .ok_or_else(|| SimError::invalid_field(format!("{field} must be a string")))
    }

    /// The whole body as `T` (fields are checked with `require` first).
    pub fn into_typed<T: DeserializeOwned>(self) -> Result<T, SimError> {
        serde_json::from_value(Value::Object(self.body))
            .map_err(|e| SimError::invalid_field(e.to_string()))
    }
}
