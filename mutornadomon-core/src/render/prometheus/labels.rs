//! Label sets and the text format's escapes (HELP text, label values).

use super::bucket_edge::BucketEdge;
use super::Labels;
use crate::labels::SeriesLabels;
use core::fmt::{self, Write};

/// The value of the one extra label a sample may carry.
pub(super) enum Extra<'t> {
    /// Text, escaped when written (an info's `value`).
    Text(&'t str),
    /// A histogram bucket's upper edge (`le`).
    Edge(BucketEdge),
    /// Written as it is (`+Inf`).
    Plain(&'static str),
}

/// `{a="x",b="y",extra="z"}`: a series' own labels, then `labels` (a page over several
/// writers adds `pid` and `program`; a series label of the same name is written as
/// `exported_<name>`, as Prometheus renames a clashing target label), then `extra`; nothing
/// when there are no labels. Written with `write_str` alone: no formatting machinery on a
/// page's path.
pub(super) fn write_labels(
    w: &mut impl Write,
    series: &SeriesLabels<'_>,
    labels: Labels<'_>,
    extra: Option<(&str, Extra<'_>)>,
) -> fmt::Result {
    if series.is_empty() && labels.is_empty() && extra.is_none() {
        return Ok(());
    }
    w.write_char('{')?;
    let mut first = true;
    for (name, value) in series.iter() {
        if !first {
            w.write_char(',')?;
        }
        first = false;
        if labels.iter().any(|(added, _)| *added == name) {
            w.write_str("exported_")?;
        }
        w.write_str(name)?;
        w.write_str("=\"")?;
        write_label_value(w, value)?;
        w.write_char('"')?;
    }
    for (name, value) in labels {
        if !first {
            w.write_char(',')?;
        }
        first = false;
        w.write_str(name)?;
        w.write_str("=\"")?;
        write_label_value(w, value)?;
        w.write_char('"')?;
    }
    if let Some((name, value)) = extra {
        if !first {
            w.write_char(',')?;
        }
        w.write_str(name)?;
        w.write_str("=\"")?;
        match value {
            Extra::Text(text) => write_label_value(w, text)?,
            Extra::Edge(edge) => edge.write(w)?,
            Extra::Plain(text) => w.write_str(text)?,
        }
        w.write_char('"')?;
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
        // Runs end and start beside an ASCII byte: `get` always finds them.
        w.write_str(text.get(run..i).unwrap_or_default())?;
        w.write_str(escaped)?;
        run = i + 1;
    }
    w.write_str(text.get(run..).unwrap_or_default())
}
