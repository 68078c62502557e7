//! The value formats a field can require, as small pure parsers: each takes what a person
//! typed and returns the normalised value, or `None` when it is not of that format.
//!
//! Written by hand (no `regex`, `url` or date crates) so the page's wasm stays small. Both
//! [`validate_answers`](fn@crate::validate_answers) and [`crate::FormDefinition::check`] use them.

/// Longest e-mail address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest URL accepted when the field sets no `max_length`.
pub const MAX_URL_CHARS: usize = 2048;
/// Fewest and most digits of an E.164 number, country code included.
pub const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 8..=15;

/// A phone number in international form, normalised to E.164: `+` and 8 to 15 digits, the
/// first not `0`. The input must start with `+`; spaces, `-`, `.`, `(` and `)` between the
/// digits are accepted and dropped (`+33 (0)6` is not special-cased: the `0` counts).
pub fn normalize_phone(input: &str) -> Option<String> {
    let rest = input.trim().strip_prefix('+')?;
    let mut digits = String::with_capacity(PHONE_DIGITS.end() + 1);
    digits.push('+');
    for c in rest.chars() {
        match c {
            '0'..='9' => {
                if digits.len() > *PHONE_DIGITS.end() {
                    return None;
                }
                digits.push(c);
            }
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let count = digits.len() - 1;
    let first_is_zero = digits[1..].starts_with('0');
    (PHONE_DIGITS.contains(&count) && !first_is_zero).then_some(digits)
}

/// An e-mail address `local@domain`, with the domain in lower case.
///
/// Pragmatic, not RFC 5322: at most [`MAX_EMAIL_CHARS`] characters; a local part of 1 to 64
/// characters without blanks, control characters, quotes or `(),:;<>[\]@`, and without a
/// leading, trailing or doubled `.`; a domain of at least two dot-separated labels of letters
/// (any script), digits and inner `-`, each at most 63 characters, the last not all digits.
pub fn normalize_email(input: &str) -> Option<String> {
    let input = input.trim();
    if input.chars().count() > MAX_EMAIL_CHARS {
        return None;
    }
    let (local, domain) = input.rsplit_once('@')?;
    let local_ok = (1..=64).contains(&local.chars().count())
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"\"(),:;<>[\\]@".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    if !local_ok {
        return None;
    }
    let domain = domain.to_lowercase();
    is_domain_name(&domain, true).then(|| format!("{local}@{domain}"))
}

/// An absolute `https` or `http` URL with a host, at most `max_chars` characters, without
/// blanks or control characters, and without user information (`user@host`). The scheme and
/// host are lowered; the rest is kept as typed.
pub fn normalize_url(input: &str, max_chars: usize) -> Option<String> {
    let input = input.trim();
    if input.chars().count() > max_chars
        || input.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let (scheme, rest) = input.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    if authority.contains('@') {
        return None;
    }
    let (host, port) = split_port(authority)?;
    let host = host.to_lowercase();
    let host_ok = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    } else {
        is_domain_name(&host, false) || host == "localhost"
    };
    if !host_ok {
        return None;
    }
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    Some(format!("{scheme}://{host}{port}{tail}"))
}

/// A calendar date `YYYY-MM-DD` (years 0001 to 9999) that exists: `2024-02-29` is one,
/// `2023-02-29` is not. Valid dates compare correctly as strings.
pub fn is_iso_date(input: &str) -> bool {
    let bytes = input.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &bytes[range];
        part.iter().all(u8::is_ascii_digit).then(|| {
            part.iter()
                .fold(0, |acc, digit| acc * 10 + u32::from(digit - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days_in_month).contains(&day)
}

/// A decimal number as a person types it: optional sign, digits with an optional `.`
/// fraction, an optional exponent (`1e3`). Refuses `NaN`, `inf`, hex and anything Rust's
/// float parser would take but people do not mean.
///
/// The number is read by serde_json, exactly (`float_roundtrip`, the nearest `f64` as Rust's
/// `str::parse` finds it: a test holds the two together), written first in JSON's grammar. So
/// the page carries one float parser, not two: Rust's own is 13 kB of its wasm with its table
/// of powers of five.
pub fn parse_decimal(input: &str) -> Option<f64> {
    let input = input.trim();
    let unsigned = input.strip_prefix(['-', '+']).unwrap_or(input);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok =
        !(whole.is_empty() && fraction.is_empty()) && digits_ok(whole) && digits_ok(fraction);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.len() <= 4 && digits_ok(e)
    });
    if !mantissa_ok || !exponent_ok || input.len() > 64 {
        return None;
    }
    // The magnitude in JSON's grammar: a digit before any `.` and after it, no leading zero,
    // no `+` (the sign is applied after, so `-0` stays negative zero as Rust reads it).
    let whole = whole.trim_start_matches('0');
    let mut json = String::with_capacity(unsigned.len() + 2);
    json.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    if let Some(exponent) = exponent {
        json.push('e');
        json.push_str(exponent);
    }
    let magnitude = serde_json::from_str::<f64>(&json)
        .ok()
        .filter(|n| n.is_finite())?;
    Some(if input.starts_with('-') {
        -magnitude
    } else {
        magnitude
    })
}

/// Host name labels: letters of any script, digits, inner `-`; 1 to 63 characters each.
/// With `needs_dot`, at least two labels and a last label that is not all digits.
fn is_domain_name(host: &str, needs_dot: bool) -> bool {
    if host.is_empty() || host.chars().count() > 253 {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let labels_ok = labels.iter().all(|label| {
        (1..=63).contains(&label.chars().count())
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    let last_ok = labels
        .last()
        .is_some_and(|last| !last.chars().all(|c| c.is_ascii_digit()));
    // A dotted all-digit host is an IPv4 address: fine in a URL, not in an e-mail domain.
    let ipv4 = labels.len() == 4 && labels.iter().all(|l| l.parse::<u8>().is_ok());
    labels_ok && (!needs_dot || (labels.len() >= 2 && last_ok)) && (last_ok || (!needs_dot && ipv4))
}

/// `host[:port]` (or `[v6]:port`) into host and port; `None` when the port is not 1..=65535.
fn split_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let port_start = if authority.starts_with('[') {
        authority.find(']').map(|end| end + 1)?
    } else {
        authority.find(':').unwrap_or(authority.len())
    };
    let (host, port) = authority.split_at(port_start);
    match port.strip_prefix(':') {
        None if port.is_empty() => Some((host, None)),
        None => None,
        Some(digits) => {
            let valid = !digits.is_empty()
                && digits.len() <= 5
                && digits.bytes().all(|b| b.is_ascii_digit());
            let port = digits.parse::<u16>().ok().filter(|p| valid && *p != 0)?;
            Some((host, Some(port)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_with_spaces_is_normalised_to_e164() {
        assert_eq!(
            normalize_phone(" +33 6 12 34 56 78 ").as_deref(),
            Some("+33612345678")
        );
    }

    #[test]
    fn phone_with_dashes_dots_and_parentheses_is_normalised() {
        assert_eq!(
            normalize_phone("+1 (415) 555-0100").as_deref(),
            Some("+14155550100")
        );
        assert_eq!(
            normalize_phone("+49.30.1234.5678").as_deref(),
            Some("+493012345678")
        );
    }

    #[test]
    fn phone_without_plus_is_refused() {
        assert_eq!(normalize_phone("0612345678"), None);
        assert_eq!(normalize_phone("0033612345678"), None);
    }

    #[test]
    fn phone_digit_count_is_8_to_15() {
        assert_eq!(normalize_phone("+1234567"), None);
        assert_eq!(normalize_phone("+12345678").as_deref(), Some("+12345678"));
        assert_eq!(
            normalize_phone("+123456789012345").as_deref(),
            Some("+123456789012345")
        );
        assert_eq!(normalize_phone("+1234567890123456"), None);
    }

    #[test]
    fn phone_country_code_cannot_start_with_zero() {
        assert_eq!(normalize_phone("+0612345678"), None);
    }

    #[test]
    fn phone_with_letters_or_a_second_plus_is_refused() {
        assert_eq!(normalize_phone("+33 6 CALL ME"), None);
        assert_eq!(normalize_phone("+33+612345678"), None);
        assert_eq!(normalize_phone("+"), None);
    }

    #[test]
    fn email_domain_is_lowered_and_local_part_kept() {
        assert_eq!(
            normalize_email(" Ada.Lovelace@Example.COM ").as_deref(),
            Some("Ada.Lovelace@example.com")
        );
    }

    #[test]
    fn email_accepts_plus_tags_subdomains_and_international_domains() {
        assert!(normalize_email("ada+news@mail.example.co.uk").is_some());
        assert_eq!(
            normalize_email("jo@BÜCHER.de").as_deref(),
            Some("jo@bücher.de")
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "ada@@example.com",
            "ada lovelace@example.com",
            "ada@exa mple.com",
            ".ada@example.com",
            "ada.@example.com",
            "a..da@example.com",
            "ada@-example.com",
            "ada@example-.com",
            "ada@example..com",
            "ada@example.123",
            "ada@[127.0.0.1]",
            "a<b>@example.com",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn email_longer_than_254_characters_is_refused() {
        let long = format!(
            "{}@{}.com",
            "a".repeat(64),
            "b".repeat(63) + "." + &"c".repeat(63) + "." + &"d".repeat(63)
        );
        assert!(long.chars().count() > MAX_EMAIL_CHARS);
        assert_eq!(normalize_email(&long), None);
        assert_eq!(
            normalize_email(&format!("{}@example.com", "a".repeat(65))),
            None
        );
    }

    #[test]
    fn url_scheme_and_host_are_lowered_path_kept() {
        assert_eq!(
            normalize_url("HTTPS://Example.COM/Path?Q=1#Frag", MAX_URL_CHARS).as_deref(),
            Some("https://example.com/Path?Q=1#Frag")
        );
        assert_eq!(
            normalize_url("http://127.0.0.1:8080", MAX_URL_CHARS).as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            normalize_url("https://[::1]:8443/x", MAX_URL_CHARS).as_deref(),
            Some("https://[::1]:8443/x")
        );
        assert!(normalize_url("http://localhost/", MAX_URL_CHARS).is_some());
    }

    #[test]
    fn urls_other_than_http_and_https_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "ftp://example.com",
            "data:text/html,x",
            "example.com",
            "//example.com",
        ] {
            assert_eq!(normalize_url(bad, MAX_URL_CHARS), None, "{bad}");
        }
    }

    #[test]
    fn malformed_urls_are_refused() {
        for bad in [
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://example.com/a b",
            "https://user:pw@example.com",
            "https://example.com:0",
            "https://example.com:99999",
            "https://example.com:",
            "https://exa_mple.com",
            "https://example.com\u{0}",
            "https://-example.com",
        ] {
            assert_eq!(normalize_url(bad, MAX_URL_CHARS), None, "{bad}");
        }
    }

    #[test]
    fn url_longer_than_the_limit_is_refused() {
        let url = format!("https://example.com/{}", "a".repeat(30));
        assert!(normalize_url(&url, 50).is_some());
        assert_eq!(normalize_url(&url, 40), None);
    }

    #[test]
    fn iso_dates_follow_the_calendar() {
        assert!(is_iso_date("2024-02-29"));
        assert!(is_iso_date("2000-02-29"));
        assert!(is_iso_date("0001-01-01"));
        assert!(is_iso_date("9999-12-31"));
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-04-31",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "0000-01-01",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "2024-01-01T00:00",
            "２０２４-01-01",
            "",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }

    #[test]
    fn decimals_are_what_people_type() {
        assert_eq!(parse_decimal("42"), Some(42.0));
        assert_eq!(parse_decimal(" -1.5 "), Some(-1.5));
        assert_eq!(parse_decimal("+.5"), Some(0.5));
        assert_eq!(parse_decimal("3."), Some(3.0));
        assert_eq!(parse_decimal("1e3"), Some(1000.0));
        for bad in [
            "", ".", "-", "NaN", "inf", "infinity", "0x10", "1,5", "1 000", "1e", "1e99999", "--1",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
        assert_eq!(
            parse_decimal("-0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(parse_decimal("007.50"), Some(7.5));
        assert_eq!(parse_decimal("1e-400"), Some(0.0));
        assert_eq!(parse_decimal("1E+2"), Some(100.0));
    }

    /// Rust's float parser, the reference: what `parse_decimal` read with it before.
    fn rust_reads(input: &str) -> Option<f64> {
        input.trim().parse::<f64>().ok().filter(|n| n.is_finite())
    }

    proptest::proptest! {
        /// Every decimal a person may type is read as the same `f64`, bit for bit, as Rust's
        /// own correctly rounded parser reads it: long mantissas, halfway cases near the
        /// limits, under- and overflowing exponents.
        #[test]
        fn decimals_are_read_as_rust_reads_them(
            sign in "[-+]?",
            whole in "[0-9]{0,25}",
            point in proptest::bool::ANY,
            fraction in "[0-9]{0,25}",
            exponent in proptest::option::of("[eE][-+]?[0-9]{1,4}"),
        ) {
            let input = format!(
                "{sign}{whole}{}{fraction}{}",
                if point || !fraction.is_empty() { "." } else { "" },
                exponent.unwrap_or_default()
            );
            let rust = rust_reads(&input);
            let read = parse_decimal(&input);
            if whole.is_empty() && fraction.is_empty() {
                proptest::prop_assert_eq!(read, None);
            } else {
                proptest::prop_assert_eq!(read.map(f64::to_bits), rust.map(f64::to_bits), "{}", input);
            }
        }

        /// Every finite `f64`, subnormals and the largest included, as Rust prints it
        /// (shortest, in scientific notation), is read back to the same bits.
        #[test]
        fn every_f64_as_rust_prints_it_is_read_back_exactly(bits in proptest::num::u64::ANY) {
            let value = f64::from_bits(bits);
            proptest::prop_assume!(value.is_finite());
            let printed = format!("{value:e}");
            proptest::prop_assert_eq!(parse_decimal(&printed).map(f64::to_bits), Some(bits), "{}", printed);
        }
    }
}
