//! The api's error type and the rendering of every error, ours or actix's, as `shared::ApiError`.

use crate::crypto::CipherError;
use crate::plaid::PlaidError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use tally_shared::{ApiError as ApiErrorBody, ErrorCode, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("There is nothing at this address.")]
    NotFound,
    /// An id in the request (not its address) names nothing the person can see.
    #[error("{0}")]
    Missing(String),
    #[error("Please log in.")]
    Unauthorized,
    #[error("Wrong username or password.")]
    WrongCredentials,
    /// The second step of a sign-in failed: a wrong code, or a challenge that is over.
    #[error("{0}")]
    SignInRefused(String),
    #[error("You are not allowed to do that.")]
    Forbidden,
    /// Forbidden, with the reason a person should hear.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Conflict(String),
    /// This user already linked that institution.
    #[error("{0}")]
    DuplicateItem(String),
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// A cap on something costly was reached; the message says which and when to come back.
    #[error("{message}")]
    TooMany {
        message: String,
        retry_after_secs: u64,
    },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    ServiceUnavailable(String),
    /// Plaid or the bank refused or failed; the message is one a person can act on.
    #[error("{0}")]
    Plaid(String),
    /// Anything we did not expect. The cause is logged; the client hears only that it failed.
    #[error("unexpected error")]
    Unexpected(#[from] anyhow::Error),
}

