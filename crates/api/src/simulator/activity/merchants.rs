//! What simulated people spend on: merchants with Plaid's enrichment (name, logo, website,
//! channel, personal finance category v2) and a typical amount range in cents.

/// A kind of transaction the simulator can make.
#[derive(Debug, PartialEq, Eq)]
pub struct Merchant {
    /// The raw description the bank shows (`name`).
    pub description: &'static str,
    /// Plaid's cleaned merchant name, when it recognises one.
    pub merchant_name: Option<&'static str>,
    /// The slug of Plaid's `https://plaid-merchant-logos.plaid.com/<slug>.png`; the simulator
    /// serves its own drawing under that slug (`simulator::merchant_logos`).
    pub logo: Option<&'static str>,
    pub website: Option<&'static str>,
    /// `online`, `in store` or `other`.
    pub channel: &'static str,
    pub primary: &'static str,
    pub detailed: &'static str,
    pub confidence: &'static str,
    /// Amount range in cents, money out positive.
    pub min_cents: i64,
    pub max_cents: i64,
}

const fn merchant(
    description: &'static str,
    merchant_name: &'static str,
    logo: &'static str,
    website: &'static str,
    channel: &'static str,
    detailed: (&'static str, &'static str),
    cents: (i64, i64),
) -> Merchant {
    Merchant {
        description,
        merchant_name: Some(merchant_name),
        logo: Some(logo),
        website: Some(website),
        channel,
        primary: detailed.0,
        detailed: detailed.1,
        confidence: "VERY_HIGH",
        min_cents: cents.0,
        max_cents: cents.1,
    }
}

const fn bank_entry(
    description: &'static str,
    detailed: (&'static str, &'static str),
    cents: (i64, i64),
) -> Merchant {
    Merchant {
        description,
        merchant_name: None,
        logo: None,
        website: None,
        channel: "other",
        primary: detailed.0,
        detailed: detailed.1,
        confidence: "HIGH",
        min_cents: cents.0,
        max_cents: cents.1,
    }
}

/// The merchant whose logo has this slug.
pub fn by_logo(slug: &str) -> Option<&'static Merchant> {
    [GROCERIES, COFFEE, EATING_OUT, RIDES, FUEL, SHOPPING, TRAVEL]
        .into_iter()
        .flatten()
        .chain(
            SUBSCRIPTIONS
                .iter()
                .chain(BILLS)
                .map(|(_, merchant)| merchant),
        )
        .chain(std::iter::once(&SALARY))
        .find(|merchant| merchant.logo == Some(slug))
}

pub const GROCERIES: &[Merchant] = &[
    merchant(
        "WHOLEFDS MKT #10234",
        "Whole Foods",
        "whole_foods_1064",
        "wholefoodsmarket.com",
        "in store",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES"),
        (3500, 18000),
    ),
    merchant(
        "TRADER JOE S #552",
        "Trader Joe's",
        "trader_joes_1076",
        "traderjoes.com",
        "in store",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES"),
        (2500, 12000),
    ),
    merchant(
        "SAFEWAY #1711",
        "Safeway",
        "safeway_1080",
        "safeway.com",
        "in store",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_GROCERIES"),
        (1800, 9500),
    ),
];

pub const COFFEE: &[Merchant] = &[
    merchant(
        "Starbucks",
        "Starbucks",
        "starbucks_956",
        "starbucks.com",
        "in store",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE"),
        (433, 785),
    ),
    merchant(
        "BLUE BOTTLE COFFEE",
        "Blue Bottle Coffee",
        "blue_bottle_coffee_1102",
        "bluebottlecoffee.com",
        "in store",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_COFFEE"),
        (450, 900),
    ),
];

pub const EATING_OUT: &[Merchant] = &[
    merchant(
        "McDonald's",
        "McDonald's",
        "mcdonalds_619",
        "mcdonalds.com",
        "in store",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_FAST_FOOD"),
        (899, 1450),
    ),
    merchant(
        "KFC",
        "KFC",
        "kfc_1201",
        "kfc.com",
        "in store",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_FAST_FOOD"),
        (950, 1900),
    ),
    merchant(
        "CHIPOTLE 1249",
        "Chipotle Mexican Grill",
        "chipotle_mexican_grill_1099",
        "chipotle.com",
        "in store",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_FAST_FOOD"),
        (1100, 1650),
    ),
    merchant(
        "SQ *NOPA RESTAURANT",
        "Nopa",
        "nopa_1300",
        "nopasf.com",
        "in store",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_RESTAURANT"),
        (4200, 14500),
    ),
    merchant(
        "DOORDASH*THAI BASIL",
        "DoorDash",
        "doordash_1036",
        "doordash.com",
        "online",
        ("FOOD_AND_DRINK", "FOOD_AND_DRINK_RESTAURANT"),
        (2400, 6800),
    ),
];

