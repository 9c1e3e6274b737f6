use super::{get, ClientError};
use chrono::NaiveDate;
use tally_shared::api::insights::{NetWorth, NetWorthHistory, Spending};

/// `GET /api/insights/net-worth`: assets, liabilities and net worth now, per currency.
pub async fn net_worth() -> Result<NetWorth, ClientError> {
    get("/api/insights/net-worth").await
}

/// `GET /api/insights/net-worth/history`: net worth day by day from `from` to `to` (inclusive);
/// by default the 90 days up to the server's today.
pub async fn net_worth_history(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<NetWorthHistory, ClientError> {
    let bounds: Vec<String> = [("from", from), ("to", to)]
        .into_iter()
        .filter_map(|(name, day)| day.map(|day| format!("{name}={day}")))
        .collect();
    let url = format!("/api/insights/net-worth/history?{}", bounds.join("&"));
    get(&url).await
}

/// `GET /api/insights/spending`: spending by category and top merchants from `from` to `to`.
pub async fn spending(
    from: NaiveDate,
    to: NaiveDate,
    include_pending: bool,
) -> Result<Spending, ClientError> {
    let url =
        format!("/api/insights/spending?from={from}&to={to}&include_pending={include_pending}");
    get(&url).await
}