impl ApiError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::Validation(_) => ErrorCode::Validation,
            Self::NotFound | Self::Missing(_) => ErrorCode::NotFound,
            Self::Unauthorized | Self::WrongCredentials | Self::SignInRefused(_) => {
                ErrorCode::Unauthorized
            }
            Self::Forbidden | Self::Refused(_) => ErrorCode::Forbidden,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::DuplicateItem(_) => ErrorCode::DuplicateItem,
            Self::RateLimited { .. } | Self::TooMany { .. } => ErrorCode::RateLimited,
            Self::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            Self::ServiceUnavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Plaid(_) => ErrorCode::PlaidError,
            Self::Unexpected(_) => ErrorCode::Internal,
        }
    }

    fn body(&self) -> ApiErrorBody {
        match self {
            Self::Validation(fields) => ApiErrorBody {
                code: self.code(),
                message: self.to_string(),
                fields: fields.clone(),
            },
            Self::Unexpected(_) => {
                ApiErrorBody::new(self.code(), "Something went wrong on our side.")
            }
            _ => ApiErrorBody::new(self.code(), self.to_string()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotFound | Self::Missing(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized | Self::WrongCredentials | Self::SignInRefused(_) => {
                StatusCode::UNAUTHORIZED
            }
            Self::Forbidden | Self::Refused(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) | Self::DuplicateItem(_) => StatusCode::CONFLICT,
            Self::RateLimited { .. } | Self::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Plaid(_) => StatusCode::BAD_GATEWAY,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Unexpected(cause) = self {
            tracing::error!(error = ?cause, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        if let Self::RateLimited { retry_after_secs }
        | Self::TooMany {
            retry_after_secs, ..
        } = self
        {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        response.json(self.body())
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::Unexpected(error.into())
    }
}

/// A live event that could not be queued (PostgreSQL refused the `NOTIFY`).
impl From<crate::ws::PublishError> for ApiError {
    fn from(error: crate::ws::PublishError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// An access token no configured key opens: our failure, not the person's.
impl From<CipherError> for ApiError {
    fn from(error: CipherError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// What a person should hear when Plaid fails a request they made.
impl From<PlaidError> for ApiError {
    fn from(error: PlaidError) -> Self {
        tracing::warn!(%error, "Plaid refused or failed");
        if error.is_retryable() {
            return Self::ServiceUnavailable(
                "The bank connection service is not answering right now. Try again in a minute."
                    .to_owned(),
            );
        }
        if error.is_login_required() {
            return Self::Conflict(
                "The bank wants you to log in again: use “Update login”.".to_owned(),
            );
        }
        let message = match error.code() {
            Some("INVALID_PUBLIC_TOKEN") => {
                "Link's token has expired or was already used. Link the bank again.".to_owned()
            }
            Some(code) => match error.body().and_then(|b| b.display_message.clone()) {
                Some(display) => display,
                None => format!("The bank connection service refused the request ({code})."),
            },
            None => "The bank connection service gave an answer Tally could not read.".to_owned(),
        };
        Self::Plaid(message)
    }
}

/// `JsonConfig::error_handler`: bad JSON, wrong content type and oversized bodies.
pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api_error = match &err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => {
            ApiError::PayloadTooLarge(format!("The request body is larger than {limit} bytes."))
        }
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType(
            "The request body must be JSON (Content-Type: application/json).".to_owned(),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::BadRequest(format!(
            "The request body does not match what was expected: {e}"
        )),
        JsonPayloadError::Deserialize(e) => {
            ApiError::BadRequest(format!("The request body is not valid JSON: {e}"))
        }
        _ => ApiError::BadRequest("The request body could not be read.".to_owned()),
    };
    api_error.into()
}

/// `QueryConfig::error_handler`.
pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("The query string is invalid: {err}")).into()
}

/// `PathConfig::error_handler`: a malformed id in the path is a 404, as any unknown id is.
pub fn path_error(_err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound.into()
}

/// The code and sentence for a status that reached us without our JSON body (actix's own
/// 404/405/413, a panic turned into 500).
fn status_body(status: StatusCode) -> ApiErrorBody {
    let (code, message) = match status {
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "There is nothing at this address."),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::MethodNotAllowed,
            "This address does not accept that method.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            (ErrorCode::PayloadTooLarge, "The request body is too large.")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorCode::UnsupportedMediaType,
            "The request body has an unsupported content type.",
        ),
        StatusCode::UNAUTHORIZED => (ErrorCode::Unauthorized, "Please log in."),
        StatusCode::FORBIDDEN => (ErrorCode::Forbidden, "You are not allowed to do that."),
        StatusCode::TOO_MANY_REQUESTS => (ErrorCode::RateLimited, "Too many requests; slow down."),
        StatusCode::SERVICE_UNAVAILABLE => (
            ErrorCode::ServiceUnavailable,
            "The service is unavailable right now.",
        ),
        s if s.is_server_error() => (ErrorCode::Internal, "Something went wrong on our side."),
        _ => (ErrorCode::BadRequest, "The request could not be handled."),
    };
    ApiErrorBody::new(code, message)
}

/// `ErrorHandlers` default: any error response under `/api` that is not already JSON gets the one
/// error shape, keeping its status and headers (such as `Allow` or `Retry-After`).
pub fn render_plain_error<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .response()
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, mut response) = res.into_parts();
    let json = serde_json::to_string(&status_body(status)).unwrap_or_default();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let response = response.set_body(BoxBody::new(json));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{test, web, App};

    #[derive(serde::Deserialize)]
    struct Probe {
        #[allow(dead_code)]
        amount: u32,
    }

    async fn accept(_: web::Json<Probe>) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }

    async fn fail() -> Result<HttpResponse, ApiError> {
        Err(anyhow::anyhow!("connection string postgres://secret@db").into())
    }

    async fn call(req: test::TestRequest) -> (StatusCode, serde_json::Value) {
        let app = test::init_service(
            App::new()
                .app_data(
                    web::JsonConfig::default()
                        .limit(1024)
                        .error_handler(json_error),
                )
                .route("/probe", web::post().to(accept))
                .route("/fail", web::get().to(fail)),
        )
        .await;
        let response = test::call_service(&app, req.to_request()).await;
        let status = response.status();
        let body = test::read_body(response).await;
        (status, serde_json::from_slice(&body).unwrap_or_default())
    }

    #[actix_web::test]
    async fn json_body_problems_get_the_error_shape_and_status() {
        let post = || test::TestRequest::post().uri("/probe");
        let cases = [
            (
                post()
                    .insert_header(("content-type", "application/json"))
                    .set_payload("{oops"),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                post().set_json(serde_json::json!({"amount": -1})),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                post()
                    .insert_header(("content-type", "text/plain"))
                    .set_payload("{}"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            (
                post().set_json(serde_json::json!({"amount": 1, "pad": "x".repeat(4096)})),
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
            ),
        ];
        for (req, status, code) in cases {
            let (got_status, body) = call(req).await;
            assert_eq!(got_status, status, "{body}");
            assert_eq!(body["code"], code, "{body}");
            assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        let (status, _) = call(post().set_json(serde_json::json!({"amount": 7}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }

    #[actix_web::test]
    async fn unexpected_errors_say_nothing_internal() {
        let (status, body) = call(test::TestRequest::get().uri("/fail")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["code"], "internal");
        assert!(!body.to_string().contains("secret"), "{body}");
    }
}
