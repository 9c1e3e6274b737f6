//! Plaid's deprecated category fields, which its sandbox still returns to teams created before
//! personal finance categories (`reference/plaid-api.md` §3.8): `category` (the legacy
//! hierarchy), `category_id` and `transaction_type`. Apps written against Plaid then (Plaid's
//! own Pattern among them) store them, so the simulator derives them from the v2 category.

/// The legacy hierarchy and its id for a v2 category: the subcategory where Plaid's legacy
/// taxonomy has a clear one, else the legacy top level the primary falls under.
pub fn legacy_category(
    primary: &str,
    detailed: &str,
) -> Option<(&'static [&'static str], &'static str)> {
    let by_detailed: Option<(&'static [&'static str], &'static str)> = match detailed {
        "BANK_FEES_OVERDRAFT_FEES" => Some((&["Bank Fees", "Overdraft"], "10001000")),
        "FOOD_AND_DRINK_RESTAURANT" => Some((&["Food and Drink", "Restaurants"], "13005000")),
        "FOOD_AND_DRINK_FAST_FOOD" => {
            Some((&["Food and Drink", "Restaurants", "Fast Food"], "13005032"))
        }
        "FOOD_AND_DRINK_COFFEE" => Some((
            &["Food and Drink", "Restaurants", "Coffee Shop"],
            "13005043",
        )),
        "FOOD_AND_DRINK_GROCERIES" => Some((&["Shops", "Supermarkets and Groceries"], "19047000")),
        "INCOME_SALARY" | "INCOME_WAGES" => Some((&["Transfer", "Payroll"], "21009000")),
        "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT" => Some((&["Payment", "Credit Card"], "16001000")),
        "RENT_AND_UTILITIES_RENT" => Some((&["Payment", "Rent"], "16002000")),
        "PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS" => {
            Some((&["Recreation", "Gyms and Fitness Centers"], "17018000"))
        }
        "TRANSPORTATION_TAXIS_AND_RIDE_SHARES" => Some((&["Travel", "Taxi"], "22016000")),
        "TRAVEL_FLIGHTS" => Some((&["Travel", "Airlines and Aviation Services"], "22001000")),
        _ => None,
    };
    by_detailed.or(match primary {
        "BANK_FEES" => Some((&["Bank Fees"], "10000000")),
        "GOVERNMENT_AND_NON_PROFIT" => Some((&["Community"], "12000000")),
        "FOOD_AND_DRINK" => Some((&["Food and Drink"], "13000000")),
        "MEDICAL" => Some((&["Healthcare"], "14000000")),
        "LOAN_PAYMENTS" => Some((&["Payment"], "16000000")),
        "ENTERTAINMENT" => Some((&["Recreation"], "17000000")),
        "PERSONAL_CARE" | "GENERAL_SERVICES" | "RENT_AND_UTILITIES" => {
            Some((&["Service"], "18000000"))
        }
        "GENERAL_MERCHANDISE" | "HOME_IMPROVEMENT" => Some((&["Shops"], "19000000")),
        "INCOME" | "TRANSFER_IN" | "LOAN_DISBURSEMENTS" => {
            Some((&["Transfer", "Credit"], "21005000"))
        }
        "TRANSFER_OUT" => Some((&["Transfer", "Debit"], "21006000")),
        "TRANSPORTATION" | "TRAVEL" => Some((&["Travel"], "22000000")),
        _ => None,
    })
}

/// `transaction_type`: `special` for the legacy categories Plaid files as special (fees,
/// payments, transfers), else from the channel: `digital` online, `place` in store,
/// `unresolved` otherwise.
pub fn transaction_type(category: Option<&[&str]>, payment_channel: &str) -> &'static str {
    let special = category
        .and_then(|hierarchy| hierarchy.first())
        .is_some_and(|top| {
            matches!(
                *top,
                "Bank Fees" | "Payment" | "Transfer" | "Interest" | "Tax"
            )
        });
    match payment_channel {
        _ if special => "special",
        "online" => "digital",
        "in store" => "place",
        _ => "unresolved",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_the_simulator_uses_has_a_legacy_one() {
        use crate::simulator::activity::merchants::*;
        let lists = [GROCERIES, COFFEE, EATING_OUT, RIDES, FUEL, SHOPPING, TRAVEL];
        let singles = [
            &SALARY,
            &RENT,
            &MORTGAGE_PAYMENT,
            &STUDENT_LOAN_PAYMENT,
            &LOAN_PAYMENT_RECEIVED,
            &CARD_PAYMENT,
            &CARD_PAYMENT_RECEIVED,
            &TO_SAVINGS,
            &FROM_CHECKING,
            &INTEREST,
            &ATM,
            &ATM_FEE,
        ];
        let every = lists
            .iter()
            .flat_map(|list| list.iter())
            .chain(
                SUBSCRIPTIONS
                    .iter()
                    .chain(BILLS)
                    .map(|(_, merchant)| merchant),
            )
            .chain(singles);
        for merchant in every {
            let (hierarchy, id) = legacy_category(merchant.primary, merchant.detailed)
                .unwrap_or_else(|| panic!("{} has no legacy category", merchant.detailed));
            assert!(!hierarchy.is_empty());
            assert_eq!(id.len(), 8);
            assert!(id.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn transaction_types_follow_plaids_groups() {
        let fast_food = legacy_category("FOOD_AND_DRINK", "FOOD_AND_DRINK_FAST_FOOD").map(|c| c.0);
        assert_eq!(transaction_type(fast_food, "in store"), "place");
        assert_eq!(transaction_type(fast_food, "online"), "digital");
        let debit = legacy_category("TRANSFER_OUT", "TRANSFER_OUT_WITHDRAWAL").map(|c| c.0);
        assert_eq!(transaction_type(debit, "other"), "special");
        assert_eq!(transaction_type(None, "other"), "unresolved");
    }
}
