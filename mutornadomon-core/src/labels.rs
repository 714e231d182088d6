//! How a parsed series shows its labels ([`SeriesLabels`]), and the overflow series' label.
//! The rules for label names and values are in `label_rules` (feature `labels`).

/// The label the overflow series of a family carries (`="true"`), as OpenTelemetry's SDKs
/// name it: the series that takes every update past the family's series limit.
pub const OVERFLOW_LABEL: &str = "otel_metric_overflow";

/// Separates label names (in a family record) and label values (in a series record).
#[cfg(feature = "labels")]
pub(crate) const SEPARATOR: u8 = 0;

/// The items of a [`SEPARATOR`]-joined text (a byte scan: the separator is ASCII, so every
/// item is whole UTF-8).
#[cfg(feature = "labels")]
#[derive(Debug, Clone)]
pub(crate) struct Parts<'a> {
    rest: Option<&'a str>,
}

#[cfg(feature = "labels")]
impl<'a> Iterator for Parts<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match rest.bytes().position(|b| b == SEPARATOR) {
            Some(at) => {
                self.rest = rest.get(at + 1..);
                rest.get(..at)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// Items of a [`SEPARATOR`]-joined list of names; an empty text has none.
#[cfg(feature = "labels")]
pub(crate) fn split(text: &str) -> Parts<'_> {
    Parts {
        rest: (!text.is_empty()).then_some(text),
    }
}

/// Items of a series' values: one per label name, so an empty text is one empty value.
#[cfg(feature = "labels")]
pub(crate) fn values(text: &str) -> Parts<'_> {
    Parts { rest: Some(text) }
}

/// The labels of a parsed series: its family's label names with this series' values, or, for
/// a family's overflow series, `otel_metric_overflow="true"` alone. Unlabelled metrics have
/// none ([`is_empty`](Self::is_empty)).
///
/// ```
/// # #[cfg(feature = "labels")] {
/// use mutornadomon_core::{parse, Meta, Storage};
/// static STATS: Storage<1024> = Storage::new();
/// let requests = STATS.region().counter_family("requests", Meta::new(), &["status", "method"], 8)?;
/// requests.series(&["200", "GET"])?.inc();
/// let mut buf = [0u8; 8192];
/// let n = STATS.region().snapshot(&mut buf)?;
/// let stats = parse(&buf[..n])?;
/// let labelled: Vec<_> = stats.records().map(|r| r.unwrap().labels).collect();
/// assert!(labelled[0].is_overflow()); // the family record: its overflow series
/// assert_eq!(labelled[1].iter().collect::<Vec<_>>(), [("status", "200"), ("method", "GET")]);
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SeriesLabels<'a> {
    names: &'a str,
    values: &'a str,
    overflow: bool,
    /// Byte offset of the family record (0 for unlabelled metrics).
    #[cfg_attr(
        not(all(
            feature = "labels",
            any(feature = "json", feature = "prometheus", feature = "serde")
        )),
        allow(dead_code)
    )]
    pub(crate) family_at: usize,
    folded: u64,
    limit: u64,
}

impl<'a> SeriesLabels<'a> {
    /// No labels: an unlabelled metric.
    pub const NONE: SeriesLabels<'static> = SeriesLabels {
        names: "",
        values: "",
        overflow: false,
        family_at: 0,
        folded: 0,
        limit: 0,
    };

    #[cfg(feature = "labels")]
    pub(crate) fn new(
        names: &'a str,
        values: &'a str,
        overflow: bool,
        family_at: usize,
        (folded, limit): (u64, u64),
    ) -> Self {
        SeriesLabels {
            names,
            values,
            overflow,
            family_at,
            folded,
            limit,
        }
    }

    /// Whether the metric is unlabelled (always, without feature `labels`).
    pub fn is_empty(&self) -> bool {
        !cfg!(feature = "labels") || self.names.is_empty()
    }

    /// The series' label values as stored: separated by a zero byte.
    #[cfg(all(feature = "labels", feature = "statsd"))]
    pub(crate) fn values_text(&self) -> &'a str {
        self.values
    }

    /// Whether this is its family's overflow series (the family record itself).
    pub fn is_overflow(&self) -> bool {
        cfg!(feature = "labels") && self.overflow
    }

    /// The family's label names.
    #[cfg(feature = "labels")]
    pub fn names(&self) -> impl Iterator<Item = &'a str> + Clone {
        split(self.names)
    }

    /// The family's label names (none without feature `labels`).
    #[cfg(not(feature = "labels"))]
    pub fn names(&self) -> impl Iterator<Item = &'a str> + Clone {
        core::iter::empty()
    }

    /// The series' (name, value) pairs as rendered: the family's names with this series'
    /// values, or `(otel_metric_overflow, "true")` for the overflow series.
    #[cfg(feature = "labels")]
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
        let overflow = self.overflow.then_some((OVERFLOW_LABEL, "true"));
        split(if self.overflow { "" } else { self.names })
            .zip(values(self.values))
            .chain(overflow)
    }

    /// The series' (name, value) pairs (none without feature `labels`).
    #[cfg(not(feature = "labels"))]
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
        core::iter::empty()
    }

    /// Label sets folded into the family's overflow series so far: lookups of new values
    /// past the series limit (or when the region was full).
    pub fn folded(&self) -> u64 {
        self.folded
    }

    /// The family's series limit (the overflow series not counted).
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

/// Two label sets are equal when their names, values and overflow flag are.
impl PartialEq for SeriesLabels<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self.names, self.values, self.overflow) == (other.names, other.values, other.overflow)
    }
}

#[cfg(all(test, feature = "labels"))]
mod tests {
    use super::*;

    #[test]
    fn pairs_of_a_series_and_of_the_overflow_series() {
        let series = SeriesLabels::new("a\0b", "\0x", false, 8, (0, 4));
        assert_eq!(
            series.iter().collect::<std::vec::Vec<_>>(),
            [("a", ""), ("b", "x")]
        );
        let overflow = SeriesLabels::new("a\0b", "", true, 8, (3, 4));
        let pairs: std::vec::Vec<_> = overflow.iter().collect();
        assert_eq!(pairs, [(OVERFLOW_LABEL, "true")]);
        assert_eq!(overflow.names().count(), 2);
        assert_eq!(SeriesLabels::NONE.iter().count(), 0);
    }
}
