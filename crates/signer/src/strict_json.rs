//! JSON read strictly: a key repeated in any object, at any depth, is refused.
//!
//! serde_json keeps the last of two equal keys silently, so two readers of one document (the
//! signer and Auth0, the signer and an Action) could disagree about what it says. Token
//! claims and request bodies are read with the pieces here, in one pass straight into the
//! types that use them: [`Key`] and [`SeenKeys`] for an object's own keys, [`Loose`] for a
//! value whose JSON type is judged after the whole document was read, [`LooseObject`] for a
//! value that should be an object, [`StrictValue`] for a value kept as it is.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why bytes are not a strict JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectError {
    /// Not JSON, or not an object.
    Json,
    /// Some object, at any depth, repeats a key.
    Duplicate,
}

impl ObjectError {
    /// What a serde_json error from one of this module's readers means.
    pub fn of(error: &serde_json::Error) -> Self {
        if error.is_data() && error.to_string().starts_with(DUPLICATE_KEY) {
            Self::Duplicate
        } else {
            Self::Json
        }
    }
}

/// A JSON object in which no object, at any depth, repeats a key (serde_json would keep the
/// last one silently, so two parsers could disagree about a claim).
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ObjectError> {
    match serde_json::from_slice::<StrictValue>(bytes) {
        Ok(StrictValue(Value::Object(map))) => Ok(map),
        Ok(_) => Err(ObjectError::Json),
        Err(error) => Err(ObjectError::of(&error)),
    }
}

/// The message of the error that marks a repeated key (read back by [`ObjectError::of`]).
const DUPLICATE_KEY: &str = "duplicate key";

/// Objects with up to this many keys are checked for repeats by a linear search.
const LINEAR_KEYS: usize = 16;

/// An object key, borrowed from the input when it has no escapes (`"\u0069ss"` is `iss`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(value)))
    }

    fn visit_str<E>(self, value: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(value.to_owned())))
    }

    fn visit_string<E>(self, value: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(value)))
    }
}

/// The keys of one object read so far: the second of two equal keys is an error.
#[derive(Debug, Default)]
pub struct SeenKeys<'de> {
    few: Vec<Cow<'de, str>>,
    many: HashSet<Cow<'de, str>>,
}

impl<'de> SeenKeys<'de> {
    /// Records `key`, or fails with the error [`ObjectError::of`] reads as a repeat.
    pub fn insert<E: de::Error>(&mut self, key: Cow<'de, str>) -> Result<(), E> {
        let repeated = if self.many.is_empty() {
            if self.few.contains(&key) {
                true
            } else if self.few.len() < LINEAR_KEYS {
                self.few.push(key);
                false
            } else {
                self.many.extend(self.few.drain(..));
                !self.many.insert(key)
            }
        } else {
            !self.many.insert(key)
        };
        if repeated {
            Err(E::custom(DUPLICATE_KEY))
        } else {
            Ok(())
        }
    }
}

/// A value read without deciding its type yet, so a wrong type is reported in the order the
/// checks run rather than where the parser met it. Arrays and objects are walked (a repeated
/// key inside them is still an error) and dropped.
#[derive(Debug, Clone, PartialEq)]
pub enum Loose<'de> {
    Null,
    Bool(bool),
    /// A whole number that fits `i64` (JSON's `-0` and `0` alike).
    Integer(i64),
    /// Any other number: a fraction, an exponent, a whole number beyond `i64`.
    OtherNumber,
    String(Cow<'de, str>),
    Array,
    Object,
}

impl<'de> Deserialize<'de> for Loose<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Loose<'de>, E> {
        Ok(Loose::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Loose<'de>, E> {
        Ok(Loose::Integer(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Loose<'de>, E> {
        Ok(i64::try_from(value).map_or(Loose::OtherNumber, Loose::Integer))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Loose<'de>, E> {
        Ok(Loose::OtherNumber)
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Loose<'de>, E> {
        Ok(Loose::String(Cow::Borrowed(value)))
    }

    fn visit_str<E>(self, value: &str) -> Result<Loose<'de>, E> {
        Ok(Loose::String(Cow::Owned(value.to_owned())))
    }

    fn visit_string<E>(self, value: String) -> Result<Loose<'de>, E> {
        Ok(Loose::String(Cow::Owned(value)))
    }

    fn visit_unit<E>(self) -> Result<Loose<'de>, E> {
        Ok(Loose::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Loose<'de>, A::Error> {
        while seq.next_element::<Loose<'de>>()?.is_some() {}
        Ok(Loose::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Loose<'de>, A::Error> {
        let mut seen = SeenKeys::default();
        while let Some(Key(key)) = access.next_key()? {
            seen.insert(key)?;
            access.next_value::<Loose<'de>>()?;
        }
        Ok(Loose::Object)
    }
}