pub const RIDES: &[Merchant] = &[
    merchant(
        "Uber 063015 SF**POOL**",
        "Uber",
        "uber_1060",
        "uber.com",
        "online",
        ("TRANSPORTATION", "TRANSPORTATION_TAXIS_AND_RIDE_SHARES"),
        (540, 3200),
    ),
    merchant(
        "LYFT *RIDE TUE 8PM",
        "Lyft",
        "lyft_1061",
        "lyft.com",
        "online",
        ("TRANSPORTATION", "TRANSPORTATION_TAXIS_AND_RIDE_SHARES"),
        (700, 2900),
    ),
];

pub const FUEL: &[Merchant] = &[
    merchant(
        "SHELL OIL 57444",
        "Shell",
        "shell_1150",
        "shell.com",
        "in store",
        ("TRANSPORTATION", "TRANSPORTATION_GAS"),
        (3500, 6500),
    ),
    merchant(
        "CHEVRON 0209341",
        "Chevron",
        "chevron_1151",
        "chevron.com",
        "in store",
        ("TRANSPORTATION", "TRANSPORTATION_GAS"),
        (3200, 6800),
    ),
];

pub const SHOPPING: &[Merchant] = &[
    merchant(
        "AMZN Mktp US*2K4L81",
        "Amazon",
        "amazon_1024",
        "amazon.com",
        "online",
        (
            "GENERAL_MERCHANDISE",
            "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES",
        ),
        (1200, 12000),
    ),
    merchant(
        "TARGET 00027",
        "Target",
        "target_1033",
        "target.com",
        "in store",
        ("GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_SUPERSTORES"),
        (2000, 9000),
    ),
    merchant(
        "Madison Bicycle Shop",
        "Madison Bicycle Shop",
        "madison_bicycle_shop_1400",
        "madisonbikes.com",
        "in store",
        ("GENERAL_MERCHANDISE", "GENERAL_MERCHANDISE_SPORTING_GOODS"),
        (2500, 18000),
    ),
    merchant(
        "CVS/PHARMACY #0932",
        "CVS",
        "cvs_1045",
        "cvs.com",
        "in store",
        ("MEDICAL", "MEDICAL_PHARMACIES_AND_SUPPLEMENTS"),
        (800, 4000),
    ),
    merchant(
        "AMC 1042 ONLINE",
        "AMC Theatres",
        "amc_theatres_1110",
        "amctheatres.com",
        "online",
        ("ENTERTAINMENT", "ENTERTAINMENT_TV_AND_MOVIES"),
        (1500, 4000),
    ),
];

pub const TRAVEL: &[Merchant] = &[
    merchant(
        "United Airlines",
        "United Airlines",
        "united_airlines_1065",
        "united.com",
        "in store",
        ("TRAVEL", "TRAVEL_FLIGHTS"),
        (25000, 65000),
    ),
    merchant(
        "MARRIOTT SF MARQUIS",
        "Marriott",
        "marriott_1070",
        "marriott.com",
        "in store",
        ("TRAVEL", "TRAVEL_LODGING"),
        (18000, 42000),
    ),
    merchant(
        "HERTZ RENT-A-CAR",
        "Hertz",
        "hertz_1071",
        "hertz.com",
        "in store",
        ("TRAVEL", "TRAVEL_RENTAL_CARS"),
        (9000, 26000),
    ),
];

/// Monthly subscriptions: (day of month, merchant with a fixed amount).
pub const SUBSCRIPTIONS: &[(u32, Merchant)] = &[
    (
        2,
        merchant(
            "Touchstone Climbing",
            "Touchstone Climbing",
            "touchstone_climbing_1500",
            "touchstoneclimbing.com",
            "in store",
            ("PERSONAL_CARE", "PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS"),
            (7850, 7850),
        ),
    ),
    (
        7,
        merchant(
            "NETFLIX.COM",
            "Netflix",
            "netflix_1012",
            "netflix.com",
            "online",
            ("ENTERTAINMENT", "ENTERTAINMENT_TV_AND_MOVIES"),
            (1549, 1549),
        ),
    ),
    (
        14,
        merchant(
            "Spotify USA",
            "Spotify",
            "spotify_1023",
            "spotify.com",
            "online",
            ("ENTERTAINMENT", "ENTERTAINMENT_MUSIC_AND_AUDIO"),
            (1099, 1099),
        ),
    ),
    (
        25,
        merchant(
            "APPLE.COM/BILL",
            "Apple",
            "apple_1003",
            "apple.com",
            "online",
            (
                "GENERAL_SERVICES",
                "GENERAL_SERVICES_OTHER_GENERAL_SERVICES",
            ),
            (299, 299),
        ),
    ),
];

