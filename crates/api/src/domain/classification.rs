//! How Plaid's account types count in the insights. The SQL in `db::net_worth` receives this
//! list as a parameter, so the rule lives here and only here.

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
