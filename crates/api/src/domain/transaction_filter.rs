use super::labels::MAX_TAG_CHARS;
use super::TransactionCursor;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;
use tally_shared::api::transactions::{HiddenFilter, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use tally_shared::FieldError;
use uuid::Uuid;

/// The longest `q` or `category` accepted; longer ones cannot match anything real.
const MAX_TEXT_LENGTH: usize = 200;

/// The query string of `GET /api/transactions` and its export, as sent. Every value is a string
/// so that each one that does not parse is reported by its name (422), not as an unreadable
/// query string. Its typed twin, for clients and the OpenAPI document, is
/// `tally_shared::api::transactions::TransactionFilter`. An empty value counts as absent.
#[derive(Debug, Default, Deserialize)]
pub struct TransactionParams {
    account_id: Option<String>,
    item_id: Option<String>,
    category: Option<String>,
    q: Option<String>,
    from: Option<String>,
    to: Option<String>,
    pending: Option<String>,
    min_amount: Option<String>,
    max_amount: Option<String>,
    category_id: Option<String>,
    tag: Option<String>,
    hidden: Option<String>,
    needs_review: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

/// Which of a user's transactions to show. Every field narrows; `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionFilters {
    pub account_id: Option<Uuid>,
    pub item_id: Option<Uuid>,
    /// A primary or a detailed category code.
    pub category: Option<String>,
    /// Text to find, as typed, in the merchant name or the description.
    pub search: Option<String>,
    /// Inclusive.
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    pub pending: Option<bool>,
    pub min_amount: Option<Decimal>,
    pub max_amount: Option<Decimal>,
    /// The effective category, or (a primary) one of its children; a split matches by any of
    /// its parts' categories too.
    pub category_id: Option<Uuid>,
    /// A tag, in lower case as tags are kept.
    pub tag: Option<String>,
    /// Hidden transactions are left out unless asked for.
    pub hidden: HiddenFilter,
    pub needs_review: Option<bool>,
}

/// Which page: the rows after `after` (from the start when `None`), at most `limit` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<TransactionCursor>,
    /// 1 to `MAX_PAGE_SIZE`.
    pub limit: u32,
}

impl TransactionFilters {
    /// The filters, or every field that is wrong. `cursor` and `limit` are not looked at.
    pub fn parse(params: &TransactionParams) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let filters = Self::parse_into(params, &mut errors);
        if errors.is_empty() {
            Ok(filters)
        } else {
            Err(errors)
        }
    }

    fn parse_into(params: &TransactionParams, errors: &mut Vec<FieldError>) -> Self {
        let mut field = |name: &str, message: String| {
            errors.push(FieldError {
                field: name.to_owned(),
                message,
            })
        };
        let mut id = |name: &str, value: &Option<String>| {
            parsed(
                value,
                |v| Uuid::from_str(v).ok(),
                || field(name, "This is not an id.".into()),
            )
        };
        let account_id = id("account_id", &params.account_id);
        let item_id = id("item_id", &params.item_id);
        let category_id = id("category_id", &params.category_id);
        let mut text = |name: &str, value: &Option<String>| {
            let value = present(value)?;
            if value.chars().count() > MAX_TEXT_LENGTH {
                field(name, format!("At most {MAX_TEXT_LENGTH} characters."));
                return None;
            }
            Some(value.to_owned())
        };
        let category = text("category", &params.category);
        let search = text("q", &params.q);
        let tag = present(&params.tag).and_then(|tag| {
            if tag.chars().count() > MAX_TAG_CHARS {
                field(
                    "tag",
                    format!("Tags are at most {MAX_TAG_CHARS} characters long."),
                );
                return None;
            }
            Some(tag.to_lowercase())
        });
        let mut date = |name: &str, value: &Option<String>| {
            let parse = |v: &str| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok();
            parsed(value, parse, || {
                field(name, "Dates are written YYYY-MM-DD.".into())
            })
        };
        let from = date("from", &params.from);
        let to = date("to", &params.to);
        let pending = parsed(&params.pending, parse_bool, || {
            field("pending", "Either true or false.".into())
        });
        let needs_review = parsed(&params.needs_review, parse_bool, || {
            field("needs_review", "Either true or false.".into())
        });
        let hidden = parsed(&params.hidden, parse_hidden, || {
            field("hidden", "One of false, true or all.".into())
        })
        .unwrap_or_default();
        let mut amount = |name: &str, value: &Option<String>| {
            parsed(value, parse_amount, || {
                field(name, "Amounts are decimal numbers, such as 12.50.".into())
            })
        };
        let min_amount = amount("min_amount", &params.min_amount);
        let max_amount = amount("max_amount", &params.max_amount);
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                field("to", "The end date is before the start date.".into());
            }
        }
        if let (Some(min), Some(max)) = (min_amount, max_amount) {
            if min > max {
                field(
                    "max_amount",
                    "The largest amount is below the smallest.".into(),
                );
            }
        }
        Self {
            account_id,
            item_id,
            category,
            search,
            from,
            to,
            pending,
            min_amount,
            max_amount,
            category_id,
            tag,
            hidden,
            needs_review,
        }
    }
}

