//! Metric family names (sanitised, unit suffixes) and their HELP/TYPE/UNIT block.

use super::labels::write_help;
use super::TextFormat;
use crate::exposed_name::family_base;
use core::fmt::{self, Display, Write};

/// A metric family name: sanitised base, optional infix, unit suffix.
#[derive(Clone, Copy)]
pub(super) struct Family<'r> {
    pub(super) base: &'r str,
    pub(super) infix: &'static str,
    pub(super) unit: &'r str,
    /// Whether `base` is already a legal name (most are), so it is written as it is.
    pub(super) clean: bool,
}

impl<'r> Family<'r> {
    pub(super) fn new(
        name: &'r str,
        unit: &'r str,
        infix: &'static str,
        drop_suffix: &str,
    ) -> Self {
        let (base, unit) = family_base(name, unit, drop_suffix);
        Family {
            base,
            infix,
            unit,
            clean: is_clean(base),
        }
    }
}

/// Letters, digits and '_', not starting with a digit.
fn is_clean(name: &str) -> bool {
    !name.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl Family<'_> {
    /// Writes the name with plain `write_str` calls (no formatting machinery: a page writes
    /// a family name several times per metric).
    pub(super) fn write(&self, w: &mut impl Write) -> fmt::Result {
        if self.clean {
            w.write_str(self.base)?;
        } else {
            // Runs of legal characters are written whole; anything else becomes '_'. ':' is
            // legal but reserved for recording rules; promtool flags it, so it goes too.
            // Byte by byte: names are ASCII (validated), and a run of legal bytes always
            // starts and ends on a character boundary, so `get` never drops a run.
            let mut run = 0;
            for (i, b) in self.base.bytes().enumerate() {
                let ok = b.is_ascii_alphabetic() || b == b'_' || (i > 0 && b.is_ascii_digit());
                if !ok {
                    w.write_str(self.base.get(run..i).unwrap_or_default())?;
                    w.write_char('_')?;
                    run = i + 1;
                }
            }
            w.write_str(self.base.get(run..).unwrap_or_default())?;
        }
        w.write_str(self.infix)?;
        if !self.unit.is_empty() {
            w.write_char('_')?;
            w.write_str(self.unit)?;
        }
        Ok(())
    }
}

impl Display for Family<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

/// Writes the HELP/TYPE (and UNIT) block of a family. `sample_suffix` is what 0.0.4 needs on
/// the declared name (`_total` for counters, `_info` for info).
pub(super) fn write_meta(
    w: &mut impl Write,
    family: Family<'_>,
    help: &str,
    name: &str,
    kind: &str,
    sample_suffix: &str,
    format: TextFormat,
) -> fmt::Result {
    let help = if help.is_empty() { name } else { help };
    match format {
        TextFormat::Prometheus => {
            w.write_str("# HELP ")?;
            family.write(w)?;
            w.write_str(sample_suffix)?;
            w.write_char(' ')?;
            write_help(w, help)?;
            w.write_str("\n# TYPE ")?;
            family.write(w)?;
            w.write_str(sample_suffix)?;
            w.write_char(' ')?;
            w.write_str(if kind == "info" { "gauge" } else { kind })?;
            w.write_char('\n')
        }
        TextFormat::OpenMetrics => {
            w.write_str("# TYPE ")?;
            family.write(w)?;
            w.write_char(' ')?;
            w.write_str(kind)?;
            w.write_char('\n')?;
            if !family.unit.is_empty() {
                w.write_str("# UNIT ")?;
                family.write(w)?;
                w.write_char(' ')?;
                w.write_str(family.unit)?;
                w.write_char('\n')?;
            }
            w.write_str("# HELP ")?;
            family.write(w)?;
            w.write_char(' ')?;
            write_help(w, help)?;
            w.write_char('\n')
        }
    }
}