/// Monthly bills paid from checking: (day of month, merchant).
pub const BILLS: &[(u32, Merchant)] = &[
    (
        12,
        merchant(
            "PGANDE WEB ONLINE",
            "PG&E",
            "pge_1200",
            "pge.com",
            "online",
            (
                "RENT_AND_UTILITIES",
                "RENT_AND_UTILITIES_GAS_AND_ELECTRICITY",
            ),
            (6000, 14000),
        ),
    ),
    (
        18,
        merchant(
            "COMCAST CABLE COMM",
            "Comcast",
            "comcast_1040",
            "xfinity.com",
            "online",
            (
                "RENT_AND_UTILITIES",
                "RENT_AND_UTILITIES_INTERNET_AND_CABLE",
            ),
            (7999, 7999),
        ),
    ),
    (
        22,
        merchant(
            "VERIZON WIRELESS PMT",
            "Verizon",
            "verizon_1041",
            "verizon.com",
            "online",
            ("RENT_AND_UTILITIES", "RENT_AND_UTILITIES_TELEPHONE"),
            (6500, 6500),
        ),
    ),
];

pub const SALARY: Merchant = Merchant {
    description: "ACH Electronic CreditGUSTO PAY 123456",
    merchant_name: Some("Gusto"),
    logo: Some("gusto_1090"),
    website: Some("gusto.com"),
    channel: "online",
    primary: "INCOME",
    detailed: "INCOME_SALARY",
    confidence: "HIGH",
    min_cents: -285_000,
    max_cents: -285_000,
};
pub const RENT: Merchant = bank_entry(
    "PARKVIEW APTS RENT ACH",
    ("RENT_AND_UTILITIES", "RENT_AND_UTILITIES_RENT"),
    (185_000, 185_000),
);
pub const MORTGAGE_PAYMENT: Merchant = bank_entry(
    "MORTGAGE PMT PLAID HOME LOANS",
    ("LOAN_PAYMENTS", "LOAN_PAYMENTS_MORTGAGE_PAYMENT"),
    (145_000, 145_000),
);
pub const STUDENT_LOAN_PAYMENT: Merchant = bank_entry(
    "SALLIE MAE LOAN PMT",
    ("LOAN_PAYMENTS", "LOAN_PAYMENTS_STUDENT_LOAN_PAYMENT"),
    (35_000, 35_000),
);
pub const LOAN_PAYMENT_RECEIVED: Merchant = bank_entry(
    "PAYMENT RECEIVED - THANK YOU",
    ("TRANSFER_IN", "TRANSFER_IN_ACCOUNT_TRANSFER"),
    (0, 0),
);
pub const CARD_PAYMENT: Merchant = bank_entry(
    "CREDIT CARD 3333 PAYMENT *//",
    ("LOAN_PAYMENTS", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT"),
    (80_000, 160_000),
);
pub const CARD_PAYMENT_RECEIVED: Merchant = bank_entry(
    "AUTOMATIC PAYMENT - THANK",
    ("LOAN_PAYMENTS", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT"),
    (0, 0),
);
pub const TO_SAVINGS: Merchant = bank_entry(
    "Transfer to Savings",
    ("TRANSFER_OUT", "TRANSFER_OUT_SAVINGS"),
    (50_000, 50_000),
);
pub const FROM_CHECKING: Merchant = bank_entry(
    "Transfer from Checking",
    ("TRANSFER_IN", "TRANSFER_IN_SAVINGS"),
    (0, 0),
);
pub const INTEREST: Merchant = bank_entry(
    "INTRST PYMNT",
    ("INCOME", "INCOME_INTEREST_EARNED"),
    (-200, -40),
);
pub const ATM: Merchant = bank_entry(
    "ATM WITHDRAWAL 7TH & MARKET",
    ("TRANSFER_OUT", "TRANSFER_OUT_WITHDRAWAL"),
    (6000, 10000),
);
pub const ATM_FEE: Merchant = bank_entry(
    "NON-NETWORK ATM FEE",
    ("BANK_FEES", "BANK_FEES_ATM_FEES"),
    (300, 300),
);