impl TransactionParams {
    /// The filters and the page asked for, or every field that is wrong.
    pub fn parse_page(&self) -> Result<(TransactionFilters, PageRequest), Vec<FieldError>> {
        let mut errors = Vec::new();
        let filters = TransactionFilters::parse_into(self, &mut errors);
        let after = present(&self.cursor).and_then(|raw| {
            TransactionCursor::parse(raw)
                .map_err(|message| {
                    errors.push(FieldError {
                        field: "cursor".into(),
                        message,
                    })
                })
                .ok()
        });
        let limit = match present(&self.limit) {
            None => Some(DEFAULT_PAGE_SIZE),
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|limit| (1..=MAX_PAGE_SIZE).contains(limit)),
        };
        match limit {
            Some(limit) if errors.is_empty() => Ok((filters, PageRequest { after, limit })),
            limit => {
                if limit.is_none() {
                    errors.push(FieldError {
                        field: "limit".into(),
                        message: format!("A whole number from 1 to {MAX_PAGE_SIZE}."),
                    });
                }
                Err(errors)
            }
        }
    }
}

/// The trimmed value, or `None` when absent or blank.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The parsed value of a present field; on failure `refuse` records why and the field is `None`.
fn parsed<T>(
    value: &Option<String>,
    parse: impl FnOnce(&str) -> Option<T>,
    refuse: impl FnOnce(),
) -> Option<T> {
    let value = present(value)?;
    let result = parse(value);
    if result.is_none() {
        refuse();
    }
    result
}

/// A plain decimal such as `12.50` or `-3`: no exponent, separators or sign other than `-`.
fn parse_amount(value: &str) -> Option<Decimal> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let plain = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if plain(whole) && plain(fraction) {
        Decimal::from_str(value).ok()
    } else {
        None
    }
}

