//! Money, dates and category names as a person reads them: in the browser's locale, each amount
//! in its own currency (`Intl`), never through a float.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use js_sys::{Array, Intl, JsString, Object, Reflect};
use rust_decimal::Decimal;
use wasm_bindgen::JsValue;

/// `1234.5` `USD` → "$1,234.50" (en-US) or "1.234,50 $" (de-DE). The amount reaches `Intl` as
/// a decimal string, which it formats exactly. Unknown (unofficial) currency codes fall back to
/// the number followed by the code.
pub fn money(amount: Decimal, currency: &str) -> String {
    let options = Object::new();
    set(&options, "style", "currency");
    set(&options, "currency", currency);
    match intl_format(&options, &amount.to_string()) {
        Some(text) => text,
        None => format!("{} {currency}", number(amount)),
    }
}

/// As [`money`], without the minus sign: for amounts whose direction is shown another way.
pub fn money_magnitude(amount: Decimal, currency: &str) -> String {
    money(amount.abs(), currency)
}

/// As [`money`], with a sign on both sides of zero: "+$2,850.00", "-$12.50".
pub fn money_signed(amount: Decimal, currency: &str) -> String {
    let options = Object::new();
    set(&options, "style", "currency");
    set(&options, "currency", currency);
    set(&options, "signDisplay", "exceptZero");
    match intl_format(&options, &amount.to_string()) {
        Some(text) => text,
        None => format!("{} {currency}", number(amount)),
    }
}

/// Money in few characters, for a chart's axis: "$12K", "1,2 Mio. €".
pub fn money_compact(amount: Decimal, currency: &str) -> String {
    let options = Object::new();
    set(&options, "style", "currency");
    set(&options, "currency", currency);
    set(&options, "notation", "compact");
    match intl_format(&options, &amount.to_string()) {
        Some(text) => text,
        None => format!("{} {currency}", number(amount.round())),
    }
}

/// `part` as a whole percentage of `whole`: "32%". Nothing of nothing is 0%.
pub fn percent(part: Decimal, whole: Decimal) -> String {
    let ratio = if whole.is_zero() {
        Decimal::ZERO
    } else {
        (part / whole).round_dp(2)
    };
    let options = Object::new();
    set(&options, "style", "percent");
    intl_format(&options, &ratio.to_string())
        .unwrap_or_else(|| format!("{}%", ratio * Decimal::ONE_HUNDRED))
}

/// A plain number with the locale's grouping: "1,234.5".
pub fn number(amount: Decimal) -> String {
    let options = Object::new();
    set(&options, "maximumFractionDigits", "20");
    intl_format(&options, &amount.to_string()).unwrap_or_else(|| amount.to_string())
}

/// "Mar 5, 2026" in the browser's locale. Dates are calendar days: no time zone shifts them.
pub fn date(day: NaiveDate) -> String {
    let options = Object::new();
    set(&options, "dateStyle", "medium");
    set(&options, "timeZone", "UTC");
    let js_date = js_sys::Date::new(&JsValue::from_str(&format!("{day}T00:00:00Z")));
    Intl::DateTimeFormat::new(&Array::new(), &options)
        .format()
        .call1(&JsValue::UNDEFINED, &js_date)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| day.to_string())
}

/// "Mar 5": a day in a list or on a chart's axis, where the year is clear.
pub fn day_month(day: NaiveDate) -> String {
    let options = Object::new();
    set(&options, "month", "short");
    set(&options, "day", "numeric");
    calendar_day(day, &options)
}

/// "March 2026": the month a day is in.
pub fn month_year(day: NaiveDate) -> String {
    let options = Object::new();
    set(&options, "month", "long");
    set(&options, "year", "numeric");
    calendar_day(day, &options)
}

/// "Mar ’26": a date label on a line that spans years, short enough for four under a phone's
/// chart.
pub fn short_month_year(day: NaiveDate) -> String {
    let options = Object::new();
    set(&options, "month", "short");
    format!(
        "{} ’{:02}",
        calendar_day(day, &options),
        day.year().rem_euclid(100)
    )
}

