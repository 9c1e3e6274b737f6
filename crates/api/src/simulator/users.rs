//! Plaid's sandbox test users (`reference/plaid-api.md` §7.1) and the accounts they have.

use super::error::SimError;
use rust_decimal::Decimal;

/// Who logged in, decided by the sandbox username and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxUser {
    /// `user_good` / `pass_good`: the default static item.
    Good,
    /// `user_transactions_dynamic`: each refresh posts pending transactions and adds new ones.
    TransactionsDynamic,
    /// `user_custom` with a JSON password choosing accounts, currency, size and history.
    Custom(CustomUser),
}

/// A custom user's password, e.g.
/// `{"transactions": 250000, "history_days": 730, "currency": "EUR", "seed": 7,
///   "accounts": [{"type": "depository", "subtype": "checking", "balance": "1520.10"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomUser {
    /// About how many transactions the history should hold.
    #[serde(default)]
    pub transactions: Option<u32>,
    #[serde(default)]
    pub history_days: Option<u32>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub accounts: Option<Vec<CustomAccount>>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomAccount {
    #[serde(rename = "type")]
    pub account_type: String,
    pub subtype: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub mask: Option<String>,
    /// Money owed for credit and loan accounts.
    #[serde(with = "rust_decimal::serde::str")]
    pub balance: Decimal,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub limit: Option<Decimal>,
}

/// Everyday activity makes about two transactions a day; larger histories add purchases.
const TYPICAL_PER_DAY: u32 = 2;

impl SandboxUser {
    /// Days of history an item starts with (Plaid's maximum unless a custom user says less).
    pub fn history_days(&self, requested: u32) -> u32 {
        match self {
            Self::Custom(custom) => custom.history_days.unwrap_or(requested).clamp(1, 730),
            _ => requested,
        }
    }

    /// Extra purchases a day needed to reach a custom user's transaction count.
    pub fn extra_per_day(&self, history_days: u32) -> u32 {
        match self {
            Self::Custom(CustomUser {
                transactions: Some(target),
                ..
            }) => target
                .div_ceil(history_days.max(1))
                .saturating_sub(TYPICAL_PER_DAY),
            _ => 0,
        }
    }

    pub fn seed(&self) -> Option<u64> {
        match self {
            Self::Custom(custom) => custom.seed,
            _ => None,
        }
    }
}

/// Checks a sandbox login. `error_<CODE>` passwords fail with that code, as in Plaid's sandbox.
pub fn log_in(username: &str, password: &str) -> Result<SandboxUser, SimError> {
    if let Some(code) = password.strip_prefix("error_") {
        return Err(SimError::link_failure(code));
    }
    match (username, password) {
        ("user_good", "pass_good") => Ok(SandboxUser::Good),
        ("user_good", password) if Mfa::for_password(password).is_some() => Ok(SandboxUser::Good),
        ("user_transactions_dynamic", password) if !password.trim().is_empty() => {
            Ok(SandboxUser::TransactionsDynamic)
        }
        ("user_custom", config) => {
            let custom: CustomUser = serde_json::from_str(config).map_err(|e| {
                SimError::invalid_field(format!(
                    "user_custom's password is not a valid config: {e}"
                ))
            })?;
            if custom
                .currency
                .as_deref()
                .is_some_and(|c| tally_shared::CurrencyCode::parse(c).is_err())
            {
                return Err(SimError::invalid_field(
                    "user_custom: currency must be an ISO 4217 code",
                ));
            }
            Ok(SandboxUser::Custom(custom))
        }
        _ => Err(SimError::link_failure("INVALID_CREDENTIALS")),
    }
}

/// A bank's extra verification step, chosen by the sandbox password (§7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mfa {
    /// `code`, `questions` or `selections`.
    pub kind: &'static str,
    /// How many prompts in all.
    pub rounds: u32,
}

impl Mfa {
    pub fn for_password(password: &str) -> Option<Self> {
        if password == "mfa_device" {
            return Some(Self {
                kind: "code",
                rounds: 1,
            });
        }
        if password == "mfa_selections" {
            return Some(Self {
                kind: "selections",
                rounds: 1,
            });
        }
        let rest = password.strip_prefix("mfa_questions_")?;
        let (rounds, questions) = rest.split_once('_')?;
        let rounds: u32 = rounds.parse().ok().filter(|n| (1..=9).contains(n))?;
        let questions: u32 = questions.parse().ok().filter(|n| (1..=9).contains(n))?;
        Some(Self {
            kind: "questions",
            rounds: rounds * questions,
        })
    }

    /// The prompt and expected answer of prompt number `index` (0-based).
    pub fn prompt(&self, index: u32) -> (String, String) {
        match self.kind {
            "code" => (
                "Enter the code sent to your device (sandbox: 1234)".to_owned(),
                "1234".to_owned(),
            ),
            "selections" => (
                "Do you recognise this device? (sandbox: Yes)".to_owned(),
                "Yes".to_owned(),
            ),
            _ => {
                let answer = format!("answer_{}_{}", index / 3 + 1, index % 3 + 1);
                (
                    format!("Security question {} (sandbox: {answer})", index + 1),
                    answer,
                )
            }
        }
    }
}

/// One account as the sandbox creates it.
pub struct AccountSeed {
    pub name: String,
    pub official_name: Option<&'static str>,
    pub mask: String,
    pub account_type: String,
    pub subtype: String,
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
    let account = |name: &str,
                   official_name,
                   mask: &str,
                   account_type: &str,
                   subtype: &str,
                   available,
                   current,
                   limit,
                   holder| {
        AccountSeed {
            name: name.to_owned(),
            official_name,
            mask: mask.to_owned(),
            account_type: account_type.to_owned(),
            subtype: subtype.to_owned(),
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

/// The accounts a user's item gets.
pub fn accounts_for(user: &SandboxUser) -> Vec<AccountSeed> {
    let Some(custom) = (match user {
        SandboxUser::Custom(custom) => custom.accounts.as_ref(),
        _ => None,
    }) else {
        return default_accounts();
    };
    custom
        .iter()
        .zip(1000_u32..)
        .map(|(account, number)| {
            let owed = matches!(account.account_type.as_str(), "credit" | "loan");
            let available = match (owed, account.limit) {
                (false, _) => Some(account.balance),
                (true, Some(limit)) => Some(limit - account.balance),
                (true, None) => None,
            };
            AccountSeed {
                name: account
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("Custom {}", account.subtype)),
                official_name: None,
                mask: account.mask.clone().unwrap_or_else(|| number.to_string()),
                account_type: account.account_type.clone(),
                subtype: account.subtype.clone(),
                available,
                current: account.balance,
                limit: account.limit,
                holder_category: None,
            }
        })
        .collect()
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
        assert_eq!(
            (card.account_type.as_str(), card.subtype.as_str()),
            ("credit", "credit card")
        );
        assert_eq!(card.limit, Some(Decimal::new(2000, 0)));
    }
}
