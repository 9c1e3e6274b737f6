//! A person's rules, checked once at the boundary; the one matcher that says whether a
//! transaction meets a rule's conditions; and the evaluator that turns the ordered rules into a
//! transaction's rule columns. Pure Rust: the sync, "apply to the past" and the preview all call
//! it, so a rule means the same thing everywhere.

use rust_decimal::Decimal;
use std::str::FromStr;
use tally_shared::api::rules::{
    Condition, ConditionField, ConditionOp, ConditionValue, RuleActions,
};
use tally_shared::ids::{AccountId, CategoryId};
use tally_shared::FieldError;

/// The most conditions one rule may have.
pub const MAX_CONDITIONS: usize = 20;
/// The most tags one rule may add (and a transaction may carry).
pub const MAX_TAGS: usize = 20;
const MAX_NAME_CHARS: usize = 100;
const MAX_DISPLAY_NAME_CHARS: usize = 200;
const MAX_TAG_CHARS: usize = 40;
/// The longest text a condition compares with; longer ones cannot match anything real.
const MAX_TEXT_CHARS: usize = 200;

/// A rule's name: 1 to 100 characters once trimmed, without control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleName(String);

impl RuleName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Give the rule a name, e.g. “Coffee shops”.".to_owned());
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(format!(
                "Rule names are at most {MAX_NAME_CHARS} characters long."
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(
                "Rule names cannot contain control characters such as line breaks or tabs."
                    .to_owned(),
            );
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Tags as they are kept: each trimmed and lower-cased, 1 to 40 characters, without control
/// characters; duplicates dropped (the first kept, in order); at most 20.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::with_capacity(raw.len());
    for tag in raw {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() {
            return Err("A tag cannot be empty.".to_owned());
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(format!("Tags are at most {MAX_TAG_CHARS} characters long."));
        }
        if tag.chars().any(char::is_control) {
            return Err("Tags cannot contain control characters.".to_owned());
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("At most {MAX_TAGS} tags."));
    }
    Ok(tags)
}

/// What one transaction offers the matcher, as stored.
#[derive(Debug, Clone, Copy)]
pub struct TransactionFacts<'a> {
    pub name: &'a str,
    pub merchant_name: Option<&'a str>,
    /// Positive when money leaves the account.
    pub amount: Decimal,
    pub account_id: AccountId,
    pub category_primary: Option<&'a str>,
    pub category_detailed: Option<&'a str>,
}

/// A transaction's texts in lower case, made once per transaction for every rule.
struct Subject {
    name: String,
    merchant_name: Option<String>,
    category_primary: Option<String>,
    category_detailed: Option<String>,
    amount: Decimal,
    account_id: AccountId,
}

