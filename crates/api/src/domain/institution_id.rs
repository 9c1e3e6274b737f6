/// Plaid's id of a bank, such as `ins_109508`: `ins_` and up to 60 letters, digits or `_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionId(String);

impl InstitutionId {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let id = raw.trim();
        let valid = id.strip_prefix("ins_").is_some_and(|rest| {
            (1..=60).contains(&rest.len())
                && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if valid {
            Ok(Self(id.to_owned()))
        } else {
            Err("This is not a Plaid institution id (such as ins_109508).".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plaid_ids_only() {
        assert_eq!(
            InstitutionId::parse(" ins_109508 ").unwrap().as_str(),
            "ins_109508"
        );
        for bad in [
            "",
            "ins_",
            "109508",
            "ins_10 95",
            "ins_1;drop",
            "INS_1",
            &format!("ins_{}", "9".repeat(61)),
        ] {
            assert!(InstitutionId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
