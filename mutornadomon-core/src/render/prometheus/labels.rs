//! Label sets and the text format's escapes (HELP text, label values).

use super::Labels;
use core::fmt::{self, Display, Write};

/// A label value, escaped when written.
pub(super) struct LabelValue<'t>(pub(super) &'t str);

impl Display for LabelValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_label_value(f, self.0)
    }
}

/// `{a="x",b="y",extra="z"}`, or nothing when there are no labels.
pub(super) fn write_labels(
    w: &mut impl Write,
    labels: Labels<'_>,
    extra: Option<(&str, &dyn Display)>,
) -> fmt::Result {
    if labels.is_empty() && extra.is_none() {
        return Ok(());
    }
    w.write_char('{')?;
    let mut first = true;
    for (name, value) in labels {
        write!(
            w,
            "{}{name}=\"{}\"",
            if first { "" } else { "," },
            LabelValue(value)
        )?;
        first = false;
    }
    if let Some((name, value)) = extra {
        write!(w, "{}{name}=\"{value}\"", if first { "" } else { "," })?;
    }
    w.write_char('}')
}

/// HELP text escapes: backslash and newline.
pub(super) fn write_help(w: &mut impl Write, text: &str) -> fmt::Result {
    write_escaped(w, text, false)
}

/// Label value escapes: backslash, double quote, newline.
fn write_label_value(w: &mut impl Write, text: &str) -> fmt::Result {
    write_escaped(w, text, true)
}

/// Writes `text` with backslash, newline and (if `quote`) double quote escaped, in runs. The
/// scan is over bytes: these are ASCII, and no byte of a multi-byte UTF-8 character is.
fn write_escaped(w: &mut impl Write, text: &str, quote: bool) -> fmt::Result {
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        let escaped = match b {
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'"' if quote => "\\\"",
            _ => continue,
        };
        w.write_str(&text[run..i])?;
        w.write_str(escaped)?;
        run = i + 1;
    }
    w.write_str(&text[run..])
}
