//! Property tests: random operations on a region agree with a naive model once snapshotted and
//! parsed; histogram quantiles stay within the promised error.

mod support;

use mutornadomon_core::{Kind, Meta, RegisterError, Storage, Value};
use proptest::prelude::*;
use std::collections::BTreeMap;
use support::{parsed, snapshot};

const NAMES: [&str; 6] = ["alpha", "beta", "gamma.delta", "eps:ilon", "_zeta", "eta"];

#[derive(Debug, Clone)]
enum Op {
    Count(usize, u64),
    Set(usize, f64),
    Record(usize, u64),
    Roll,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..NAMES.len(), 0..1_000u64).prop_map(|(n, v)| Op::Count(n, v)),
        (0..NAMES.len(), -1e6..1e6f64).prop_map(|(n, v)| Op::Set(n, v)),
        (0..NAMES.len(), any::<u64>()).prop_map(|(n, v)| Op::Record(n, v >> (v % 64))),
        Just(Op::Roll),
    ]
}

#[derive(Debug, Default)]
enum Model {
    #[default]
    Absent,
    Counter(u64),
    /// `min`/`max`: what a reader sees (previous and current window); `window`: the current
    /// window's own min and max, which the next roll reports.
    Gauge {
        value: f64,
        min: f64,
        max: f64,
        window: (f64, f64),
    },
    Histogram(Vec<u64>),
}

fn kind_of(model: &Model) -> Option<Kind> {
    match model {
        Model::Absent => None,
        Model::Counter(_) => Some(Kind::Counter),
        Model::Gauge { .. } => Some(Kind::Gauge),
        Model::Histogram(_) => Some(Kind::Histogram),
    }
}

