use super::{get, ClientError};
use chrono::NaiveDate;
use tally_shared::api::insights::{CashFlow, NetWorth, NetWorthHistory, Spending, Upcoming};

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

/// `GET /api/insights/upcoming`: the bills and income predicted for the `days` days from today.
pub async fn upcoming(days: u32) -> Result<Upcoming, ClientError> {
    get(&format!("/api/insights/upcoming?days={days}")).await
}

/// `GET /api/insights/cash-flow`: the depository balance day by day over the `days` days from
/// today, moved by the predicted bills and income.
pub async fn cash_flow(days: u32) -> Result<CashFlow, ClientError> {
    get(&format!("/api/insights/cash-flow?days={days}")).await
}