/// A calendar day with `options` (`timeZone` UTC, so that no time zone shifts it).
fn calendar_day(day: NaiveDate, options: &Object) -> String {
    set(options, "timeZone", "UTC");
    let js_date = js_sys::Date::new(&JsValue::from_str(&format!("{day}T00:00:00Z")));
    Intl::DateTimeFormat::new(&Array::new(), options)
        .format()
        .call1(&JsValue::UNDEFINED, &js_date)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| day.to_string())
}

/// "Mar 5, 2026, 14:03" in the browser's locale and time zone.
pub fn date_time(moment: DateTime<Utc>) -> String {
    let options = Object::new();
    set(&options, "dateStyle", "medium");
    set(&options, "timeStyle", "short");
    let js_date = js_sys::Date::new(&JsValue::from_str(&moment.to_rfc3339()));
    Intl::DateTimeFormat::new(&Array::new(), &options)
        .format()
        .call1(&JsValue::UNDEFINED, &js_date)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| moment.to_rfc3339())
}

/// "5 minutes ago", "yesterday": how long ago `moment` was, in the browser's language.
pub fn ago(moment: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - moment).num_seconds().max(0);
    let (value, unit) = match seconds {
        0..=59 => return relative(0, "second"),
        60..=3_599 => (seconds / 60, "minute"),
        3_600..=86_399 => (seconds / 3_600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    relative(-value, unit)
}

fn relative(value: i64, unit: &str) -> String {
    let options = Object::new();
    set(&options, "numeric", "auto");
    let formatter = Intl::RelativeTimeFormat::new(&Array::new(), &options);
    // The fallback writes the integer, not the f64 `Intl` takes: formatting an f64 would bring
    // core's float printing (about 20 KB) into the wasm for this one line.
    formatter
        .format(f64::from(i32::try_from(value).unwrap_or(i32::MIN)), unit)
        .as_string()
        .unwrap_or_else(|| format!("{value} {unit}s"))
}

/// Plaid's category code as words: `FOOD_AND_DRINK` → "Food and drink",
/// `FOOD_AND_DRINK_COFFEE` (under `FOOD_AND_DRINK`) → "Coffee".
pub fn category(code: &str, primary: Option<&str>) -> String {
    let words = match primary {
        Some(primary) => code
            .strip_prefix(primary)
            .map(|rest| rest.trim_start_matches('_'))
            .filter(|rest| !rest.is_empty())
            .unwrap_or(code),
        None => code,
    };
    sentence_case(words)
}

/// An account's Plaid type and subtype as words: ("credit", "credit card") → "Credit card",
/// ("loan", "student") → "Student loan", ("investment", "401k") → "401(k)"; a type without a
/// subtype by its type ("depository" → "Cash").
pub fn account_kind(account_type: &str, subtype: Option<&str>) -> String {
    let subtype = subtype
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "other");
    let named = subtype.and_then(|subtype| {
        Some(match lower(subtype).as_str() {
            "401k" => "401(k)",
            "403b" => "403(b)",
            "457b" => "457(b)",
            "529" => "529 plan",
            "ira" => "IRA",
            "roth" => "Roth IRA",
            "roth 401k" => "Roth 401(k)",
            "sep ira" => "SEP IRA",
            "simple ira" => "SIMPLE IRA",
            "hsa" => "HSA",
            "cd" => "CD",
            "student" => "Student loan",
            "auto" => "Auto loan",
            "home equity" => "Home equity loan",
            "paypal" => "PayPal",
            "rrsp" => "RRSP",
            "tfsa" => "TFSA",
            "isa" => "ISA",
            "ugma" => "UGMA",
            "utma" => "UTMA",
            _ => return None,
        })
    });
    match (named, subtype) {
        (Some(named), _) => named.to_owned(),
        (None, Some(subtype)) => sentence_case(subtype),
        (None, None) => match account_type {
            "depository" => "Cash".to_owned(),
            "credit" => "Credit".to_owned(),
            "loan" => "Loan".to_owned(),
            "investment" | "brokerage" => "Investments".to_owned(),
            other => sentence_case(other),
        },
    }
}

