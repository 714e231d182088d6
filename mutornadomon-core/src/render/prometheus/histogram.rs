//! A histogram's samples: cumulative `_bucket` lines at every power of two, `+Inf`, `_sum`
//! and `_count`.

use super::bucket_edge::BucketEdge;
use super::family::Family;
use super::labels::{write_labels, Extra};
use super::Labels;
use crate::bucket::bucket_index;
use crate::histogram_reading::HistogramReading;
use crate::labels::SeriesLabels;
use crate::records::Place;
use crate::render::hole::{Hole, PageWrite, HEAD_BYTES};
use core::fmt;

pub(super) fn write_histogram_samples(
    w: &mut impl PageWrite,
    family: Family<'_>,
    h: &HistogramReading<'_>,
    place: &Place<'_>,
    (series, labels): (&SeriesLabels<'_>, Labels<'_>),
    divisor: f64,
) -> fmt::Result {
    let words = &place.words;
    let buckets_at = place.values_at + HEAD_BYTES;
    // Power-of-two edges whose buckets all lie below the last bucket (which may hold overflow).
    let last = h.bucket_count().saturating_sub(1);
    let mut counted = 0;
    for k in 0..64u32 {
        let edge = 1u64 << k;
        let end = bucket_index(edge);
        if end > last {
            break;
        }
        let cumulative = Hole::Cumulative {
            buckets_at,
            start: counted,
            end,
        };
        counted = end;
        let edge = BucketEdge {
            value: edge - 1,
            divisor,
        };
        family.write(w)?;
        w.write_str("_bucket")?;
        if labels.is_empty() && series.is_empty() {
            // The common case, written without the formatting machinery: 40-odd lines per
            // histogram are most of a metrics page.
            w.write_str("{le=\"")?;
            edge.write(w)?;
            w.write_str("\"} ")?;
        } else {
            write_labels(w, series, labels, Some(("le", Extra::Edge(edge))))?;
            w.write_char(' ')?;
        }
        w.hole(cumulative, words, None)?;
        w.write_char('\n')?;
    }
    let count = Hole::HistogramCount {
        at: place.values_at,
        buckets: h.bucket_count(),
    };
    family.write(w)?;
    w.write_str("_bucket")?;
    write_labels(w, series, labels, Some(("le", Extra::Plain("+Inf"))))?;
    w.write_char(' ')?;
    w.hole(count, words, None)?;
    w.write_char('\n')?;
    family.write(w)?;
    w.write_str("_sum")?;
    write_labels(w, series, labels, None)?;
    w.write_char(' ')?;
    let sum = Hole::HistogramSum {
        at: place.values_at,
        divisor,
    };
    w.hole(sum, words, None)?;
    w.write_char('\n')?;
    family.write(w)?;
    w.write_str("_count")?;
    write_labels(w, series, labels, None)?;
    w.write_char(' ')?;
    w.hole(count, words, None)?;
    w.write_char('\n')
}
