//! Query strings: `a=1&b=x%20y` into decoded pairs, for the tools' and the profiler's
//! parameters.

/// The `name=value` pairs of a query string, percent-decoded (`+` is a space; a bad escape is
/// kept as it is; bytes that do not decode to UTF-8 become U+FFFD). A pair without `=` has an
/// empty value; empty pairs are skipped.
///
/// ```
/// let pairs: Vec<_> = mutornadomon_http::query_pairs("glob=app-*&label=a%2Eb&flag&&x=%zz").collect();
/// assert_eq!(pairs, [
///     ("glob".to_string(), "app-*".to_string()),
///     ("label".into(), "a.b".into()),
///     ("flag".into(), "".into()),
///     ("x".into(), "%zz".into()),
/// ]);
/// ```
pub fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .map(|(name, value)| (percent_decode(name), percent_decode(value)))
}

/// Percent-decoding of one query component (`+` is a space; a bad escape is kept as it is).
///
/// ```
/// assert_eq!(mutornadomon_http::percent_decode("a%2Fb+c%zz"), "a/b c%zz");
/// ```
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .map(|h| hex_digit(h[0]) << 4 | hex_digit(h[1]));
        match (b, hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of an ASCII hex digit (checked by the caller).
fn hex_digit(c: u8) -> u8 {
    char::from(c).to_digit(16).map_or(0, |d| d as u8)
}
