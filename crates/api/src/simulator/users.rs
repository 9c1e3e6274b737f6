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

/// The most a custom user may ask for, so that no one request can make the simulator generate
/// (and store) without bound.
pub const MAX_CUSTOM_TRANSACTIONS: u32 = 1_000_000;
/// Ten years.
pub const MAX_CUSTOM_HISTORY_DAYS: u32 = 3_650;
/// A day's purchases are made in memory at once, and every day the clock moves makes as many.
pub const MAX_CUSTOM_TRANSACTIONS_PER_DAY: u32 = 2_000;
pub const MAX_CUSTOM_ACCOUNTS: usize = 100;

/// How much history a new item starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    pub days: u32,
    /// Purchases a day beyond everyday activity, also on every later day.
    pub extra_per_day: u32,
}

impl SandboxUser {
    /// The history an item starts with: `requested` days (Plaid's `days_requested`) unless a
    /// custom user says otherwise, dense enough for a custom user's transaction count.
    pub fn history(&self, requested: u32) -> Result<History, SimError> {
        let Self::Custom(custom) = self else {
            return Ok(History {
                days: requested,
                extra_per_day: 0,
            });
        };
        let days = custom.history_days.unwrap_or(requested).max(1);
        let per_day = custom.transactions.unwrap_or(0).div_ceil(days);
        if per_day > MAX_CUSTOM_TRANSACTIONS_PER_DAY {
            return Err(SimError::invalid_field(format!(
                "user_custom: at most {MAX_CUSTOM_TRANSACTIONS_PER_DAY} transactions a day; \
                 {} over {days} days is more (ask for fewer transactions or a longer history_days)",
                custom.transactions.unwrap_or(0)
            )));
        }
        Ok(History {
            days,
            extra_per_day: per_day.saturating_sub(TYPICAL_PER_DAY),
        })
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
            custom.check_limits()?;
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

impl CustomUser {
    fn check_limits(&self) -> Result<(), SimError> {
        if self
            .transactions
            .is_some_and(|count| count > MAX_CUSTOM_TRANSACTIONS)
        {
            return Err(SimError::invalid_field(format!(
                "user_custom: transactions must be at most {MAX_CUSTOM_TRANSACTIONS}"
            )));
        }
        if self
            .history_days
            .is_some_and(|days| !(1..=MAX_CUSTOM_HISTORY_DAYS).contains(&days))
        {
            return Err(SimError::invalid_field(format!(
                "user_custom: history_days must be between 1 and {MAX_CUSTOM_HISTORY_DAYS} (10 years)"
            )));
        }
        if self
            .accounts
            .as_ref()
            .is_some_and(|accounts| accounts.len() > MAX_CUSTOM_ACCOUNTS)
        {
            return Err(SimError::invalid_field(format!(
                "user_custom: at most {MAX_CUSTOM_ACCOUNTS} accounts"
            )));
        }
        Ok(())
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
    fn custom_users_are_refused_past_each_limit_by_name() {
        let custom = |config: &str| log_in("user_custom", config);
        let refused = |config: &str, limit: &str| {
            let error = custom(config)
                .and_then(|user| user.history(730))
                .unwrap_err();
            assert_eq!(error.code(), "INVALID_FIELD", "{config}");
            assert!(error.to_string().contains(limit), "{config}: {error}");
        };
        refused(
            r#"{"transactions": 1000001, "history_days": 3650}"#,
            "1000000",
        );
        refused(r#"{"history_days": 3651}"#, "3650");
        refused(r#"{"history_days": 0}"#, "3650");
        refused(
            r#"{"transactions": 4001, "history_days": 2}"#,
            "2000 transactions a day",
        );
        let accounts = vec![r#"{"type":"depository","subtype":"checking","balance":"1"}"#; 101];
        refused(
            &format!(r#"{{"accounts": [{}]}}"#, accounts.join(",")),
            "100 accounts",
        );

        let largest = custom(r#"{"transactions": 1000000, "history_days": 3650}"#).unwrap();
        assert_eq!(
            largest.history(730).unwrap(),
            History {
                days: 3650,
                extra_per_day: 272
            }
        );
        let dense = custom(r#"{"transactions": 4000}"#).unwrap();
        assert_eq!(dense.history(2).unwrap().extra_per_day, 1998);
        assert_eq!(SandboxUser::Good.history(90).unwrap().days, 90);
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
