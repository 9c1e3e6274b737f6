//! A passkey authenticator in software, enough for the API tests: it makes one ES256
//! discoverable credential (attestation "none", user verified) and signs assertions with it,
//! answering in the JSON a browser sends. The bytes follow WebAuthn §6.1 (authenticator data)
//! and §6.5.4 (attestation object); CBOR is written by hand for the few shapes needed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// User present, user verified.
const UP_UV: u8 = 0x01 | 0x04;
/// ... and attested credential data follows.
const ATTESTED: u8 = 0x40;

pub struct SoftPasskey {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    /// The user handle the site gave at registration, returned when signing in.
    pub user_handle: Vec<u8>,
    /// The signature counter, raised before each assertion.
    pub counter: u32,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

/// A CBOR item head: major type and length or value.
fn head(major: u8, n: usize) -> Vec<u8> {
    let major = major << 5;
    match n {
        0..=23 => vec![major | u8::try_from(n).unwrap()],
        24..=255 => vec![major | 24, u8::try_from(n).unwrap()],
        _ => {
            let n = u16::try_from(n).unwrap().to_be_bytes();
            vec![major | 25, n[0], n[1]]
        }
    }
}

fn cbor_bytes(bytes: &[u8]) -> Vec<u8> {
    [head(2, bytes.len()), bytes.to_vec()].concat()
}

fn cbor_text(text: &str) -> Vec<u8> {
    [head(3, text.len()), text.as_bytes().to_vec()].concat()
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false})
        .to_string()
        .into_bytes()
}

impl SoftPasskey {
    /// Answers `navigator.credentials.create(options)` as the page at `origin` would get it.
    pub fn register(options: &Value, origin: &str, seed: &str) -> (Self, Value) {
        let public_key = &options["publicKey"];
        let key = SigningKey::from_slice(&Sha256::digest(seed.as_bytes())).unwrap();
        let credential_id = Sha256::digest(format!("credential {seed}").as_bytes()).to_vec();
        let user_handle = unb64(public_key["user"]["id"].as_str().unwrap());
        let rp_id = public_key["rp"]["id"].as_str().unwrap();

        let point = key.verifying_key().to_encoded_point(false);
        // {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}
        let cose_key = [
            vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21],
            cbor_bytes(point.x().unwrap()),
            vec![0x22],
            cbor_bytes(point.y().unwrap()),
        ]
        .concat();
        let auth_data = [
            Sha256::digest(rp_id.as_bytes()).to_vec(),
            vec![UP_UV | ATTESTED],
            0_u32.to_be_bytes().to_vec(),
            vec![0; 16],
            u16::try_from(credential_id.len())
                .unwrap()
                .to_be_bytes()
                .to_vec(),
            credential_id.clone(),
            cose_key,
        ]
        .concat();
        let attestation_object = [
            vec![0xa3],
            cbor_text("fmt"),
            cbor_text("none"),
            cbor_text("attStmt"),
            vec![0xa0],
            cbor_text("authData"),
            cbor_bytes(&auth_data),
        ]
        .concat();
        let challenge = public_key["challenge"].as_str().unwrap();
        let answer = json!({
            "id": b64(&credential_id),
            "rawId": b64(&credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&attestation_object),
                "clientDataJSON": b64(&client_data("webauthn.create", challenge, origin)),
                "transports": ["internal"],
            },
            "extensions": {},
        });
        let passkey = Self {
            key,
            credential_id,
            user_handle,
            counter: 0,
        };
        (passkey, answer)
    }

    /// Answers `navigator.credentials.get(options)` for `rp_id` as the page at `origin` would
    /// get it, raising the signature counter first.
    pub fn sign_in(&mut self, options: &Value, rp_id: &str, origin: &str) -> Value {
        self.counter += 1;
        let challenge = options["publicKey"]["challenge"].as_str().unwrap();
        let auth_data = [
            Sha256::digest(rp_id.as_bytes()).to_vec(),
            vec![UP_UV],
            self.counter.to_be_bytes().to_vec(),
        ]
        .concat();
        let client_data = client_data("webauthn.get", challenge, origin);
        let signed = [auth_data.clone(), Sha256::digest(&client_data).to_vec()].concat();
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
            "extensions": {},
        })
    }
}
