//! Transfers between a person's own accounts: which candidate pairs the sync makes, and whether
//! two transactions may be paired by hand.
//!
//! The sync pairs money leaving one account with the same amount arriving in another of the
//! person's accounts, in the same currency, within `MAX_DAYS_APART` days, when Plaid files both
//! as money moving between accounts (`TRANSFER_IN`, `TRANSFER_OUT`, `LOAN_PAYMENTS`, written out
//! in `db::transfers` as in the transfers migration's index, so the planner uses it: a transfer
//! to savings and its deposit, a credit-card payment and the payment the card receives, a loan
//! payment and what the loan account receives). A purchase and an unrelated refund of the same
//! amount are not paired; the person can pair anything by hand.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashSet;
use tally_shared::ids::{AccountId, TransactionId};

/// The most days between the two sides of a pair the sync makes.
pub const MAX_DAYS_APART: i32 = 4;

/// Two transactions the sync could pair: `out` left an account, `into` arrived in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub out: TransactionId,
    pub into: TransactionId,
    pub out_date: NaiveDate,
    pub into_date: NaiveDate,
}

impl Candidate {
    fn days_apart(&self) -> i64 {
        (self.into_date - self.out_date).num_days().abs()
    }
}

/// The pairs to make among `candidates`, each transaction in one pair at most. When a
/// transaction has more than one candidate, the closest in date wins, then the older pair
/// (money arriving before it left counts from its earlier date), then the earlier stored
/// transactions (ids are time-ordered), so the same transactions always pair the same way.
pub fn choose(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by_key(|c| (c.days_apart(), c.out_date.min(c.into_date), c.out, c.into));
    let mut taken: HashSet<TransactionId> = HashSet::new();
    candidates
        .into_iter()
        .filter(|c| {
            if taken.contains(&c.out) || taken.contains(&c.into) {
                return false;
            }
            taken.insert(c.out);
            taken.insert(c.into);
            true
        })
        .collect()
}

/// What a hand pair needs to know of each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub transaction_id: TransactionId,
    pub account_id: AccountId,
    pub amount: Decimal,
    pub currency: Option<String>,
    pub pending: bool,
    pub transfer_pair_id: Option<TransactionId>,
}

/// Why two transactions cannot be paired by hand.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not a pair of two: the fix is in the request.
    #[error("{0}")]
    Invalid(String),
    /// One of them is already another transaction's partner: unpair it first.
    #[error("{0}")]
    Taken(String),
}

/// Whether `one` and `other` may be paired by hand: two posted transactions in different
/// accounts, in the same currency, one money out and the other money in, neither paired with a
/// third. Paired with each other already is fine (the pair becomes the person's).
pub fn check_hand_pair(one: &Side, other: &Side) -> Result<(), Refusal> {
    let invalid = |why: &str| Err(Refusal::Invalid(why.to_owned()));
    if one.transaction_id == other.transaction_id {
        return invalid("A transaction cannot be a transfer to itself.");
    }
    if one.account_id == other.account_id {
        return invalid(
            "Both transactions are in the same account; a transfer moves money between two.",
        );
    }
    if one.pending || other.pending {
        return invalid("A pending transaction can be paired once it posts.");
    }
    if one.currency.is_none() || one.currency != other.currency {
        return invalid("A transfer's two sides must be in the same currency.");
    }
    let opposite = (one.amount.is_sign_positive() && other.amount.is_sign_negative())
        || (one.amount.is_sign_negative() && other.amount.is_sign_positive());
    if one.amount.is_zero() || other.amount.is_zero() || !opposite {
        return invalid("A transfer is money leaving one account and arriving in the other: one amount must be positive and the other negative.");
    }
    for side in [one, other] {
        let partner = [one, other]
            .into_iter()
            .find(|s| s.transaction_id != side.transaction_id)
            .map(|s| s.transaction_id);
        if side.transfer_pair_id.is_some() && side.transfer_pair_id != partner {
            return Err(Refusal::Taken(format!(
                "Transaction {} is already paired with another; unpair it first.",
                side.transaction_id
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn id(n: u128) -> TransactionId {
        TransactionId(Uuid::from_u128(n))
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn candidate(out: u128, into: u128, out_day: u32, into_day: u32) -> Candidate {
        Candidate {
            out: id(out),
            into: id(into),
            out_date: day(out_day),
            into_date: day(into_day),
        }
    }

    #[test]
    fn pairs_each_transaction_once_closest_date_first() {
        // Two transfers of the same amount two days apart, each arriving the day it left: the
        // crossed candidates (two days apart) lose to the straight ones.
        let chosen = choose(vec![
            candidate(1, 4, 1, 3),
            candidate(1, 3, 1, 1),
            candidate(2, 3, 3, 1),
            candidate(2, 4, 3, 3),
        ]);
        assert_eq!(chosen, vec![candidate(1, 3, 1, 1), candidate(2, 4, 3, 3)]);
    }

    #[test]
    fn ties_go_to_the_older_pair_then_the_earlier_ids_whatever_the_order_given() {
        let a = candidate(1, 3, 2, 3);
        let b = candidate(2, 3, 1, 2);
        let c = candidate(1, 4, 2, 3);
        let forward = choose(vec![a, b, c]);
        let backward = choose(vec![c, b, a]);
        assert_eq!(forward, vec![b, c]);
        assert_eq!(backward, forward);
    }

    fn side(n: u128, account: u128, amount: i64) -> Side {
        Side {
            transaction_id: id(n),
            account_id: AccountId(Uuid::from_u128(account)),
            amount: Decimal::new(amount, 2),
            currency: Some("USD".into()),
            pending: false,
            transfer_pair_id: None,
        }
    }

    #[test]
    fn a_hand_pair_is_two_posted_opposite_amounts_in_two_accounts_and_one_currency() {
        let out = side(1, 10, 5000);
        let into = side(2, 20, -4990);
        assert_eq!(check_hand_pair(&out, &into), Ok(()));
        let invalid =
            |a: &Side, b: &Side| matches!(check_hand_pair(a, b), Err(Refusal::Invalid(_)));
        assert!(invalid(&out, &out));
        assert!(invalid(&out, &side(2, 10, -5000)));
        assert!(invalid(&out, &side(2, 20, 5000)));
        assert!(invalid(&out, &side(2, 20, 0)));
        assert!(invalid(
            &out,
            &Side {
                pending: true,
                ..into.clone()
            }
        ));
        assert!(invalid(
            &out,
            &Side {
                currency: Some("EUR".into()),
                ..into.clone()
            }
        ));
        assert!(invalid(
            &Side {
                currency: None,
                ..out.clone()
            },
            &Side {
                currency: None,
                ..into.clone()
            }
        ));
    }

    #[test]
    fn a_side_paired_with_a_third_is_taken_but_a_pair_with_each_other_is_not() {
        let out = side(1, 10, 5000);
        let into = side(2, 20, -5000);
        let each_other = check_hand_pair(
            &Side {
                transfer_pair_id: Some(id(2)),
                ..out.clone()
            },
            &Side {
                transfer_pair_id: Some(id(1)),
                ..into.clone()
            },
        );
        assert_eq!(each_other, Ok(()));
        let third = check_hand_pair(
            &out,
            &Side {
                transfer_pair_id: Some(id(9)),
                ..into
            },
        );
        assert!(matches!(third, Err(Refusal::Taken(_))));
    }
}