/// Nearest-rank quantile of sorted values.
fn exact_quantile(sorted: &[u64], q: f64) -> u64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn region_agrees_with_model(ops in proptest::collection::vec(op(), 0..200)) {
        let storage = Storage::<16384>::new();
        let region = storage.region();
        let mut model: BTreeMap<&str, Model> = BTreeMap::new();
        let mut order: Vec<&str> = Vec::new();
        let mut refused = 0u64;
        for op in &ops {
            let (name, want, result) = match *op {
                Op::Count(n, v) => (NAMES[n], Kind::Counter, region.count(NAMES[n], v)),
                Op::Set(n, v) => (NAMES[n], Kind::Gauge, region.set(NAMES[n], v)),
                Op::Record(n, v) => (NAMES[n], Kind::Histogram, region.record(NAMES[n], v)),
                Op::Roll => {
                    region.roll();
                    for m in model.values_mut() {
                        if let Model::Gauge { value, min, max, window } = m {
                            (*min, *max) = *window;
                            *window = (*value, *value);
                        }
                    }
                    continue;
                }
            };
            let entry = model.entry(name).or_default();
            match kind_of(entry) {
                Some(existing) if existing != want => {
                    prop_assert_eq!(result, Err(RegisterError::KindMismatch { existing, requested: want }));
                    refused += 1;
                    continue;
                }
                None => {
                    order.push(name);
                    *entry = match want {
                        Kind::Counter => Model::Counter(0),
                        // NaN: nothing set yet (the first set is both extremes).
                        Kind::Gauge => Model::Gauge { value: 0.0, min: f64::NAN, max: f64::NAN, window: (f64::NAN, f64::NAN) },
                        _ => Model::Histogram(Vec::new()),
                    };
                }
                Some(_) => {}
            }
            prop_assert_eq!(result, Ok(()));
            match (entry, op) {
                (Model::Counter(c), Op::Count(_, v)) => *c += v,
                (Model::Gauge { value, min, max, window }, Op::Set(_, v)) => {
                    *value = *v;
                    *min = min.min(*v);
                    *max = max.max(*v);
                    *window = (window.0.min(*v), window.1.max(*v));
                }
                (Model::Histogram(values), Op::Record(_, v)) => values.push(*v),
                other => unreachable!("{other:?}"),
            }
        }

        let image = snapshot(&region);
        let stats = parsed(&image);
        prop_assert_eq!(stats.header().refused, refused);
        let records: Vec<_> = stats.records().collect::<Result<_, _>>().unwrap();
        let names: Vec<&str> = records.iter().map(|r| r.name).collect();
        prop_assert_eq!(names, order);
        for record in records {
            match (&model[record.name], record.value) {
                (Model::Counter(c), Value::Counter(n)) => prop_assert_eq!(*c, n),
                (Model::Gauge { value, min, max, .. }, Value::Gauge(g)) => {
                    // Nothing set over both windows: the value is the extremes.
                    let or_value = |x: f64| if x.is_nan() { *value } else { x };
                    prop_assert_eq!((*value, or_value(*min), or_value(*max)), (g.value, g.min, g.max));
                }
                (Model::Histogram(values), Value::Histogram(h)) => {
                    let mut sorted = values.clone();
                    sorted.sort_unstable();
                    prop_assert_eq!(h.count(), sorted.len() as u64);
                    prop_assert_eq!(h.sum(), sorted.iter().fold(0u64, |s, v| s.wrapping_add(*v)));
                    prop_assert_eq!(h.min(), sorted.first().copied());
                    prop_assert_eq!(h.max(), sorted.last().copied());
                    for q in [0.0, 0.5, 0.9, 0.99, 1.0] {
                        let (Some(got), Some(&last)) = (h.quantile(q), sorted.last()) else { continue };
                        let want = exact_quantile(&sorted, q);
                        // Values past the default range (2^40) share the last bucket, which
                        // reports the maximum.
                        let bound = if want >= 1 << 40 { last } else { want + want / 16 };
                        prop_assert!(want < 1 << 40 || got == last);
                        prop_assert!(got >= want - want / 16 && got <= bound, "q{} got {} want {}", q, got, want);
                    }
                }
                (m, v) => prop_assert!(false, "model {:?} vs {:?}", m, v),
            }
        }
    }

    #[test]
    fn quantiles_within_error_bound(values in proptest::collection::vec(0u64..(1 << 40), 1..500), q in 0.0..=1.0f64) {
        let storage = Storage::<2048>::new();
        let region = storage.region();
        let h = region.histogram("h", Meta::new()).unwrap();
        values.iter().for_each(|v| h.record(*v));
        let image = snapshot(&region);
        let Value::Histogram(read) = parsed(&image).records().next().unwrap().unwrap().value else { unreachable!() };
        let mut sorted = values;
        sorted.sort_unstable();
        let want = exact_quantile(&sorted, q) as f64;
        let got = read.quantile(q).unwrap() as f64;
        prop_assert!((got - want).abs() <= want * 0.0625, "got {} want {}", got, want);
    }

    /// The summary passes over blocks of buckets below the next rank; whatever the bucket
    /// words hold (huge counts whose sums wrap included), it must agree with a walk bucket by
    /// bucket. Narrow histograms (145 buckets) and wide ones (401, whose spans can pass the
    /// 256 buckets the summary's small stack array holds).
    #[test]
    fn summary_agrees_with_a_bucket_walk(
        words in proptest::collection::vec(prop_oneof![
            4 => Just(0u64),
            4 => 0u64..1_000,
            1 => (1u64 << 59)..=u64::MAX,
        ], 401),
        wide in any::<bool>(),
        // Log-uniform: below 2^e for an e up to the histogram's width.
        (min_e, min) in (0u32..=28, any::<u64>()),
        (max_e, max) in (0u32..=28, any::<u64>()),
        qs in proptest::array::uniform4(0.0..=1.0f64),
    ) {
        let bits = if wide { 28 } else { 12 };
        let below = |e: u32, v: u64| v.checked_shr(64 - e.min(bits)).unwrap_or(0);
        let (min, max) = (below(min_e, min), below(max_e, max));
        let words = &words[..if wide { 401 } else { 145 }];
        let storage = Storage::<4096>::new();
        let region = storage.region();
        let h = region.histogram_with_max("h", Meta::new().unit("ns"), (1 << bits) - 1).unwrap();
        h.record(1);
        let mut file = snapshot(&region);
        // The record: frame and lengths words, "h" and "ns" padded to a word, then sum, min,
        // max and the buckets.
        let text_at = file.windows(3).position(|w| w == b"hns").unwrap();
        let values_at = text_at + 8;
        let put = |file: &mut Vec<u8>, word: usize, v: u64| {
            file[values_at + word * 8..values_at + word * 8 + 8].copy_from_slice(&v.to_ne_bytes())
        };
        put(&mut file, 1, min);
        put(&mut file, 2, max);
        let Value::Histogram(read) = parsed(&file).records().next().unwrap().unwrap().value else { unreachable!() };
        prop_assert_eq!(read.bucket_count(), words.len());
        for (i, &w) in words.iter().enumerate() {
            put(&mut file, 3 + i, w);
        }
        let Value::Histogram(read) = parsed(&file).records().next().unwrap().unwrap().value else { unreachable!() };
        let got = read.summary(qs);
        let want = bucket_walk(&read.buckets().collect::<Vec<_>>(), min, max, qs);
        prop_assert_eq!((got.count, got.quantiles), want);
    }
}

