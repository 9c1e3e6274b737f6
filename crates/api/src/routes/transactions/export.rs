//! `GET /api/transactions/export.csv`: every matching transaction, streamed as CSV.
//!
//! A task reads the rows from one database stream and sends the CSV in chunks through a small
//! bounded channel, so neither the rows nor the file are ever all in memory, and a slow client
//! slows the query down rather than filling memory. A client that goes away ends the task.

use crate::auth::AuthUser;
use crate::db::transactions::{TransactionExport, TransactionRecord};
use crate::domain::{TransactionFilters, TransactionParams};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;
use futures_util::TryStreamExt;
use sqlx::PgPool;
use std::borrow::Cow;
use std::io;
use tally_shared::api::transactions::TransactionFilter;
use tally_shared::ids::UserId;
use tally_shared::ApiError as ApiErrorBody;
use tokio::sync::mpsc;
use tracing::Instrument;

/// A chunk is sent once this much CSV has accumulated.
const CHUNK_BYTES: usize = 32 * 1024;
/// Chunks waiting for a slow client; the task pauses when they are all taken.
const CHUNKS_IN_FLIGHT: usize = 4;

const COLUMNS: [&str; 11] = [
    "date",
    "authorized_date",
    "name",
    "merchant_name",
    "amount",
    "currency",
    "category_primary",
    "category_detailed",
    "account",
    "pending",
    "payment_channel",
];

type Chunk = Result<Bytes, io::Error>;

#[utoipa::path(get, path = "/api/transactions/export.csv", tag = "banking",
    params(TransactionFilter),
    responses((status = 200, description = "Every matching transaction, newest first (`cursor` and `limit` are ignored)",
               content_type = "text/csv", body = String),
              (status = 422, description = "A filter is invalid; `fields` names it", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "export transactions", skip_all, fields(user_id = %user.user_id))]
pub(super) async fn export_csv(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<TransactionParams>,
) -> Result<HttpResponse, ApiError> {
    let filters = TransactionFilters::parse(&params).map_err(ApiError::Validation)?;
    let (sender, mut receiver) = mpsc::channel::<Chunk>(CHUNKS_IN_FLIGHT);
    actix_web::rt::spawn(
        write_csv(state.db.clone(), user.user_id, filters, sender).in_current_span(),
    );
    let body = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let filename = format!(
        "tally-transactions-{}.csv",
        chrono::Utc::now().date_naive().format("%Y-%m-%d")
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(body))
}

/// Streams the CSV into `sender`. A database error after the headers went out can only cut the
/// download short: it is logged and the body ends with an error, so the client sees a failed
/// transfer rather than a file that looks complete.
async fn write_csv(
    db: PgPool,
    user_id: UserId,
    filters: TransactionFilters,
    sender: mpsc::Sender<Chunk>,
) {
    let mut export = TransactionExport::new(user_id, &filters);
    let mut rows = export.rows(&db);
    let mut csv = chunk_writer();
    let mut exported = 0_u64;
    let outcome = match csv.write_record(COLUMNS) {
        Err(error) => Err(io::Error::from(error)),
        Ok(()) => loop {
            let row = match rows.try_next().await {
                Ok(Some(row)) => row,
                Ok(None) => break take(&mut csv),
                Err(error) => break Err(io::Error::other(error)),
            };
            exported += 1;
            let cells = record(&row);
            if let Err(error) = csv.write_record(cells.iter().map(|cell| cell.as_bytes())) {
                break Err(error.into());
            }
            if csv.get_ref().len() < CHUNK_BYTES {
                continue;
            }
            let chunk = match take(&mut csv) {
                Ok(chunk) => chunk,
                Err(error) => break Err(error),
            };
            if sender.send(Ok(chunk)).await.is_err() {
                tracing::info!(exported, "export abandoned by the client");
                return;
            }
        },
    };
    match outcome {
        Ok(last) => {
            let _ = sender.send(Ok(last)).await;
            tracing::info!(exported, "transactions exported");
        }
        Err(error) => {
            tracing::error!(error = ?error, exported, "export failed part way");
            let _ = sender
                .send(Err(io::Error::other("the export failed part way")))
                .await;
        }
    }
}

/// A CSV writer for one chunk. Its own small buffer reaches the `Vec` as it fills.
fn chunk_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(Vec::with_capacity(CHUNK_BYTES + 8 * 1024))
}

/// The CSV written so far, leaving a fresh writer in its place.
fn take(csv: &mut csv::Writer<Vec<u8>>) -> Result<Bytes, io::Error> {
    std::mem::replace(csv, chunk_writer())
        .into_inner()
        .map(Bytes::from)
        .map_err(|error| error.into_error())
}

fn record(row: &TransactionRecord) -> [Cow<'_, str>; 11] {
    [
        Cow::Owned(row.date.to_string()),
        Cow::Owned(
            row.authorized_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        text(&row.name),
        optional(&row.merchant_name),
        // A plain decimal number: a leading `-` here is a sign, not a formula.
        Cow::Owned(row.amount.to_string()),
        optional(&row.currency),
        optional(&row.category_primary),
        optional(&row.category_detailed),
        text(&row.account_name),
        Cow::Borrowed(if row.pending { "true" } else { "false" }),
        text(&row.payment_channel),
    ]
}

fn optional(value: &Option<String>) -> Cow<'_, str> {
    value.as_deref().map_or(Cow::Borrowed(""), text)
}

/// A text cell that a spreadsheet will not run as a formula: one that starts like a formula
/// gets a leading `'` (OWASP's advice for CSV injection).
fn text(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn cells_that_look_like_formulas_are_defused() {
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(text(formula), format!("'{formula}"));
        }
        for plain in ["Coffee", "", "a=b", "'quoted"] {
            assert_eq!(text(plain), plain);
        }
    }
}
