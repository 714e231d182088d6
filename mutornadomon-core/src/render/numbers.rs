//! The numbers of a page in each format's notation: JSON numbers, Prometheus sample values,
//! and the JSON histogram summary object. Below the page-number layer ([`super::hole`]) and
//! the formats, which all write their numbers through these.

use super::digits::WriteInt;
use crate::values::HistogramSummary;
use core::fmt::{self, Write};

/// How a floating-point number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// JSON: shortest round-trip text, `null` for NaN and infinities.
    Json,
    /// Prometheus sample value: integers plain, `NaN`, `+Inf`, `-Inf`.
    Prometheus,
}

/// Writes `v` in `style`'s notation.
#[inline]
pub(crate) fn write_float(w: &mut impl WriteInt, v: f64, style: Style) -> fmt::Result {
    match style {
        Style::Json => write_f64(w, v),
        Style::Prometheus => write_value(w, v),
    }
}

/// A histogram's summary object: count, sum, min, max and the four quantiles.
#[inline]
pub(crate) fn write_histogram_summary(
    w: &mut impl WriteInt,
    summary: &HistogramSummary<4>,
    sum: u64,
) -> fmt::Result {
    let [p50, p90, p99, p999] = summary.quantiles.map(|q| q.unwrap_or(0));
    let fields = [
        ("{\"count\":", summary.count),
        (",\"sum\":", sum),
        (",\"min\":", summary.min.unwrap_or(0)),
        (",\"max\":", summary.max.unwrap_or(0)),
        (",\"p50\":", p50),
        (",\"p90\":", p90),
        (",\"p99\":", p99),
        (",\"p999\":", p999),
    ];
    for (name, value) in fields {
        w.write_str(name)?;
        w.write_int(value)?;
    }
    w.write_char('}')
}

/// A JSON number, or `null` for NaN and infinities (JSON has neither).
#[inline]
pub(crate) fn write_f64(w: &mut impl Write, v: f64) -> fmt::Result {
    if v.is_finite() {
        // zmij gives the shortest text that reads back as the same f64, with an exponent for
        // very large or small values ("1e-7"): valid JSON either way.
        w.write_str(zmij::Buffer::new().format_finite(v))
    } else {
        w.write_str("null")
    }
}

/// A sample value as Prometheus reads it (Go's ParseFloat): `NaN`, `+Inf`, `-Inf` or a number.
#[inline]
pub(crate) fn write_value(w: &mut impl WriteInt, v: f64) -> fmt::Result {
    if v.is_nan() {
        w.write_str("NaN")
    } else if v.is_infinite() {
        w.write_str(if v > 0.0 { "+Inf" } else { "-Inf" })
    } else if v.abs() < 1e15 && v == (v as i64) as f64 {
        w.write_i64(v as i64)
    } else {
        // Shortest text that reads back as the same f64 ("0.25", "1e-7", "1.5e20"); Go's
        // ParseFloat reads all of these. zmij, not `{:?}`: no formatting pass, no Grisu.
        w.write_str(zmij::Buffer::new().format_finite(v))
    }
}
