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
    // Written out, not a loop over (name, value) pairs: each name is then a copy of known
    // length into the page (a loop the optimiser may or may not unroll cost a JSON page 5%).
    w.write_str("{\"count\":")?;
    w.write_int(summary.count)?;
    w.write_str(",\"sum\":")?;
    w.write_int(sum)?;
    w.write_str(",\"min\":")?;
    w.write_int(summary.min.unwrap_or(0))?;
    w.write_str(",\"max\":")?;
    w.write_int(summary.max.unwrap_or(0))?;
    w.write_str(",\"p50\":")?;
    w.write_int(p50)?;
    w.write_str(",\"p90\":")?;
    w.write_int(p90)?;
    w.write_str(",\"p99\":")?;
    w.write_int(p99)?;
    w.write_str(",\"p999\":")?;
    w.write_int(p999)?;
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

/// Writes a finite `v` as `{:?}` does (decimal with at least one fractional digit from 1e-4 to
/// 1e16, exponent notation outside, shortest round-trip digits), from zmij's text: the one
/// float formatter of the crate, so `core::fmt`'s (Grisu, Dragon) is never linked. The text
/// always reads back as `v`; it is `{:?}`'s byte for byte but where two shortest candidates are
/// exactly as near (zmij rounds such a tie to even, core up), which no bucket edge is (tested
/// over every edge in every unit).
///
/// zmij's text differs from `{:?}`'s in two places only: a positive exponent has a `+`
/// (`1e+16`, `{:?}` `1e16`), and from 1e-5 to 1e-4 zmij is still fixed (`0.000015`) where `{:?}`
/// takes an exponent (`1.5e-5`).
pub(crate) fn write_f64_debug(w: &mut impl Write, v: f64) -> fmt::Result {
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(v);
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(unsigned) => ("-", unsigned),
        None => ("", text),
    };
    if let Some(digits) = unsigned.strip_prefix("0.0000") {
        // 1e-5 <= |v| < 1e-4 (a smaller value has an exponent): `digits` starts at the first
        // significant digit, which is the 5th after the point.
        let (first, rest) = digits.split_at_checked(1).unwrap_or((digits, ""));
        w.write_str(sign)?;
        w.write_str(first)?;
        if !rest.is_empty() {
            w.write_char('.')?;
            w.write_str(rest)?;
        }
        return w.write_str("e-5");
    }
    // `e+`: written without the `+` (zmij's text is ASCII, so the split is on a boundary).
    let plus = text.bytes().position(|b| b == b'+');
    match plus.and_then(|plus| text.split_at_checked(plus)) {
        Some((mantissa, exponent)) => {
            w.write_str(mantissa)?;
            w.write_str(exponent.get(1..).unwrap_or_default())
        }
        None => w.write_str(text),
    }
}

#[cfg(test)]
mod debug_tests {
    use super::write_f64_debug;
    use std::string::String;

    fn ours(v: f64) -> String {
        let mut s = String::new();
        write_f64_debug(&mut s, v).unwrap();
        s
    }

    #[test]
    fn writes_what_debug_writes() {
        let mut values = std::vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.25,
            0.1,
            1e-4,
            9.999e-5,
            1e-5,
            1.5e-7,
            123.0,
            123.456,
            1e15,
            1e16,
            9999999999999998.0,
            1.5e20,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            0.000262143,
            1.6383e-5,
            4.194303e-3,
            2.0f64.powi(60),
            1.0 / 3.0,
        ];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits(x);
            if v.is_finite() {
                values.push(v);
            }
            values.push((x >> 11) as f64 / 1e9);
            values.push((x % 1_000_000) as f64 / [1.0, 1e3, 1e6, 1e9][(x % 4) as usize]);
        }
        let mut ties = 0;
        for v in values {
            let (ours, debug) = (ours(v), std::format!("{v:?}"));
            if ours != debug {
                // Only a tie between two shortest candidates: same length, both read back.
                assert_eq!(ours.len(), debug.len(), "{v:e}: {ours} {debug}");
                assert_eq!(ours.parse::<f64>().unwrap(), v, "{v:e}: {ours}");
                ties += 1;
            }
        }
        assert!(ties < 100, "{ties} ties");
    }

    /// Every histogram bucket's upper edge, in every unit the renderers scale: byte for byte.
    #[test]
    fn every_bucket_edge_is_written_as_debug_writes_it() {
        for k in 0..64 {
            let edge = (1u64 << k) - 1;
            for divisor in [1.0, 1e3, 1e6, 1e9] {
                let v = edge as f64 / divisor;
                assert_eq!(ours(v), std::format!("{v:?}"), "{edge} / {divisor}");
            }
        }
    }
}