/// A value that should be an object: the object (its values as [`StrictValue`] reads them),
/// `null`, or anything else (walked for repeated keys, then dropped).
#[derive(Debug, Clone, PartialEq)]
pub enum LooseObject {
    Object(Map<String, Value>),
    Null,
    Other,
}

impl<'de> Deserialize<'de> for LooseObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseObjectVisitor)
    }
}

struct LooseObjectVisitor;

impl<'de> Visitor<'de> for LooseObjectVisitor {
    type Value = LooseObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<LooseObject, E> {
        Ok(LooseObject::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<LooseObject, E> {
        Ok(LooseObject::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<LooseObject, E> {
        Ok(LooseObject::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<LooseObject, E> {
        Ok(LooseObject::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<LooseObject, E> {
        Ok(LooseObject::Other)
    }

    fn visit_unit<E>(self) -> Result<LooseObject, E> {
        Ok(LooseObject::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<LooseObject, A::Error> {
        LooseVisitor.visit_seq(seq).map(|_| LooseObject::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<LooseObject, A::Error> {
        match StrictVisitor.visit_map(access)? {
            Value::Object(map) => Ok(LooseObject::Object(map)),
            _ => Ok(LooseObject::Other),
        }
    }
}

/// A `serde_json::Value` in which no object, at any depth, repeats a key.
#[derive(Debug, Clone, PartialEq)]
pub struct StrictValue(pub Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = BTreeMap::new();
        while let Some(key) = access.next_key::<String>()? {
            let StrictValue(value) = access.next_value()?;
            if map.insert(key, value).is_some() {
                return Err(de::Error::custom(DUPLICATE_KEY));
            }
        }
        Ok(Value::Object(map.into_iter().collect()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn loose(json: &str) -> Result<Loose<'_>, ObjectError> {
        serde_json::from_str::<Loose<'_>>(json).map_err(|error| ObjectError::of(&error))
    }

    #[test]
    fn a_repeated_key_is_refused_at_any_depth() {
        assert_eq!(
            parse_object(br#"{"a":1,"a":2}"#),
            Err(ObjectError::Duplicate)
        );
        assert_eq!(
            parse_object(br#"{"a":{"b":[{"c":1,"c":1}]}}"#),
            Err(ObjectError::Duplicate)
        );
        assert_eq!(
            loose(r#"[{"c":1,"\u0063":1}]"#),
            Err(ObjectError::Duplicate)
        );
        assert_eq!(loose(r#"{"k":1,"k":1}"#), Err(ObjectError::Duplicate));
        assert_eq!(parse_object(b"[1]"), Err(ObjectError::Json));
        assert_eq!(parse_object(b"{"), Err(ObjectError::Json));
    }

    #[test]
    fn many_keys_are_checked_as_well_as_few() {
        let keys: Vec<String> = (0..40).map(|n| format!("\"k{n}\":{n}")).collect();
        let unique = format!("{{{}}}", keys.join(","));
        assert_eq!(loose(&unique), Ok(Loose::Object));
        let repeated = format!("{{{},\"k3\":0}}", keys.join(","));
        assert_eq!(loose(&repeated), Err(ObjectError::Duplicate));
        let mut seen = SeenKeys::default();
        for n in 0..40 {
            seen.insert::<serde_json::Error>(Cow::Owned(format!("k{n}")))
                .unwrap();
        }
        assert!(seen
            .insert::<serde_json::Error>(Cow::Borrowed("k0"))
            .is_err());
    }

    #[test]
    fn numbers_are_integers_only_when_they_fit_i64() {
        assert_eq!(loose("-5"), Ok(Loose::Integer(-5)));
        assert_eq!(loose("9223372036854775807"), Ok(Loose::Integer(i64::MAX)));
        assert_eq!(loose("9223372036854775808"), Ok(Loose::OtherNumber));
        assert_eq!(loose("1.0"), Ok(Loose::OtherNumber));
        assert_eq!(loose("1e3"), Ok(Loose::OtherNumber));
        assert_eq!(loose(r#""a\"b""#), Ok(Loose::String(Cow::Borrowed("a\"b"))));
    }
}