impl Subject {
    fn of(facts: &TransactionFacts<'_>) -> Self {
        let lower = |text: Option<&str>| text.map(str::to_lowercase);
        Self {
            name: facts.name.to_lowercase(),
            merchant_name: lower(facts.merchant_name),
            category_primary: lower(facts.category_primary),
            category_detailed: lower(facts.category_detailed),
            amount: facts.amount,
            account_id: facts.account_id,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextField {
    /// The description or the merchant name.
    Description,
    Merchant,
    /// The primary or the detailed code.
    PlaidCategory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextOp {
    Contains,
    Equals,
    StartsWith,
}

impl TextOp {
    fn holds(self, haystack: &str, needle: &str) -> bool {
        match self {
            Self::Contains => haystack.contains(needle),
            Self::Equals => haystack == needle,
            Self::StartsWith => haystack.starts_with(needle),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AmountTest {
    Equals(Decimal),
    /// Both ends included; low ≤ high.
    Between(Decimal, Decimal),
    Gt(Decimal),
    Lt(Decimal),
}

/// One checked condition.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Test {
    /// `needle` is in lower case.
    Text {
        field: TextField,
        op: TextOp,
        needle: String,
    },
    Account(AccountId),
    Amount(AmountTest),
    /// `true`: money in (a negative amount); `false`: money out (a positive one).
    MoneyIn(bool),
}

impl Test {
    fn holds(&self, subject: &Subject) -> bool {
        match self {
            Self::Text { field, op, needle } => {
                let holds = |text: Option<&String>| text.is_some_and(|t| op.holds(t, needle));
                match field {
                    TextField::Description => {
                        op.holds(&subject.name, needle) || holds(subject.merchant_name.as_ref())
                    }
                    TextField::Merchant => holds(subject.merchant_name.as_ref()),
                    TextField::PlaidCategory => {
                        holds(subject.category_primary.as_ref())
                            || holds(subject.category_detailed.as_ref())
                    }
                }
            }
            Self::Account(account_id) => subject.account_id == *account_id,
            Self::Amount(test) => {
                let amount = subject.amount;
                match *test {
                    AmountTest::Equals(value) => amount == value,
                    AmountTest::Between(low, high) => low <= amount && amount <= high,
                    AmountTest::Gt(value) => amount > value,
                    AmountTest::Lt(value) => amount < value,
                }
            }
            Self::MoneyIn(true) => subject.amount < Decimal::ZERO,
            Self::MoneyIn(false) => subject.amount > Decimal::ZERO,
        }
    }
}

/// A rule's conditions, all of which must hold: 1 to 20 of them, each checked. Keeps the wire
/// form as given (trimmed, amounts in their decimal form) to store and show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conditions {
    wire: Vec<Condition>,
    tests: Vec<Test>,
}

impl Conditions {
    /// The conditions, or a message for each wrong one, named `conditions[i].value` (or `.op`).
    pub fn parse(raw: &[Condition]) -> Result<Self, Vec<FieldError>> {
        if raw.is_empty() || raw.len() > MAX_CONDITIONS {
            return Err(vec![field_error(
                "conditions",
                format!("A rule has 1 to {MAX_CONDITIONS} conditions."),
            )]);
        }
        let mut errors = Vec::new();
        let mut wire = Vec::with_capacity(raw.len());
        let mut tests = Vec::with_capacity(raw.len());
        for (index, condition) in raw.iter().enumerate() {
            match parse_condition(condition) {
                Ok((condition, test)) => {
                    wire.push(condition);
                    tests.push(test);
                }
                Err((part, message)) => {
                    errors.push(field_error(&format!("conditions[{index}].{part}"), message));
                }
            }
        }
        if errors.is_empty() {
            Ok(Self { wire, tests })
        } else {
            Err(errors)
        }
    }

    /// Whether the transaction meets every condition.
    pub fn matches(&self, facts: &TransactionFacts<'_>) -> bool {
        self.holds(&Subject::of(facts))
    }

    fn holds(&self, subject: &Subject) -> bool {
        self.tests.iter().all(|test| test.holds(subject))
    }

    /// The accounts the conditions name, which must be the person's.
    pub fn account_ids(&self) -> impl Iterator<Item = AccountId> + '_ {
        self.tests.iter().filter_map(|test| match test {
            Test::Account(account_id) => Some(*account_id),
            _ => None,
        })
    }

    pub fn to_wire(&self) -> Vec<Condition> {
        self.wire.clone()
    }
}

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// One condition checked: its normalised wire form and its test, or the part that is wrong
/// (`op` or `value`) and why.
fn parse_condition(condition: &Condition) -> Result<(Condition, Test), (&'static str, String)> {
    let Condition { field, op, value } = condition;
    let text_field = match field {
        ConditionField::Description => Some(TextField::Description),
        ConditionField::Merchant => Some(TextField::Merchant),
        ConditionField::PlaidCategory => Some(TextField::PlaidCategory),
        ConditionField::Amount | ConditionField::Direction | ConditionField::AccountId => None,
    };
    let wire = |value: ConditionValue| Condition {
        field: *field,
        op: *op,
        value,
    };
    if let Some(text_field) = text_field {
        let op = match op {
            ConditionOp::Contains => TextOp::Contains,
            ConditionOp::Equals => TextOp::Equals,
            ConditionOp::StartsWith => TextOp::StartsWith,
            _ => {
                return Err((
                    "op",
                    "Text is compared by contains, equals or starts_with.".to_owned(),
                ))
            }
        };
        let text = one_text(value)?;
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err((
                "value",
                format!("The text is at most {MAX_TEXT_CHARS} characters long."),
            ));
        }
        let test = Test::Text {
            field: text_field,
            op,
            needle: text.to_lowercase(),
        };
        return Ok((wire(ConditionValue::One(text.to_owned())), test));
    }
    match field {
        ConditionField::AccountId => {
            if *op != ConditionOp::Equals {
                return Err(("op", "An account is compared by equals.".to_owned()));
            }
            let account_id = AccountId::from_str(one_text(value)?)
                .map_err(|_| ("value", "That is not an account id.".to_owned()))?;
            Ok((
                wire(ConditionValue::One(account_id.to_string())),
                Test::Account(account_id),
            ))
        }
        ConditionField::Direction => {
            if *op != ConditionOp::Equals {
                return Err(("op", "The direction is compared by equals.".to_owned()));
            }
            let money_in = match one_text(value)?.to_lowercase().as_str() {
                "in" => true,
                "out" => false,
                _ => return Err(("value", "The direction is “in” or “out”.".to_owned())),
            };
            let value = if money_in { "in" } else { "out" };
            Ok((
                wire(ConditionValue::One(value.to_owned())),
                Test::MoneyIn(money_in),
            ))
        }
        _ => parse_amount_condition(*op, value).map(|(value, test)| (wire(value), test)),
    }
}

fn parse_amount_condition(
    op: ConditionOp,
    value: &ConditionValue,
) -> Result<(ConditionValue, Test), (&'static str, String)> {
    let test = match (op, value) {
        (ConditionOp::Between, ConditionValue::Range([low, high])) => {
            let (low, high) = (amount(low)?, amount(high)?);
            if low > high {
                return Err((
                    "value",
                    "The range is [low, high], with low at most high.".to_owned(),
                ));
            }
            AmountTest::Between(low, high)
        }
        (ConditionOp::Between, ConditionValue::One(_)) => {
            return Err((
                "value",
                "between takes two amounts, [low, high].".to_owned(),
            ))
        }
        (ConditionOp::Equals, value) => AmountTest::Equals(amount(one_text(value)?)?),
        (ConditionOp::Gt, value) => AmountTest::Gt(amount(one_text(value)?)?),
        (ConditionOp::Lt, value) => AmountTest::Lt(amount(one_text(value)?)?),
        (ConditionOp::Contains | ConditionOp::StartsWith, _) => {
            return Err((
                "op",
                "An amount is compared by equals, between, gt or lt.".to_owned(),
            ))
        }
    };
    let value = match test {
        AmountTest::Between(low, high) => {
            ConditionValue::Range([low.to_string(), high.to_string()])
        }
        AmountTest::Equals(value) | AmountTest::Gt(value) | AmountTest::Lt(value) => {
            ConditionValue::One(value.to_string())
        }
    };
    Ok((value, Test::Amount(test)))
}

/// A single, non-empty value, trimmed.
fn one_text(value: &ConditionValue) -> Result<&str, (&'static str, String)> {
    match value {
        ConditionValue::One(text) if !text.trim().is_empty() => Ok(text.trim()),
        ConditionValue::One(_) => Err(("value", "The value cannot be empty.".to_owned())),
        ConditionValue::Range(_) => Err((
            "value",
            "Only between takes two values; this takes one.".to_owned(),
        )),
    }
}

fn amount(text: &str) -> Result<Decimal, (&'static str, String)> {
    Decimal::from_str(text.trim())
        .map_err(|_| ("value", format!("“{text}” is not an amount, e.g. “12.50”.")))
}

/// What a matching rule does: at least one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actions {
    category_id: Option<CategoryId>,
    display_name: Option<String>,
    add_tags: Vec<String>,
    hide: bool,
}

impl Actions {
    /// The actions, or a message for each wrong field, named `actions.<field>` (`actions` when
    /// there is none).
    pub fn parse(raw: &RuleActions) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let display_name = match raw.display_name.as_deref().map(parse_display_name) {
            Some(Err(message)) => {
                errors.push(field_error("actions.display_name", message));
                None
            }
            Some(Ok(name)) => Some(name),
            None => None,
        };
        let add_tags = parse_tags(&raw.add_tags).unwrap_or_else(|message| {
            errors.push(field_error("actions.add_tags", message));
            Vec::new()
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        let actions = Self {
            category_id: raw.category_id,
            display_name,
            add_tags,
            hide: raw.hide,
        };
        if actions.category_id.is_none()
            && actions.display_name.is_none()
            && actions.add_tags.is_empty()
            && !actions.hide
        {
            return Err(vec![field_error(
                "actions",
                "A rule does something: set the category or the display name, add tags, or hide.",
            )]);
        }
        Ok(actions)
    }

    /// The category it sets, which must be one the person sees.
    pub fn category_id(&self) -> Option<CategoryId> {
        self.category_id
    }

    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }

    pub fn add_tags(&self) -> &[String] {
        &self.add_tags
    }

    pub fn hide(&self) -> bool {
        self.hide
    }

    pub fn to_wire(&self) -> RuleActions {
        RuleActions {
            category_id: self.category_id,
            display_name: self.display_name.clone(),
            add_tags: self.add_tags.clone(),
            hide: self.hide,
        }
    }
}

fn parse_display_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(format!(
            "A display name is 1 to {MAX_DISPLAY_NAME_CHARS} characters long."
        ));
    }
    if name.chars().any(char::is_control) {
        return Err("A display name cannot contain control characters.".to_owned());
    }
    Ok(name.to_owned())
}

