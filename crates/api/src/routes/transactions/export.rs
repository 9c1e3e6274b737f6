//! `GET /api/transactions/export.csv`: every matching transaction, streamed as CSV.
//!
//! A task reads the rows a keyset page at a time, each page under a statement timeout and on a
//! connection it gives back before anything waits for the client, and sends the CSV in chunks
//! through a small bounded channel: neither the rows nor the file are ever all in memory, and a
//! slow client slows the export down without holding a database connection. A client that
//! stops reading for `SEND_TIMEOUT`, or goes away, ends the task. Exports are capped at
//! `quotas::EXPORTS_PER_USER` per person and `quotas::EXPORTS_IN_ALL` at once.

use crate::auth::AuthUser;
use crate::db;
use crate::db::transactions::TransactionRecord;
use crate::domain::{PageRequest, TransactionFilters, TransactionParams};
use crate::error::ApiError;
use crate::quotas::ExportSlot;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::HttpResponse;
use sqlx::PgPool;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io;
use std::task::Poll;
use std::time::Duration;
use tally_shared::api::transactions::TransactionFilter;
use tally_shared::ids::{CategoryId, UserId};
use tally_shared::ApiError as ApiErrorBody;
use tokio::sync::mpsc;
use tracing::Instrument;

/// A chunk is sent once this much CSV has accumulated.
const CHUNK_BYTES: usize = 32 * 1024;
/// Chunks waiting for a slow client; the task pauses when they are all taken.
const CHUNKS_IN_FLIGHT: usize = 4;
/// Rows read per query.
const PAGE_ROWS: u32 = 1_000;
/// The longest one page's query may run.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a chunk may wait for the client to take it before the export is given up.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

const COLUMNS: [&str; 18] = [
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
    // The person's labels: the effective values, then what Plaid's codes mean.
    "category",
    "plaid_category",
    "display_name",
    "notes",
    "tags",
    "hidden",
    // `Groceries 6.25; Household 3.75`, in the split's order.
    "splits",
];

/// What the task hands the response body. The body ends cleanly only after `End`; if the task
/// stops without it, the body ends with an error, so the client sees a failed transfer rather
/// than a file that looks complete.
enum Piece {
    Csv(Bytes),
    End,
}

#[utoipa::path(get, path = "/api/transactions/export.csv", tag = "banking",
    params(TransactionFilter),
    responses((status = 200, description = "Every matching transaction, newest first (`cursor` and `limit` are ignored)",
               content_type = "text/csv", body = String),
              (status = 422, description = "A filter is invalid; `fields` names it", body = ApiErrorBody),
              (status = 429, description = "Two of my exports are already running, or the server is busy with others; see `Retry-After`", body = ApiErrorBody),
              (status = 401, body = ApiErrorBody)))]