proptest! {
    /// Prometheus cumulative buckets count exactly the values at or below each edge (values
    /// past the histogram's range only in `+Inf`), whether rendered from a snapshot or filled
    /// from the live region (which reads only the buckets between min's and max's).
    #[test]
    fn prometheus_buckets_count_the_values_at_or_below_each_edge(
        values in proptest::collection::vec(prop_oneof![
            3 => 0u64..64,
            3 => 0u64..(1 << 20),
            1 => (1u64 << 20)..(1 << 24),
        ], 0..60),
    ) {
        use mutornadomon_core::{render_prometheus, Page, PageTemplate, PlacedHole, TextFormat};
        let storage = Storage::<8192>::new();
        let region = storage.region();
        // Bucketed up to 2^20 - 1; larger values land in the overflow bucket.
        let h = region.histogram_with_max("h", Meta::new(), (1 << 20) - 1).unwrap();
        values.iter().for_each(|&v| h.record(v));
        let image = snapshot(&region);
        let stats = parsed(&image);
        let mut out = vec![0u8; 16384];
        let n = render_prometheus(&stats, None, TextFormat::Prometheus, &mut out).unwrap();
        let direct = String::from_utf8(out[..n].to_vec()).unwrap();
        let page = Page::Prometheus(TextFormat::Prometheus);
        let (mut text, mut holes) = (vec![0u8; 16384], vec![PlacedHole::EMPTY; 256]);
        let template = PageTemplate::compile(page, &stats, None, &mut text, &mut holes).unwrap();
        let n = template.fill_region(&text, &holes, &region, None, &mut out).unwrap();
        let filled = String::from_utf8(out[..n].to_vec()).unwrap();
        prop_assert_eq!(&direct, &filled);
        let mut edges = 0;
        for line in direct.lines().filter(|l| l.starts_with("h_bucket{le=\"")) {
            let (le, count) = line["h_bucket{le=\"".len()..].split_once("\"} ").unwrap();
            let count: usize = count.parse().unwrap();
            let want = match le {
                "+Inf" => values.len(),
                le => {
                    let edge: f64 = le.parse().unwrap();
                    values.iter().filter(|&&v| (v as f64) <= edge).count()
                }
            };
            prop_assert_eq!(count, want, "le {}", le);
            edges += 1;
        }
        prop_assert!(edges > 20, "{}", direct);
        let count_line = format!("h_count {}\n", values.len());
        prop_assert!(direct.contains(&count_line), "{}", direct);
    }
}

/// The summary's count and quantiles, bucket by bucket: the count is the wrapping sum of the
/// buckets from min's to max's; each quantile is the midpoint (within min and max) of the first
/// bucket where the saturating running count reaches its rank; the last bucket is the
/// overflow, reading as max; ranks never reached read max.
fn bucket_walk(buckets: &[u64], min: u64, max: u64, qs: [f64; 4]) -> (u64, [Option<u64>; 4]) {
    use mutornadomon_core::bucket::{bucket_index, bucket_lower, bucket_upper, MAX_BUCKETS};
    if min > max {
        return (0, [None; 4]);
    }
    let last = buckets.len() - 1;
    let span = bucket_index(min).min(last)..bucket_index(max).min(last) + 1;
    let count = buckets[span.clone()]
        .iter()
        .fold(0u64, |c, &b| c.wrapping_add(b));
    let has_values = count > 0 || buckets.iter().any(|&b| b != 0);
    if !has_values {
        return (count, [None; 4]);
    }
    let quantiles = qs.map(|q| {
        let rank = ((q * count as f64).ceil() as u64).clamp(1, count.max(1));
        let mut seen = 0u64;
        for i in span.clone() {
            seen = seen.saturating_add(buckets[i]);
            if seen >= rank {
                if i == last && buckets.len() < MAX_BUCKETS {
                    return Some(max);
                }
                let (lo, hi) = (bucket_lower(i), bucket_upper(i));
                return Some((lo + (hi - lo) / 2).clamp(min, max));
            }
        }
        Some(max)
    });
    (count, quantiles)
}
