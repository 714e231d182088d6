//! `StatsdEncoder::encode_region` (the live region read in place) sends exactly what `encode`
//! sends from a snapshot parsed at that moment: every kind, random values and label values
//! (proptest), deltas over several encodes, and regions damaged bit by bit (a record the
//! parser accepts is sent alike; no damage panics).

mod support;

use mutornadomon_core::{parse, AtomicU64, Encoded, Meta, Region, StatsdEncoder, StatsdError};
use proptest::prelude::*;

type Datagrams = Vec<Vec<u8>>;

/// The datagrams and result of one encode of the live region.
fn live<const N: usize>(
    encoder: &mut StatsdEncoder<N>,
    region: &Region<'_>,
) -> (Datagrams, Result<Encoded, StatsdError>) {
    let mut sent = Vec::new();
    let result = encoder.encode_region::<256>(region, "app.", |d| sent.push(d.to_vec()));
    (sent, result)
}

/// The datagrams of one encode of a snapshot of the region, if the snapshot parses.
fn from_snapshot<const N: usize>(
    encoder: &mut StatsdEncoder<N>,
    region: &Region<'_>,
) -> Option<(Datagrams, Result<Encoded, StatsdError>)> {
    let bytes = support::snapshot(region);
    let stats = parse(&bytes).ok()?;
    let mut sent = Vec::new();
    let result = encoder.encode::<256>(&stats, "app.", |d| sent.push(d.to_vec()));
    Some((sent, result))
}

/// A region holding every kind: counters (plain, sharded), gauges, histograms (one empty),
/// info, and labelled families with their overflow series.
fn every_kind(words: &[AtomicU64]) -> Region<'_> {
    let region = Region::format(words).unwrap();
    region
        .counter("requests", Meta::new().help("Requests"))
        .unwrap()
        .inc_by(7);
    let jobs = region.sharded_counter("jobs", Meta::new(), 2).unwrap();
    jobs.claim().unwrap().inc_by(3);
    jobs.claim().unwrap().inc_by(4);
    let t = region
        .gauge("temperature", Meta::new().unit("celsius"))
        .unwrap();
    t.set(21.5);
    t.set(-7.25);
    region
        .gauge("ratio:ok", Meta::new())
        .unwrap()
        .set(0.1 + 0.2);
    region.gauge("missing", Meta::new()).unwrap().set(f64::NAN);
    let latency = region
        .histogram("latency", Meta::new().unit("seconds"))
        .unwrap();
    for v in [3, 1_500, 1_500, 70_000, 9_000_000] {
        latency.record(v);
    }
    region
        .histogram_with_max("idle", Meta::new(), 1023)
        .unwrap();
    region.info("version", Meta::new(), "1.2.3").unwrap();
    let by_status = region
        .counter_family("responses", Meta::new(), &["status", "path"], 2)
        .unwrap();
    by_status.series(&["200", "/"]).unwrap().inc_by(5);
    by_status.series(&["", "/a b"]).unwrap().inc();
    by_status.series(&["500", "/x"]).unwrap().inc(); // past the limit: the overflow series
    let rooms = region
        .gauge_family("room", Meta::new(), &["name"], 4)
        .unwrap();
    rooms.series(&["kitchen"]).unwrap().set(19.0);
    rooms.series(&["x".repeat(200).as_str()]).unwrap().set(1.0);
    let sizes = region
        .histogram_family("size", Meta::new(), &["kind"], 4)
        .unwrap();
    sizes.series(&["jpeg"]).unwrap().record(4096);
    region
}

#[test]
fn the_live_region_sends_what_its_snapshot_sends_over_several_encodes() {
    let words = support::words(8192);
    let region = every_kind(&words);
    let (mut a, mut b) = (StatsdEncoder::<64>::new(), StatsdEncoder::<64>::new());
    for round in 0..3 {
        let expected = from_snapshot(&mut a, &region).expect("a region we wrote parses");
        let (sent, result) = live(&mut b, &region);
        assert_eq!(result, expected.1, "round {round}");
        assert_eq!(sent, expected.0, "round {round}");
        assert!(result.unwrap().lines > 20, "round {round}: {result:?}");
        region
            .counter("requests", Meta::new())
            .unwrap()
            .inc_by(round + 1);
        region
            .gauge("temperature", Meta::new())
            .unwrap()
            .set(round as f64);
    }
    // The second round's counters are deltas.
    let text = String::from_utf8(live(&mut StatsdEncoder::<64>::new(), &region).0.concat());
    assert!(text.unwrap().contains("app.requests:13|c\n"));
}

#[test]
fn one_encoder_may_take_turns_with_both_walks() {
    let words = support::words(4096);
    let region = every_kind(&words);
    let mut encoder = StatsdEncoder::<64>::new();
    from_snapshot(&mut encoder, &region).unwrap().1.unwrap();
    region.counter("requests", Meta::new()).unwrap().inc_by(2);
    let (sent, _) = live(&mut encoder, &region);
    let text = String::from_utf8(sent.concat()).unwrap();
    // Every count is keyed alike by both walks: only the new requests are a delta.
    let counts: Vec<&str> = text.lines().filter(|l| l.ends_with("|c")).collect();
    assert!(counts.len() >= 8, "{text}");
    for line in counts {
        let expected = if line.starts_with("app.requests:") {
            ":2|c"
        } else {
            ":0|c"
        };
        assert!(line.ends_with(expected), "{line} in\n{text}");
    }
}