#[tracing::instrument(name = "export transactions", skip_all, fields(user_id = %user.user_id))]
pub(super) async fn export_csv(
    state: web::Data<AppState>,
    user: AuthUser,
    params: web::Query<TransactionParams>,
) -> Result<HttpResponse, ApiError> {
    let filters = TransactionFilters::parse(&params).map_err(ApiError::Validation)?;
    let slot = state.quotas.export(user.user_id)?;
    let (sender, mut receiver) = mpsc::channel::<Piece>(CHUNKS_IN_FLIGHT);
    actix_web::rt::spawn(
        write_csv(state.db.clone(), user.user_id, filters, sender, slot).in_current_span(),
    );
    let mut ended = false;
    let body = futures_util::stream::poll_fn(move |cx| {
        if ended {
            return Poll::Ready(None);
        }
        receiver.poll_recv(cx).map(|piece| match piece {
            Some(Piece::Csv(bytes)) => Some(Ok(bytes)),
            Some(Piece::End) => {
                ended = true;
                None
            }
            None => {
                ended = true;
                Some(Err(io::Error::other("the export ended part way")))
            }
        })
    });
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

/// Why an export stopped before its end.
enum Stopped {
    ClientGone,
    ClientStalled,
    Failed(io::Error),
}

impl From<io::Error> for Stopped {
    fn from(error: io::Error) -> Self {
        Self::Failed(error)
    }
}

impl From<csv::Error> for Stopped {
    fn from(error: csv::Error) -> Self {
        Self::Failed(error.into())
    }
}

/// Streams the CSV into `sender`, holding `_slot` until it is done. A failure after the headers
/// went out can only cut the download short: it is logged, and the body ends with an error.
async fn write_csv(
    db: PgPool,
    user_id: UserId,
    filters: TransactionFilters,
    sender: mpsc::Sender<Piece>,
    _slot: ExportSlot,
) {
    let mut exported = 0_u64;
    match write_pages(&db, user_id, &filters, &sender, &mut exported).await {
        Ok(()) => tracing::info!(exported, "transactions exported"),
        Err(Stopped::ClientGone) => tracing::info!(exported, "export abandoned by the client"),
        Err(Stopped::ClientStalled) => {
            tracing::info!(exported, "export given up: the client stopped reading")
        }
        Err(Stopped::Failed(error)) => {
            tracing::error!(error = ?error, exported, "export failed part way")
        }
    }
}

async fn write_pages(
    db: &PgPool,
    user_id: UserId,
    filters: &TransactionFilters,
    sender: &mpsc::Sender<Piece>,
    exported: &mut u64,
) -> Result<(), Stopped> {
    // Plaid's category and split parts are written by name, as the person sees them.
    let names: CategoryNames = db::categories::list(db, user_id)
        .await
        .map_err(|error| Stopped::Failed(io::Error::other(error)))?
        .into_iter()
        .map(|category| (category.category_id, category.name))
        .collect();
    let mut csv = chunk_writer();
    csv.write_record(COLUMNS)?;
    let mut after = None;
    loop {
        let request = PageRequest {
            after,
            limit: PAGE_ROWS,
        };
        let (rows, next) =
            db::transactions::page_within(db, STATEMENT_TIMEOUT, user_id, filters, request)
                .await
                .map_err(|error| Stopped::Failed(io::Error::other(error)))?;
        // The connection is back in the pool: waiting for the client below holds none.
        for row in &rows {
            csv.write_record(record(row, &names).iter().map(|cell| cell.as_bytes()))?;
            *exported += 1;
            if csv.get_ref().len() >= CHUNK_BYTES {
                send(sender, Piece::Csv(take(&mut csv)?)).await?;
            }
        }
        match next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    send(sender, Piece::Csv(take(&mut csv)?)).await?;
    send(sender, Piece::End).await
}

async fn send(sender: &mpsc::Sender<Piece>, piece: Piece) -> Result<(), Stopped> {
    match tokio::time::timeout(SEND_TIMEOUT, sender.send(piece)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(Stopped::ClientGone),
        Err(_) => Err(Stopped::ClientStalled),
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

/// Each category's name, as the person sees it.
type CategoryNames = HashMap<CategoryId, String>;

fn record<'a>(row: &'a TransactionRecord, names: &'a CategoryNames) -> [Cow<'a, str>; 18] {
    let name_of = |id: &CategoryId| names.get(id).map_or_else(|| id.to_string(), Clone::clone);
    let splits = row
        .splits
        .0
        .iter()
        .map(|part| format!("{} {}", name_of(&part.category_id), part.amount))
        .collect::<Vec<_>>()
        .join("; ");
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
        flag(row.pending),
        text(&row.payment_channel),
        text(&row.category_name),
        Cow::Owned(text(&name_of(&row.plaid_category_id)).into_owned()),
        optional(&row.display_name),
        optional(&row.notes),
        // Tags hold no commas (`domain::labels`).
        Cow::Owned(text(&row.tags.join(", ")).into_owned()),
        flag(row.hidden),
        Cow::Owned(text(&splits).into_owned()),
    ]
}

fn flag(value: bool) -> Cow<'static, str> {
    Cow::Borrowed(if value { "true" } else { "false" })
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
