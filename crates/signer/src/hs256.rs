//! HS256 with a key prepared once per tenant: the MAC of the session token is checked, and the
//! continue token's computed, from an HMAC-SHA256 state that has already absorbed the key.
//!
//! HMAC hashes the padded key into an inner and an outer SHA-256 state before it reads a
//! byte of the message; jwt-compact's `Hs256Key` redoes that (two of the four SHA-256 blocks
//! a session token's MAC costs) on every call. Here it is done at start-up and the state is
//! cloned per token.

use std::fmt;

use hmac::{Hmac, Mac as _};
use jwt_compact::alg::Hs256Key;
use sha2::Sha256;

/// Length of an HS256 signature.
pub const SIGNATURE_BYTES: usize = 32;

/// A tenant's shared secret: its bytes (wiped when dropped), and the HMAC-SHA256 state
/// keyed with them.
#[derive(Clone)]
pub struct TenantKey {
    secret: Hs256Key,
    keyed: Hmac<Sha256>,
}

impl TenantKey {
    /// The key for `secret`, the UTF-8 bytes of the string the Action was given.
    pub fn new(secret: &[u8]) -> Self {
        Self {
            secret: Hs256Key::new(secret),
            // HMAC takes a key of any length (a long one is hashed first), so this cannot
            // fail; the configuration check refuses secrets under 32 bytes anyway.
            keyed: Hmac::<Sha256>::new_from_slice(secret)
                .unwrap_or_else(|_| Hmac::<Sha256>::new(&Default::default())),
        }
    }

    /// The HS256 signature of `signed` (a JWT's `header.claims`).
    pub fn sign(&self, signed: &[u8]) -> [u8; SIGNATURE_BYTES] {
        let mut mac = self.keyed.clone();
        mac.update(signed);
        mac.finalize().into_bytes().into()
    }

    /// Whether `signature` is the HS256 signature of `signed`, compared in constant time.
    pub fn verify(&self, signed: &[u8], signature: &[u8]) -> bool {
        let mut mac = self.keyed.clone();
        mac.update(signed);
        mac.verify_slice(signature).is_ok()
    }
}

impl AsRef<[u8]> for TenantKey {
    fn as_ref(&self) -> &[u8] {
        self.secret.as_ref()
    }
}

impl fmt::Debug for TenantKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TenantKey(..)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use jwt_compact::alg::Hs256;
    use jwt_compact::{Algorithm as _, AlgorithmSignature as _};

    use super::*;

    const SECRET: &[u8] = b"a-test-secret-of-at-least-32-bytes-long";

    #[test]
    fn signatures_match_jwt_compact() {
        let key = TenantKey::new(SECRET);
        let data = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0";
        let expected = Hs256.sign(&Hs256Key::new(SECRET), data);
        assert_eq!(key.sign(data).as_slice(), expected.as_bytes().as_ref());
        assert!(key.verify(data, &key.sign(data)));
    }

    #[test]
    fn a_changed_message_or_signature_or_length_fails() {
        let key = TenantKey::new(SECRET);
        let signature = key.sign(b"message");
        assert!(!key.verify(b"messagf", &signature));
        let mut flipped = signature;
        flipped[31] ^= 1;
        assert!(!key.verify(b"message", &flipped));
        assert!(!key.verify(b"message", &signature[..31]));
        assert!(!TenantKey::new(b"another-secret-of-at-least-32-bytes!!")
            .verify(b"message", &signature));
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let key = TenantKey::new(SECRET);
        assert_eq!(format!("{key:?}"), "TenantKey(..)");
        assert_eq!(key.as_ref(), SECRET);
    }
}
