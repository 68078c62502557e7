//! Host names and origins as the configuration and the tokens write them.

/// True for `127.0.0.1`, `localhost` and `[::1]`, with or without a port.
pub fn is_loopback_host(host_and_port: &str) -> bool {
    let host = split_host(host_and_port);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// `host` or `host:port`: lowercase letters, digits, `-` and `.` (or a bracketed IPv6
/// literal), no scheme, no path.
pub(super) fn is_host(value: &str) -> bool {
    let host = split_host(value);
    let port = &value[host.len()..];
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|digits| {
            digits.bytes().all(|b| b.is_ascii_digit())
                && digits.parse::<u16>().is_ok_and(|port| port > 0)
        });
    let host_ok = if host.starts_with('[') {
        host.ends_with(']')
            && host.len() > 2
            && host[1..host.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':')
    } else {
        !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !host.starts_with(['.', '-'])
            && !host.ends_with(['.', '-'])
    };
    host_ok && port_ok
}

/// The tenant host an issuer names: `host`, `https://host` and `https://host/` are one tenant
/// (Auth0's `encodeToken` writes the bare host; Actions often override it with the URL form).
/// `None` when what remains is not a host name with an optional port.
pub fn issuer_host(issuer: &str) -> Option<&str> {
    let host = match issuer.strip_prefix("https://") {
        Some(rest) => rest.strip_suffix('/').unwrap_or(rest),
        None => issuer,
    };
    is_host(host).then_some(host)
}

/// The host part of `host[:port]`.
pub(super) fn split_host(value: &str) -> &str {
    if value.starts_with('[') {
        return value.find(']').map_or(value, |end| &value[..=end]);
    }
    value.split(':').next().unwrap_or(value)
}

/// `scheme://host[:port]` as browsers send it in `Origin`.
pub fn is_origin(value: &str) -> bool {
    ["https://", "http://"]
        .iter()
        .any(|scheme| value.strip_prefix(scheme).is_some_and(is_host))
}
