use super::{get, read_empty, send_json, ClientError};
use gloo_net::http::Request;
use tally_shared::api::budgets::{BudgetCopy, BudgetInput, BudgetMonth, BudgetsCopied};
use tally_shared::ids::CategoryId;

/// The month's budgets (`YYYY-MM`), or this month's (as the server counts months) when none.
pub async fn month(month: Option<String>) -> Result<BudgetMonth, ClientError> {
    match month {
        Some(month) => get(&format!("/api/budgets?month={month}")).await,
        None => get("/api/budgets").await,
    }
}

/// A 422 names each invalid field (`amount`, `currency`, `from_month`, `category_id`).
pub async fn set(category_id: CategoryId, input: &BudgetInput) -> Result<BudgetMonth, ClientError> {
    send_json(Request::put(&format!("/api/budgets/{category_id}")), input).await
}

/// Ends the budget from `from_month` onward; the months before keep theirs.
pub async fn end(category_id: CategoryId, from_month: &str) -> Result<(), ClientError> {
    let url = format!("/api/budgets/{category_id}?from_month={from_month}");
    read_empty(Request::delete(&url).send().await?).await
}

pub async fn copy(from_month: &str, to_month: &str) -> Result<BudgetsCopied, ClientError> {
    let body = BudgetCopy {
        from_month: from_month.to_owned(),
        to_month: to_month.to_owned(),
    };
    send_json(Request::post("/api/budgets/copy"), &body).await
}
