//! One metric's statsd lines: its name (the prefix, the name with `:` sent as `_`, the tail
//! its labels add), each value as statsd reads it, and the lines written into the metric's
//! buffer.

use crate::labels::SeriesLabels;
#[cfg(feature = "labels")]
use crate::labels::OVERFLOW_LABEL;
use heapless::Vec;

/// A metric's name and the tail its labels add to it.
pub(super) type Name<'m> = (&'m [u8], Tail<'m>);

/// The tail of a statsd name: nothing, a series' label values (separated by a zero byte, as
/// stored), or a family's overflow series.
#[derive(Clone, Copy)]
pub(super) enum Tail<'m> {
    None,
    #[cfg(feature = "labels")]
    Values(&'m [u8]),
    #[cfg(feature = "labels")]
    Overflow,
    /// Never made: it keeps the lifetime when the labelled tails are not compiled, so that an
    /// unlabelled build's tail takes no room (32 B less code).
    #[cfg(not(feature = "labels"))]
    #[allow(dead_code)]
    Unlabelled(core::convert::Infallible, core::marker::PhantomData<&'m ()>),
}

/// The tail of a parsed record's labels.
pub(super) fn tail_of<'l>(labels: &SeriesLabels<'l>) -> Tail<'l> {
    #[cfg(feature = "labels")]
    if labels.is_overflow() {
        return Tail::Overflow;
    } else if !labels.is_empty() {
        return Tail::Values(labels.values_text().as_bytes());
    }
    let _ = labels;
    Tail::None
}

/// The bytes a tail adds to a statsd name: `.value` for each label value (Graphite style),
/// bytes other than ASCII letters, digits, `_` and `-` as `_`, an empty value as `_`; a
/// family's overflow series as `.otel_metric_overflow`.
#[cfg(feature = "labels")]
fn tail_bytes<'t>(tail: &Tail<'t>) -> impl Iterator<Item = u8> + 't {
    let (values, overflow) = match *tail {
        Tail::None => (None, None),
        Tail::Values(values) => (Some(values), None),
        Tail::Overflow => (None, Some(OVERFLOW_LABEL.as_bytes())),
    };
    let values = values.into_iter().flat_map(|v| v.split(|&b| b == 0));
    values.chain(overflow).flat_map(|v| {
        let empty = v.is_empty().then_some(b'_');
        let safe = |&b: &u8| {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
                b
            } else {
                b'_'
            }
        };
        Some(b'.')
            .into_iter()
            .chain(v.iter().map(safe))
            .chain(empty)
    })
}

/// Without feature `labels` every metric is unlabelled.
#[cfg(not(feature = "labels"))]
fn tail_bytes(_: &Tail<'_>) -> core::iter::Empty<u8> {
    core::iter::empty()
}

/// How many bytes [`tail_bytes`] gives.
#[cfg(feature = "labels")]
pub(super) fn tail_len(tail: &Tail<'_>) -> usize {
    match *tail {
        Tail::None => 0,
        Tail::Values(values) => values.split(|&b| b == 0).map(|v| v.len().max(1) + 1).sum(),
        Tail::Overflow => OVERFLOW_LABEL.len() + 1,
    }
}

/// Without feature `labels` every metric is unlabelled.
#[cfg(not(feature = "labels"))]
pub(super) fn tail_len(_: &Tail<'_>) -> usize {
    0
}

/// `n` in decimal at the end of `digits`, a digit at a time: smaller code than itoa's two
/// digits per step, for builds without feature `perf`.
pub(super) fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &[u8] {
    // u64::MAX has 20 digits: every step has a place.
    let mut at = digits.len();
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (n % 10) as u8;
        at -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &digits[at..]
}

/// A value as statsd reads it: a `u64`, or the bits of an `f64`.
#[derive(Clone, Copy)]
pub(super) struct Number {
    bits: u64,
    float: bool,
}

impl Number {
    pub(super) fn int(n: u64) -> Self {
        Number {
            bits: n,
            float: false,
        }
    }

    pub(super) fn float(v: f64) -> Self {
        Number {
            bits: v.to_bits(),
            float: true,
        }
    }
}

/// One metric's lines, written into `unit`: `prefix name tail suffix:value|type`, each
/// ending in `\n`.
pub(super) struct Lines<'u, 'm, const N: usize> {
    unit: &'u mut Vec<u8, N>,
    prefix: &'m str,
    name: Name<'m>,
    /// Lines written so far.
    written: usize,
}

impl<'u, 'm, const N: usize> Lines<'u, 'm, N> {
    /// A metric's lines under `prefix`, to be written at the end of `unit`.
    pub(super) fn new(unit: &'u mut Vec<u8, N>, prefix: &'m str, name: Name<'m>) -> Self {
        Lines {
            unit,
            prefix,
            name,
            written: 0,
        }
    }

    /// How many lines were written.
    pub(super) fn written(&self) -> usize {
        self.written
    }

    /// One gauge line, or two for a negative value (`0`, then the value): see the module
    /// docs. Inlined into its one call, the loop over a gauge's three values (32 B less code
    /// than called).
    #[inline(always)]
    pub(super) fn gauge(&mut self, suffix: &str, v: f64) {
        if !v.is_finite() {
            return;
        }
        if v == 0.0 {
            // -0.0 too: "-0.0" would read as "no change".
            return self.line(suffix, Number::int(0), b'g');
        }
        if v < 0.0 {
            self.line(suffix, Number::int(0), b'g');
        }
        self.line(suffix, Number::float(v), b'g');
    }

    /// Writes `prefix name tail suffix:value|kind\n` if it fits in `unit` (counted in
    /// `written`); if not, `unit` is left as it was.
    pub(super) fn line(&mut self, suffix: &str, value: Number, kind: u8) {
        let unit = &mut *self.unit;
        let start = unit.len();
        let mut float = zmij::Buffer::new();
        let mut int = itoa::Buffer::new();
        let mut digits = [0u8; 20];
        let value = if value.float {
            float.format_finite(f64::from_bits(value.bits)).as_bytes()
        } else if cfg!(feature = "perf") {
            int.format(value.bits).as_bytes()
        } else {
            decimal(value.bits, &mut digits)
        };
        let (name, tail) = self.name;
        let name_bytes = name.iter().map(|&b| if b == b':' { b'_' } else { b });
        let label_bytes = tail_bytes(&tail);
        let fits = unit.extend_from_slice(self.prefix.as_bytes()).is_ok()
            && name_bytes.map(|b| unit.push(b)).all(|r| r.is_ok())
            && label_bytes.map(|b| unit.push(b)).all(|r| r.is_ok())
            && unit.extend_from_slice(suffix.as_bytes()).is_ok()
            && unit.push(b':').is_ok()
            && unit.extend_from_slice(value).is_ok()
            && unit.extend_from_slice(&[b'|', kind, b'\n']).is_ok();
        if fits {
            self.written += 1;
        } else {
            unit.truncate(start);
        }
    }
}
