//! Recovery codes: ten one-time codes for a person who has lost their authenticator, shown once
//! and kept only as SHA-256 (twelve characters of 31, about 59 random bits, so a fast hash is
//! enough, as for session tokens).

use rand::Rng;
use sha2::{Digest, Sha256};

pub const COUNT: usize = 10;
/// No 0/o, 1/l/i: a code copied onto paper reads back the same.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const GROUPS: usize = 3;
const GROUP_LEN: usize = 4;

/// `COUNT` new codes as shown to the person ("abcd-efgh-jkmn") with their hashes.
pub fn generate() -> Vec<(String, Vec<u8>)> {
    let mut rng = rand::rng();
    (0..COUNT)
        .map(|_| {
            let groups: Vec<String> = (0..GROUPS)
                .map(|_| {
                    (0..GROUP_LEN)
                        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                        .collect()
                })
                .collect();
            let code = groups.join("-");
            let hash = hash(&code);
            (code, hash)
        })
        .collect()
}

/// The hash of a code as typed: case, spaces and dashes do not matter.
pub fn hash(typed: &str) -> Vec<u8> {
    let canonical: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(canonical.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_read_back_however_typed() {
        let codes = generate();
        assert_eq!(codes.len(), COUNT);
        let mut shown: Vec<&str> = codes.iter().map(|(code, _)| code.as_str()).collect();
        shown.sort_unstable();
        shown.dedup();
        assert_eq!(shown.len(), COUNT);
        for (code, stored) in &codes {
            assert_eq!(code.len(), 14, "{code}");
            assert!(!code.contains(['0', 'o', '1', 'l', 'i']), "{code}");
            assert_eq!(&hash(code), stored);
            assert_eq!(&hash(&code.to_uppercase().replace('-', " ")), stored);
        }
    }
}