fn parse_hidden(value: &str) -> Option<HiddenFilter> {
    match value {
        "false" => Some(HiddenFilter::False),
        "true" => Some(HiddenFilter::True),
        "all" => Some(HiddenFilter::All),
        _ => None,
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> TransactionParams {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        actix_web::web::Query::<TransactionParams>::from_query(&query)
            .unwrap()
            .into_inner()
    }

    fn fields(result: Result<(TransactionFilters, PageRequest), Vec<FieldError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn nothing_asked_is_everything_newest_first_in_pages_of_fifty() {
        let (filters, page) = params(&[("q", "  "), ("category", "")])
            .parse_page()
            .unwrap();
        assert_eq!(filters, TransactionFilters::default());
        assert_eq!(
            page,
            PageRequest {
                after: None,
                limit: DEFAULT_PAGE_SIZE
            }
        );
    }

    #[test]
    fn reads_every_filter() {
        let id = Uuid::new_v4();
        let (filters, page) = params(&[
            ("account_id", &id.to_string()),
            ("item_id", &id.to_string()),
            ("category", "FOOD_AND_DRINK"),
            ("q", " coffee "),
            ("from", "2026-01-01"),
            ("to", "2026-01-01"),
            ("pending", "false"),
            ("min_amount", "-5"),
            ("max_amount", "12.50"),
            ("limit", "500"),
        ])
        .parse_page()
        .unwrap();
        assert_eq!(filters.account_id, Some(id));
        assert_eq!(filters.search.as_deref(), Some("coffee"));
        assert_eq!(filters.pending, Some(false));
        assert_eq!(filters.min_amount, Some(Decimal::new(-5, 0)));
        assert_eq!(filters.max_amount, Some(Decimal::new(1250, 2)));
        assert_eq!(page.limit, 500);
    }

    #[test]
    fn names_every_bad_field() {
        let result = params(&[
            ("account_id", "nope"),
            ("from", "2026-02-30"),
            ("pending", "yes"),
            ("min_amount", "ten"),
            ("max_amount", "1e3"),
            ("q", &"x".repeat(201)),
            ("cursor", "garbage"),
            ("limit", "0"),
        ])
        .parse_page();
        assert_eq!(
            fields(result),
            [
                "account_id",
                "q",
                "from",
                "pending",
                "min_amount",
                "max_amount",
                "cursor",
                "limit"
            ]
        );
        for amount in [
            "+1",
            "1.",
            ".5",
            "1_000",
            "1,5",
            "- 1",
            "NaN",
            "99999999999999999999999999999999",
        ] {
            assert_eq!(
                fields(params(&[("min_amount", amount)]).parse_page()),
                ["min_amount"]
            );
        }
        for limit in ["501", "-1", "ten"] {
            assert_eq!(fields(params(&[("limit", limit)]).parse_page()), ["limit"]);
        }
    }

    #[test]
    fn reads_the_label_filters_and_shows_hidden_ones_only_when_asked() {
        let id = Uuid::new_v4();
        let filters = TransactionFilters::parse(&params(&[
            ("category_id", &id.to_string()),
            ("tag", " Trip "),
            ("hidden", "all"),
            ("needs_review", "true"),
        ]))
        .unwrap();
        assert_eq!(filters.category_id, Some(id));
        assert_eq!(filters.tag.as_deref(), Some("trip"));
        assert_eq!(filters.hidden, HiddenFilter::All);
        assert_eq!(filters.needs_review, Some(true));
        let hidden = |value| {
            TransactionFilters::parse(&params(&[("hidden", value)]))
                .unwrap()
                .hidden
        };
        assert_eq!(hidden(""), HiddenFilter::False);
        assert_eq!(hidden("false"), HiddenFilter::False);
        assert_eq!(hidden("true"), HiddenFilter::True);

        let result = params(&[
            ("category_id", "groceries"),
            ("tag", &"a".repeat(41)),
            ("hidden", "yes"),
            ("needs_review", "1"),
        ])
        .parse_page();
        assert_eq!(
            fields(result),
            ["category_id", "tag", "needs_review", "hidden"]
        );
    }

    #[test]
    fn refuses_ranges_that_end_before_they_start() {
        let result = params(&[
            ("from", "2026-02-02"),
            ("to", "2026-02-01"),
            ("min_amount", "10"),
            ("max_amount", "9.99"),
        ])
        .parse_page();
        assert_eq!(fields(result), ["to", "max_amount"]);
    }

    #[test]
    fn the_export_ignores_paging() {
        let filters = TransactionFilters::parse(&params(&[("cursor", "x"), ("limit", "0")]));
        assert_eq!(filters, Ok(TransactionFilters::default()));
    }
}
