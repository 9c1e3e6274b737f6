//! Plaid's sandbox test users (`reference/plaid-api.md` §7.1) and the accounts they have.

use super::error::SimError;
use rust_decimal::Decimal;

/// Who logged in, decided by the sandbox username and password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SandboxUser {
    /// `user_good` / `pass_good`: the default static item.
    Good,
    /// `user_transactions_dynamic`: each refresh posts pending transactions and adds new ones.
    TransactionsDynamic,
}

/// Checks a sandbox login. `error_<CODE>` passwords fail with that code, as in Plaid's sandbox.
pub fn log_in(username: &str, password: &str) -> Result<SandboxUser, SimError> {
    if let Some(code) = password.strip_prefix("error_") {
        return Err(SimError::link_failure(code));
    }
    match (username, password) {
        ("user_good", "pass_good") => Ok(SandboxUser::Good),
        ("user_transactions_dynamic", password) if !password.trim().is_empty() => {
            Ok(SandboxUser::TransactionsDynamic)
        }
        _ => Err(SimError::link_failure("INVALID_CREDENTIALS")),
    }
}

/// One account as the sandbox creates it.
pub struct AccountSeed {
    pub name: &'static str,
    pub official_name: Option<&'static str>,
    pub mask: &'static str,
    pub account_type: &'static str,
    pub subtype: &'static str,
    pub available: Option<Decimal>,
    pub current: Decimal,
    pub limit: Option<Decimal>,
    pub holder_category: Option<&'static str>,
}

fn money(units: i64, cents: u32) -> Decimal {
    Decimal::new(units, 0) + Decimal::new(i64::from(cents), 2)
}

/// `user_good`'s accounts: Plaid's names, masks and balances (§7.3).
pub fn default_accounts() -> Vec<AccountSeed> {
    let account =
        |name, official_name, mask, account_type, subtype, available, current, limit, holder| {
            AccountSeed {
                name,
                official_name,
                mask,
                account_type,
                subtype,
                available,
                current,
                limit,
                holder_category: holder,
            }
        };
    vec![
        account(
            "Plaid Checking",
            Some("Plaid Gold Standard 0% Interest Checking"),
            "0000",
            "depository",
            "checking",
            Some(money(100, 0)),
            money(110, 0),
            None,
            Some("personal"),
        ),
        account(
            "Plaid Saving",
            Some("Plaid Silver Standard 0.1% Interest Saving"),
            "1111",
            "depository",
            "savings",
            Some(money(200, 0)),
            money(210, 0),
            None,
            Some("personal"),
        ),
        account(
            "Plaid CD",
            Some("Plaid Bronze Standard 0.2% Interest CD"),
            "2222",
            "depository",
            "cd",
            None,
            money(1000, 0),
            None,
            None,
        ),
        account(
            "Plaid Credit Card",
            Some("Plaid Diamond 12.5% APR Interest Credit Card"),
            "3333",
            "credit",
            "credit card",
            None,
            money(410, 0),
            Some(money(2000, 0)),
            None,
        ),
        account(
            "Plaid Money Market",
            Some("Plaid Platinum Standard 1.85% Interest Money Market"),
            "4444",
            "depository",
            "money market",
            Some(money(43200, 0)),
            money(43200, 0),
            None,
            None,
        ),
        account(
            "Plaid IRA",
            None,
            "5555",
            "investment",
            "ira",
            None,
            money(320, 76),
            None,
            None,
        ),
        account(
            "Plaid 401k",
            None,
            "6666",
            "investment",
            "401k",
            None,
            Decimal::new(236_319_805, 4),
            None,
            None,
        ),
        account(
            "Plaid Student Loan",
            None,
            "7777",
            "loan",
            "student",
            None,
            money(65262, 0),
            None,
            Some("personal"),
        ),
        account(
            "Plaid Mortgage",
            None,
            "8888",
            "loan",
            "mortgage",
            None,
            money(56302, 6),
            None,
            None,
        ),
        account(
            "Plaid HSA",
            Some("Plaid Cares Health Savings Account"),
            "9001",
            "depository",
            "hsa",
            Some(money(6009, 0)),
            money(6009, 0),
            None,
            None,
        ),
        account(
            "Plaid Cash Management",
            Some("Plaid Growth Cash Management"),
            "9002",
            "depository",
            "cash management",
            Some(money(12060, 0)),
            money(12060, 0),
            None,
            None,
        ),
        account(
            "Plaid Business Credit Card",
            Some("Plaid Platinum Small Business Credit Card"),
            "9999",
            "credit",
            "credit card",
            Some(money(4980, 0)),
            money(5020, 0),
            Some(money(10000, 0)),
            Some("business"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_logins_follow_plaids_rules() {
        assert_eq!(log_in("user_good", "pass_good").unwrap(), SandboxUser::Good);
        assert_eq!(
            log_in("user_transactions_dynamic", "anything").unwrap(),
            SandboxUser::TransactionsDynamic
        );
        assert_eq!(
            log_in("user_good", "nope").unwrap_err().code(),
            "INVALID_CREDENTIALS"
        );
        assert_eq!(
            log_in("user_transactions_dynamic", " ").unwrap_err().code(),
            "INVALID_CREDENTIALS"
        );
        assert_eq!(
            log_in("user_good", "error_ITEM_LOCKED").unwrap_err().code(),
            "ITEM_LOCKED"
        );
        assert_eq!(
            log_in("anyone", "error_INSTITUTION_DOWN")
                .unwrap_err()
                .code(),
            "INSTITUTION_DOWN"
        );
    }

    #[test]
    fn default_accounts_match_plaids_sandbox() {
        let accounts = default_accounts();
        assert_eq!(accounts.len(), 12);
        let k401 = accounts.iter().find(|a| a.mask == "6666").unwrap();
        assert_eq!(k401.current.to_string(), "23631.9805");
        let mortgage = accounts.iter().find(|a| a.mask == "8888").unwrap();
        assert_eq!(mortgage.current.to_string(), "56302.06");
        let card = accounts.iter().find(|a| a.mask == "3333").unwrap();
        assert_eq!((card.account_type, card.subtype), ("credit", "credit card"));
        assert_eq!(card.limit, Some(Decimal::new(2000, 0)));
    }
}
