//! URL-encoded queries and form bodies, decoded strictly, once, at the edge: a value that is
//! not UTF-8 once percent-decoded, or a request larger than [`MAX_ENCODED_BYTES`], is refused
//! (as a 4xx page) instead of being patched up with replacement characters.

use serde_json::{Map, Value};

/// The most a query or form body may hold. A continue token is a few KiB; Auth0 refuses
/// far larger requests too.
pub const MAX_ENCODED_BYTES: usize = 16 * 1024;

/// Name-value pairs in their order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

/// Why a query or body cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    #[error("The request is too large.")]
    TooLarge,
    #[error("The request is not valid UTF-8 once decoded.")]
    NotUtf8,
}

impl Params {
    /// Parses a query string (`None`: no query).
    pub fn parse(encoded: Option<&str>) -> Result<Self, ParamsError> {
        Self::parse_bytes(encoded.unwrap_or_default().as_bytes())
    }

    /// Parses `application/x-www-form-urlencoded` bytes.
    pub fn parse_bytes(encoded: &[u8]) -> Result<Self, ParamsError> {
        if encoded.len() > MAX_ENCODED_BYTES {
            return Err(ParamsError::TooLarge);
        }
        let mut pairs = Vec::new();
        for pair in encoded.split(|byte| *byte == b'&') {
            if pair.is_empty() {
                continue;
            }
            let (name, value) = match pair.iter().position(|byte| *byte == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &b""[..]),
            };
            pairs.push((decode(name)?, decode(value)?));
        }
        Ok(Self(pairs))
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// `{name: first value}`, as Auth0 gives `event.request.query` and `body`.
    pub fn to_object(&self) -> Map<String, Value> {
        let mut object = Map::new();
        for (name, value) in &self.0 {
            if !object.contains_key(name) {
                object.insert(name.clone(), Value::String(value.clone()));
            }
        }
        object
    }
}

/// `+` is a space, `%XX` a byte; a `%` without two hex digits stays as it is (as browsers
/// and `form_urlencoded` read it). The bytes must then be UTF-8.
fn decode(encoded: &[u8]) -> Result<String, ParamsError> {
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut index = 0;
    while index < encoded.len() {
        match encoded[index] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let high = encoded.get(index + 1).and_then(|b| hex(*b));
                let low = encoded.get(index + 2).and_then(|b| hex(*b));
                if let (Some(high), Some(low)) = (high, low) {
                    bytes.push(high << 4 | low);
                    index += 2;
                } else {
                    bytes.push(b'%');
                }
            }
            other => bytes.push(other),
        }
        index += 1;
    }
    String::from_utf8(bytes).map_err(|_| ParamsError::NotUtf8)
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_decoded_and_the_first_value_wins() {
        let params = Params::parse(Some("a=1&b=x+y%26z&a=2&flag&=empty&c=%C3%A9%")).unwrap();
        assert_eq!(params.get("a"), Some("1"));
        assert_eq!(params.get("b"), Some("x y&z"));
        assert_eq!(params.get("flag"), Some(""));
        assert_eq!(params.get(""), Some("empty"));
        assert_eq!(params.get("c"), Some("é%"));
        assert_eq!(params.to_object()["a"], "1");
        assert_eq!(Params::parse(None).unwrap(), Params::default());
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused() {
        assert_eq!(Params::parse(Some("a=%FF")), Err(ParamsError::NotUtf8));
        assert_eq!(Params::parse(Some("%C3=1")), Err(ParamsError::NotUtf8));
        assert_eq!(
            Params::parse_bytes(b"state=\xff\xfe"),
            Err(ParamsError::NotUtf8)
        );
    }

    #[test]
    fn a_huge_request_is_refused_before_it_is_decoded() {
        let huge = format!("t={}", "a".repeat(MAX_ENCODED_BYTES));
        assert_eq!(Params::parse(Some(&huge)), Err(ParamsError::TooLarge));
    }
}