/// The currency of the browser's region (`en-GB` → GBP, `de-DE` → EUR), else USD.
pub fn locale_currency() -> &'static str {
    let region = web_sys::window()
        .and_then(|window| window.navigator().language())
        .and_then(|tag| Intl::Locale::new(&tag).ok())
        .and_then(|locale| locale.maximize().region())
        .map(String::from);
    match region.as_deref() {
        Some(
            "AT" | "BE" | "CY" | "DE" | "EE" | "ES" | "FI" | "FR" | "GR" | "HR" | "IE" | "IT"
            | "LT" | "LU" | "LV" | "MT" | "NL" | "PT" | "SI" | "SK",
        ) => "EUR",
        Some("GB") => "GBP",
        Some("CA") => "CAD",
        Some("AU") => "AUD",
        Some("NZ") => "NZD",
        Some("JP") => "JPY",
        Some("CH" | "LI") => "CHF",
        Some("SE") => "SEK",
        Some("NO") => "NOK",
        Some("DK") => "DKK",
        Some("PL") => "PLN",
        Some("CZ") => "CZK",
        Some("HU") => "HUF",
        Some("IN") => "INR",
        Some("CN") => "CNY",
        Some("HK") => "HKD",
        Some("SG") => "SGD",
        Some("KR") => "KRW",
        Some("BR") => "BRL",
        Some("MX") => "MXN",
        Some("ZA") => "ZAR",
        Some("IL") => "ILS",
        _ => "USD",
    }
}

/// `CREDIT_CARD` or `credit card` → "Credit card".
fn sentence_case(words: &str) -> String {
    capitalized(&lower(&words.replace('_', " ")))
}

/// `text` in upper case as the browser's `toUpperCase` writes it: Unicode's mapping, as Rust's
/// `to_uppercase` would, without Unicode's case tables in the wasm (docs/performance.md).
pub fn upper(text: &str) -> String {
    JsString::from(text).to_upper_case().into()
}

/// `text` in lower case, as [`upper`] does it.
pub fn lower(text: &str) -> String {
    JsString::from(text).to_lower_case().into()
}

/// The letter a monogram tile shows for `name`: its first character that is neither a space nor
/// ASCII punctuation, in upper case ("(Credit) Union" → "C"). Telling letters from symbols across
/// all of Unicode (`char::is_alphanumeric`) would bring Unicode's tables into the wasm.
pub fn initial(name: &str) -> Option<String> {
    name.chars()
        .find(|c| !c.is_whitespace() && !c.is_ascii_punctuation())
        .map(|c| upper(c.encode_utf8(&mut [0; 4])))
}

/// "now" → "Now"; the rest stays as it is.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        let mut text = upper(first.encode_utf8(&mut [0; 4]));
        text.extend(chars);
        text
    })
}

fn set(options: &Object, key: &str, value: &str) {
    let _ = Reflect::set(options, &JsValue::from_str(key), &JsValue::from_str(value));
}

/// `Intl.NumberFormat` with `options`, given the number as a decimal string (formatted exactly,
/// with no float in between). `None` for a currency code `Intl` would refuse.
fn intl_format(options: &Object, decimal_text: &str) -> Option<String> {
    let currency = Reflect::get(options, &JsValue::from_str("currency"))
        .ok()
        .and_then(|code| code.as_string());
    if currency
        .is_some_and(|code| code.len() != 3 || !code.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return None;
    }
    Intl::NumberFormat::new(&Array::new(), options)
        .format()
        .call1(&JsValue::UNDEFINED, &JsValue::from_str(decimal_text))
        .ok()
        .and_then(|text| text.as_string())
}