/// The rules' columns of one transaction (`rule_category_id`, `rule_display_name`, `rule_tags`,
/// `rule_hidden`): `None` where no matching rule sets the field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleLabels {
    pub category_id: Option<CategoryId>,
    pub display_name: Option<String>,
    /// Never empty: `None` when no matching rule adds a tag.
    pub tags: Option<Vec<String>>,
    /// `Some(true)` or `None`: a rule only ever hides.
    pub hidden: Option<bool>,
}

/// A person's rules in position order, ready to run.
#[derive(Debug, Clone, Default)]
pub struct RuleSet(Vec<(Conditions, Actions)>);

impl RuleSet {
    /// `rules` in position order.
    pub fn new(rules: Vec<(Conditions, Actions)>) -> Self {
        Self(rules)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The rule columns the rules give this transaction: each field from the first matching
    /// rule that sets it; the tags of every matching rule, in rule order, without duplicates,
    /// at most 20.
    pub fn labels(&self, facts: &TransactionFacts<'_>) -> RuleLabels {
        let mut labels = RuleLabels::default();
        if self.0.is_empty() {
            return labels;
        }
        let subject = Subject::of(facts);
        let mut tags: Vec<String> = Vec::new();
        for (conditions, actions) in &self.0 {
            if !conditions.holds(&subject) {
                continue;
            }
            labels.category_id = labels.category_id.or(actions.category_id);
            if labels.display_name.is_none() {
                labels.display_name.clone_from(&actions.display_name);
            }
            if actions.hide {
                labels.hidden = Some(true);
            }
            for tag in &actions.add_tags {
                if tags.len() < MAX_TAGS && !tags.contains(tag) {
                    tags.push(tag.clone());
                }
            }
        }
        labels.tags = (!tags.is_empty()).then_some(tags);
        labels
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn conditions(raw: &[Condition]) -> Conditions {
        Conditions::parse(raw).unwrap()
    }

    fn account() -> AccountId {
        AccountId(Uuid::from_u128(7))
    }

    fn facts<'a>(name: &'a str, merchant: Option<&'a str>, amount: &str) -> TransactionFacts<'a> {
        TransactionFacts {
            name,
            merchant_name: merchant,
            amount: Decimal::from_str(amount).unwrap(),
            account_id: account(),
            category_primary: Some("FOOD_AND_DRINK"),
            category_detailed: Some("FOOD_AND_DRINK_COFFEE"),
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    use ConditionField as F;
    use ConditionOp as Op;

    #[test]
    fn text_comparisons_ignore_case_and_description_means_name_or_merchant() {
        let coffee = facts("SQ *BLUE BOTTLE 1234", Some("Blue Bottle Coffee"), "4.50");
        let cases = [
            (F::Description, Op::Contains, "blue bottle", true),
            (F::Description, Op::StartsWith, "sq *blue", true),
            (F::Description, Op::StartsWith, "Blue Bottle", true), // the merchant starts so
            (F::Description, Op::Equals, "blue bottle coffee", true),
            (F::Description, Op::Equals, "blue bottle", false),
            (F::Merchant, Op::Contains, "COFFEE", true),
            (F::Merchant, Op::Contains, "sq *", false),
            (F::PlaidCategory, Op::Equals, "food_and_drink", true),
            (F::PlaidCategory, Op::Equals, "FOOD_AND_DRINK_COFFEE", true),
            (F::PlaidCategory, Op::StartsWith, "TRANSPORTATION", false),
        ];
        for (field, op, value, expected) in cases {
            let matched = conditions(&[Condition::one(field, op, value)]).matches(&coffee);
            assert_eq!(matched, expected, "{field:?} {op:?} {value:?}");
        }
        // No merchant: a merchant condition never matches, a description one looks at the name.
        let bare = facts("Blue Bottle", None, "4.50");
        assert!(!conditions(&[Condition::one(F::Merchant, Op::Contains, "blue")]).matches(&bare));
        assert!(conditions(&[Condition::one(F::Description, Op::Contains, "blue")]).matches(&bare));
    }

    #[test]
    fn amounts_compare_as_decimals_and_direction_follows_the_sign() {
        let cases = [
            (Condition::one(F::Amount, Op::Equals, "4.5"), "4.50", true),
            (Condition::one(F::Amount, Op::Gt, "4.50"), "4.50", false),
            (Condition::one(F::Amount, Op::Gt, "4.49"), "4.50", true),
            (Condition::one(F::Amount, Op::Lt, "0"), "-100", true),
            (Condition::amount_between("4.50", "10"), "4.50", true),
            (Condition::amount_between("4.50", "10"), "10.00", true),
            (Condition::amount_between("4.50", "10"), "10.01", false),
            (Condition::amount_between("-20", "-10"), "-15", true),
            (Condition::one(F::Direction, Op::Equals, "in"), "-15", true),
            (Condition::one(F::Direction, Op::Equals, "IN"), "15", false),
            (Condition::one(F::Direction, Op::Equals, "out"), "15", true),
            (Condition::one(F::Direction, Op::Equals, "out"), "0", false),
            (Condition::one(F::Direction, Op::Equals, "in"), "0", false),
        ];
        for (condition, amount, expected) in cases {
            let matched =
                conditions(std::slice::from_ref(&condition)).matches(&facts("x", None, amount));
            assert_eq!(matched, expected, "{condition:?} on {amount}");
        }
    }

    #[test]
    fn every_condition_must_hold_and_the_account_is_compared_by_id() {
        let both = conditions(&[
            Condition::one(F::Description, Op::Contains, "bottle"),
            Condition::one(F::AccountId, Op::Equals, account().to_string()),
        ]);
        assert!(both.matches(&facts("Blue Bottle", None, "1")));
        assert!(!both.matches(&facts("Starbucks", None, "1")));
        let elsewhere = conditions(&[Condition::one(
            F::AccountId,
            Op::Equals,
            Uuid::from_u128(8).to_string(),
        )]);
        assert!(!elsewhere.matches(&facts("Blue Bottle", None, "1")));
        assert_eq!(both.account_ids().collect::<Vec<_>>(), vec![account()]);
    }

    #[test]
    fn wrong_conditions_are_named_each() {
        let raw = [
            Condition::one(F::Description, Op::Gt, "coffee"),
            Condition::one(F::Amount, Op::Contains, "1"),
            Condition::one(F::Amount, Op::Equals, "twelve"),
            Condition::amount_between("10", "5"),
            Condition::one(F::Amount, Op::Between, "5"),
            Condition::one(F::Direction, Op::Equals, "sideways"),
            Condition::one(F::Direction, Op::Contains, "in"),
            Condition::one(F::AccountId, Op::Equals, "not-a-uuid"),
            Condition::one(F::Merchant, Op::Contains, "  "),
            Condition::one(F::Merchant, Op::Contains, "x".repeat(201)),
            Condition {
                field: F::Merchant,
                op: Op::Equals,
                value: ConditionValue::Range(["a".to_owned(), "b".to_owned()]),
            },
            Condition::one(F::Amount, Op::Equals, "12.50"),
        ];
        let errors = Conditions::parse(&raw).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "conditions[0].op",
                "conditions[1].op",
                "conditions[2].value",
                "conditions[3].value",
                "conditions[4].value",
                "conditions[5].value",
                "conditions[6].op",
                "conditions[7].value",
                "conditions[8].value",
                "conditions[9].value",
                "conditions[10].value",
            ]
        );
        for count in [0, MAX_CONDITIONS + 1] {
            let raw = vec![Condition::one(F::Amount, Op::Gt, "0"); count];
            assert_eq!(
                fields(&Conditions::parse(&raw).unwrap_err()),
                ["conditions"]
            );
        }
        assert!(Conditions::parse(&vec![
            Condition::one(F::Amount, Op::Gt, "0");
            MAX_CONDITIONS
        ])
        .is_ok());
    }

    #[test]
    fn conditions_keep_a_normalised_wire_form() {
        let parsed = conditions(&[
            Condition::one(F::Merchant, Op::Contains, "  Blue Bottle "),
            Condition::one(F::Direction, Op::Equals, "OUT"),
            Condition::amount_between(" 1.50", "2 "),
        ]);
        assert_eq!(
            parsed.to_wire(),
            [
                Condition::one(F::Merchant, Op::Contains, "Blue Bottle"),
                Condition::one(F::Direction, Op::Equals, "out"),
                Condition::amount_between("1.50", "2"),
            ]
        );
        assert_eq!(Conditions::parse(&parsed.to_wire()), Ok(parsed));
    }

    #[test]
    fn names_display_names_and_tags_are_checked() {
        assert_eq!(RuleName::parse("  Coffee ").unwrap().as_str(), "Coffee");
        assert!(RuleName::parse(&"é".repeat(100)).is_ok());
        for bad in ["", " ", &"a".repeat(101), "two\nlines"] {
            assert!(RuleName::parse(bad).is_err(), "{bad:?} accepted");
        }
        let tags =
            |raw: &[&str]| parse_tags(&raw.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>());
        assert_eq!(
            tags(&[" Coffee ", "coffee", "WORK", "Café"]).unwrap(),
            ["coffee", "work", "café"]
        );
        assert!(tags(&[&"a".repeat(40)]).is_ok());
        for bad in [vec![""], vec![" "], vec![&*"a".repeat(41)], vec!["a\tb"]] {
            assert!(tags(&bad).is_err(), "{bad:?} accepted");
        }
        let many: Vec<String> = (0..21).map(|n| format!("t{n}")).collect();
        assert!(parse_tags(&many).is_err());
        // Duplicates do not count against the limit.
        let repeated: Vec<String> = (0..40).map(|n| format!("t{}", n % 20)).collect();
        assert_eq!(parse_tags(&repeated).unwrap().len(), 20);
    }

    #[test]
    fn actions_need_one_thing_to_do_and_name_each_wrong_field() {
        assert_eq!(
            fields(&Actions::parse(&RuleActions::default()).unwrap_err()),
            ["actions"]
        );
        let wrong = RuleActions {
            display_name: Some(" ".to_owned()),
            add_tags: vec![String::new()],
            ..RuleActions::default()
        };
        assert_eq!(
            fields(&Actions::parse(&wrong).unwrap_err()),
            ["actions.display_name", "actions.add_tags"]
        );
        let hide = RuleActions {
            hide: true,
            ..RuleActions::default()
        };
        assert!(Actions::parse(&hide).unwrap().hide());
        let named = Actions::parse(&RuleActions {
            display_name: Some(" Coffee ".to_owned()),
            add_tags: vec!["A".to_owned(), "a".to_owned()],
            ..RuleActions::default()
        })
        .unwrap();
        assert_eq!(named.display_name(), Some("Coffee"));
        assert_eq!(named.to_wire().add_tags, ["a"]);
    }

    fn rule(conditions_: &[Condition], actions: RuleActions) -> (Conditions, Actions) {
        (conditions(conditions_), Actions::parse(&actions).unwrap())
    }

    fn category(n: u128) -> CategoryId {
        CategoryId(Uuid::from_u128(n))
    }

    #[test]
    fn the_first_matching_rule_that_sets_a_field_wins_and_tags_gather() {
        let rules = RuleSet::new(vec![
            rule(
                &[Condition::one(F::Description, Op::Contains, "starbucks")],
                RuleActions {
                    add_tags: vec!["coffee".to_owned()],
                    ..RuleActions::default()
                },
            ),
            rule(
                &[Condition::one(
                    F::PlaidCategory,
                    Op::Equals,
                    "FOOD_AND_DRINK",
                )],
                RuleActions {
                    category_id: Some(category(1)),
                    add_tags: vec!["food".to_owned(), "coffee".to_owned()],
                    ..RuleActions::default()
                },
            ),
            rule(
                &[Condition::one(F::Direction, Op::Equals, "out")],
                RuleActions {
                    category_id: Some(category(2)),
                    display_name: Some("Spent".to_owned()),
                    hide: true,
                    ..RuleActions::default()
                },
            ),
        ]);
        assert_eq!(
            rules.labels(&facts("STARBUCKS 123", None, "5")),
            RuleLabels {
                category_id: Some(category(1)),
                display_name: Some("Spent".to_owned()),
                tags: Some(vec!["coffee".to_owned(), "food".to_owned()]),
                hidden: Some(true),
            }
        );
        // Money in: only the first two can match.
        assert_eq!(
            rules.labels(&facts("Refund", None, "-5")),
            RuleLabels {
                category_id: Some(category(1)),
                tags: Some(vec!["food".to_owned(), "coffee".to_owned()]),
                ..RuleLabels::default()
            }
        );
        let other = TransactionFacts {
            category_primary: Some("INCOME"),
            category_detailed: Some("INCOME_SALARY"),
            ..facts("Payroll", None, "-1000")
        };
        assert_eq!(rules.labels(&other), RuleLabels::default());
        assert_eq!(RuleSet::default().labels(&other), RuleLabels::default());
    }

    #[test]
    fn gathered_tags_stop_at_twenty() {
        let tagging = |from: usize| {
            rule(
                &[Condition::one(F::Amount, Op::Gt, "0")],
                RuleActions {
                    add_tags: (from..from + 15).map(|n| format!("t{n}")).collect(),
                    ..RuleActions::default()
                },
            )
        };
        let rules = RuleSet::new(vec![tagging(0), tagging(10)]);
        let tags = rules.labels(&facts("x", None, "1")).tags.unwrap();
        let expected: Vec<String> = (0..20).map(|n| format!("t{n}")).collect();
        assert_eq!(tags, expected);
    }
}
