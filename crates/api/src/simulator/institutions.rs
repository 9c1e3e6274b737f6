//! The simulator's banks: Plaid's sandbox institutions (`reference/plaid-api.md` §7.2).

use serde_json::{json, Value};

pub struct SimInstitution {
    pub id: &'static str,
    pub name: &'static str,
    pub oauth: bool,
    pub country: &'static str,
    pub currency: &'static str,
    pub primary_color: &'static str,
    pub routing_numbers: &'static [&'static str],
}

pub const INSTITUTIONS: &[SimInstitution] = &[
    SimInstitution {
        id: "ins_109508",
        name: "First Platypus Bank",
        oauth: false,
        country: "US",
        currency: "USD",
        primary_color: "#1f6e43",
        routing_numbers: &["110000000"],
    },
    SimInstitution {
        id: "ins_127287",
        name: "Platypus OAuth Bank",
        oauth: true,
        country: "US",
        currency: "USD",
        primary_color: "#2a4d8f",
        routing_numbers: &["110000001"],
    },
    SimInstitution {
        id: "ins_109511",
        name: "Tartan Bank",
        oauth: false,
        country: "US",
        currency: "USD",
        primary_color: "#9b2335",
        routing_numbers: &["021000021"],
    },
    SimInstitution {
        id: "ins_109512",
        name: "Houndstooth Bank",
        oauth: false,
        country: "US",
        currency: "USD",
        primary_color: "#004966",
        routing_numbers: &["011000138", "011200365", "011400495"],
    },
    SimInstitution {
        id: "ins_109510",
        name: "Tattersall Federal Credit Union",
        oauth: false,
        country: "US",
        currency: "USD",
        primary_color: "#6b4f2a",
        routing_numbers: &["211370545"],
    },
    SimInstitution {
        id: "ins_109509",
        name: "First Gingham Credit Union",
        oauth: false,
        country: "US",
        currency: "USD",
        primary_color: "#c2410c",
        routing_numbers: &["231372691"],
    },
    SimInstitution {
        id: "ins_130016",
        name: "First Platypus Balance Bank",
        oauth: false,
        country: "US",
        currency: "USD",
        primary_color: "#0f766e",
        routing_numbers: &["110000002"],
    },
    SimInstitution {
        id: "ins_117650",
        name: "Royal Bank of Plaid",
        oauth: true,
        country: "GB",
        currency: "GBP",
        primary_color: "#1e3a8a",
        routing_numbers: &[],
    },
    SimInstitution {
        id: "ins_43",
        name: "Tartan-Dominion Bank of Canada",
        oauth: false,
        country: "CA",
        currency: "CAD",
        primary_color: "#b91c1c",
        routing_numbers: &["000300002"],
    },
];

const PRODUCTS: &[&str] = &[
    "assets",
    "auth",
    "balance",
    "identity",
    "investments",
    "liabilities",
    "transactions",
];

pub fn find(id: &str) -> Option<&'static SimInstitution> {
    INSTITUTIONS.iter().find(|institution| institution.id == id)
}

/// Institutions whose name contains `query` (any case), in catalogue order.
pub fn search(query: &str) -> impl Iterator<Item = &'static SimInstitution> + '_ {
    let query = query.trim().to_lowercase();
    INSTITUTIONS
        .iter()
        .filter(move |institution| institution.name.to_lowercase().contains(&query))
}

impl SimInstitution {
    /// Base64 PNG, 152×152.
    pub fn logo(&self) -> Option<String> {
        super::logos::logo(self.id, self.name, self.primary_color)
    }

    /// The institution object; `logo`, `primary_color` and `url` only with optional metadata.
    pub fn to_json(&self, include_optional_metadata: bool) -> Value {
        let mut institution = json!({
            "institution_id": self.id,
            "name": self.name,
            "products": PRODUCTS,
            "country_codes": [self.country],
            "routing_numbers": self.routing_numbers,
            "dtc_numbers": [],
            "oauth": self.oauth,
            // Required by Plaid's schema: whether new items can be made at this bank.
            "connection_availability": "SUPPORTED",
            "status": null,
        });
        if include_optional_metadata {
            institution["url"] = json!("https://plaid.com");
            institution["primary_color"] = json!(self.primary_color);
            institution["logo"] = json!(self.logo());
        }
        institution
    }
}
