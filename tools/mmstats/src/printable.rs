//! Text from files and directories made safe for a terminal: a file name may hold any byte
//! but `/` and NUL, so one with an escape sequence could recolour or rewrite the reader's
//! terminal, and one with a newline could forge a line of output.

use std::borrow::Cow;
use std::path::Path;

/// `text` with every control character written as a Rust escape (`\n`, `\u{1b}`); text with
/// none is returned as it is.
///
/// ```
/// use mmstats::printable::printable;
/// assert_eq!(printable("app.stats"), "app.stats");
/// assert_eq!(printable("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\\nc");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path as [`printable`] text (bytes that are not UTF-8 shown as U+FFFD).
pub fn printable_path(path: &Path) -> String {
    printable(&path.to_string_lossy()).into_owned()
}