#[test]
fn series_with_too_long_label_values_are_skipped_and_counted_alike() {
    let words = support::words(4096);
    let region = Region::format(&words).unwrap();
    let family = region
        .counter_family("f", Meta::new(), &["a", "b"], 4)
        .unwrap();
    family
        .series(&["x".repeat(200).as_str(), "y".repeat(60).as_str()])
        .unwrap()
        .inc();
    family.series(&["ok", ""]).unwrap().inc();
    let expected = from_snapshot(&mut StatsdEncoder::<8>::new(), &region).unwrap();
    let (sent, result) = live(&mut StatsdEncoder::<8>::new(), &region);
    assert_eq!((sent, result), expected);
    assert_eq!(result.unwrap().skipped, 1);
}

/// One bit in five of the records flipped in turn (every byte, each bit position in turn; all
/// of them take 20 s in a debug build): the live walk never panics, and whenever the
/// parser accepts the damaged region's snapshot the live region sends the same datagrams.
/// (The live walk reads less than the parser, help and info texts, so it may send where the
/// parser refuses.)
#[test]
fn a_region_damaged_bit_by_bit_never_panics_and_agrees_with_the_parser() {
    let words = support::words(2048);
    let committed = {
        let region = every_kind(&words);
        support::snapshot(&region).len()
    };
    let mut agreed = 0;
    for bit in (128 * 8..committed * 8).step_by(5) {
        let (word, shift) = (bit / 64, bit % 64);
        words[word].fetch_xor(1 << shift, std::sync::atomic::Ordering::Relaxed);
        let region = Region::attach(&words).unwrap();
        let (sent, result) = live(&mut StatsdEncoder::<64>::new(), &region);
        if let Some((expected, expected_result)) =
            from_snapshot(&mut StatsdEncoder::<64>::new(), &region)
        {
            if expected_result.is_ok() {
                assert_eq!(result, expected_result, "bit {bit}");
                assert_eq!(sent, expected, "bit {bit}");
                agreed += 1;
            }
        }
        words[word].fetch_xor(1 << shift, std::sync::atomic::Ordering::Relaxed);
    }
    // Most flips land in values (read alike by both) or texts the parser checks.
    assert!(agreed > 500, "{agreed}");
}

/// A writer registering and updating metrics (plain and labelled) while the live region is
/// encoded again and again: every encode succeeds (a record is seen whole or not at all), and
/// the last one, after the writer is done, sends every metric.
#[test]
fn encodes_racing_a_writer_always_see_whole_records() {
    let words = support::words(16 * 1024);
    let region = Region::format(&words).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            let family = region
                .counter_family("by_key", Meta::new(), &["key"], 64)
                .unwrap();
            for i in 0..200 {
                region.counter(&format!("c{i}"), Meta::new()).unwrap().inc();
                region
                    .gauge(&format!("g{i}"), Meta::new())
                    .unwrap()
                    .set(-(i as f64));
                family.series(&[&i.to_string()]).unwrap().inc();
            }
        });
        let mut encoder = StatsdEncoder::<1024>::new();
        for _ in 0..200 {
            let (_, result) = live(&mut encoder, &region);
            let encoded = result.expect("a record seen whole or not at all");
            assert_eq!(encoded.skipped, 0);
        }
    });
    let (sent, result) = live(&mut StatsdEncoder::<1024>::new(), &region);
    let text = String::from_utf8(sent.concat()).unwrap();
    assert!(text.contains("app.c199:1|c\n") && text.contains("app.by_key.63:1|c\n"));
    assert!(
        text.contains("app.by_key.otel_metric_overflow:136|c\n"),
        "{result:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random values and label values, two encodes apart: the live region and its snapshot
    /// send the same datagrams.
    #[test]
    fn random_regions_are_sent_alike(
        counts in proptest::collection::vec(any::<u64>(), 1..6),
        gauges in proptest::collection::vec(any::<f64>(), 1..6),
        samples in proptest::collection::vec(any::<u64>(), 0..20),
        values in proptest::collection::vec(".{0,12}", 1..10),
    ) {
        let words = support::words(8192);
        let region = Region::format(&words).unwrap();
        let mut a = StatsdEncoder::<32>::new();
        let mut b = StatsdEncoder::<32>::new();
        for round in 0..2u64 {
            for (i, n) in counts.iter().enumerate() {
                region.counter(&format!("c{i}"), Meta::new()).unwrap().inc_by(n.wrapping_add(round));
            }
            for (i, v) in gauges.iter().enumerate() {
                region.gauge(&format!("g{i}"), Meta::new()).unwrap().set(*v * (round + 1) as f64);
            }
            let h = region.histogram("h", Meta::new()).unwrap();
            samples.iter().for_each(|&v| h.record(v));
            let family = region.gauge_family("room", Meta::new(), &["name"], 6).unwrap();
            for (i, value) in values.iter().enumerate() {
                if let Ok(series) = family.series(&[value.as_str()]) {
                    series.set(i as f64);
                }
            }
            let expected = from_snapshot(&mut a, &region).unwrap();
            prop_assert_eq!(live(&mut b, &region), expected);
        }
    }
}
