//! How Plaid's account types and transaction categories count in the insights. The SQL in
//! `db::net_worth` and `db::spending` receives these as parameters, so the rules live here and
//! only here.

/// Account types whose `current_balance` is money owed (Plaid: "credit/loan: positive = amount
/// owed"). They are liabilities; every other type is an asset:
/// - `depository`, `investment`, `brokerage` (legacy) and `other` hold value, and Plaid reports
///   their `current` as what they hold.
/// - A type Plaid adds later (say `crypto_wallet`) also counts as an asset, under its own type
///   name, so nothing is hidden and the user sees exactly what was counted. Plaid defines the
///   "amount owed" meaning of `current` for credit and loan only, so for any other type a positive
///   balance is something held. Should Plaid ever add a debt type, it goes on this list.
///
/// The sign is kept as reported on both sides: an overdrawn checking account lowers assets and an
/// overpaid credit card (a negative amount owed) lowers liabilities.
pub const LIABILITY_ACCOUNT_TYPES: &[&str] = &["credit", "loan"];

/// Personal finance category primaries (PFC v1 and v2) that move money between the user's own
/// pockets or into them, and so are not spending: transfers, loan payments (the purchases were
/// already counted on the card, or the principal is a balance-sheet change), loan disbursements
/// and income. `BANK_FEES` is spending and is not here. Spending now goes by each category's
/// kind for the person; Plaid's categories start with these kinds (the categories migration),
/// which a test holds equal to this list.
pub const NOT_SPENDING_CATEGORIES: &[&str] = &[
    "TRANSFER_IN",
    "TRANSFER_OUT",
    "LOAN_PAYMENTS",
    "LOAN_DISBURSEMENTS",
    "INCOME",
];

/// PFC v2's primary for what Plaid could not categorise; a transaction without any category is
/// counted under it too (`OTHER_OTHER`), and money in under it is not a refund.
pub const UNCATEGORISED_PRIMARY: &str = "OTHER";
