//! The parser against broken files: every truncation, every bit flip, lying length fields,
//! other formats. Each must give `Ok` or a typed error, never a panic or a hang.

mod support;

use mutornadomon_core::{
    parse, render_json, render_prometheus, Meta, ParseErrorKind, Storage, TextFormat,
};

/// A file holding every kind.
fn every_kind() -> Vec<u8> {
    let storage = Storage::<2048>::new();
    let region = storage.region();
    region
        .counter("requests", Meta::new().help("Requests served"))
        .unwrap()
        .inc_by(7);
    region
        .gauge("lag", Meta::new().unit("seconds"))
        .unwrap()
        .set(0.25);
    region
        .histogram_with_max("size", Meta::new().unit("bytes"), 4095)
        .unwrap()
        .record(300);
    region.info("version", Meta::new(), "1.0").unwrap();
    region
        .sharded_counter("jobs", Meta::new(), 1)
        .unwrap()
        .inc_by(2);
    support::snapshot(&region)
}

/// Parses and renders everything; returns whether the whole file was sound.
fn consume(bytes: &[u8]) -> bool {
    let Ok(stats) = parse(bytes) else {
        return false;
    };
    let mut sound = true;
    for record in stats.records() {
        match record {
            Ok(r) => {
                if let mutornadomon_core::Value::Histogram(h) = r.value {
                    let _ = (h.quantile(0.99), h.count_below(1 << 20));
                }
            }
            Err(e) => {
                let _ = e.to_string();
                sound = false;
            }
        }
    }
    let mut out = vec![0u8; 64 * 1024];
    let _ = render_json(&stats, None, &mut out);
    let _ = render_prometheus(&stats, None, TextFormat::OpenMetrics, &mut out);
    sound
}

#[test]
fn truncated_at_every_offset() {
    let file = every_kind();
    assert!(consume(&file));
    for len in 0..file.len() {
        let truncated = &file[..len];
        match parse(truncated) {
            Ok(_) => panic!("a file cut at {len} of {} parsed", file.len()),
            Err(e) if len < 128 => assert_eq!(e.kind(), ParseErrorKind::TooShort),
            Err(e) => assert!(matches!(e.kind(), ParseErrorKind::Truncated { .. }), "{e}"),
        }
    }
}

#[test]
fn every_single_bit_flip() {
    let file = every_kind();
    let mut sound = 0;
    for bit in 0..file.len() * 8 {
        let mut flipped = file.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        sound += usize::from(consume(&flipped));
    }
    // Flips in values, pid, times... still parse; flips in framing must not.
    assert!(sound > 0 && sound < file.len() * 8);
}

#[test]
fn length_fields_that_lie() {
    let file = every_kind();
    let word = |f: &mut Vec<u8>, at: usize, v: u64| f[at..at + 8].copy_from_slice(&v.to_ne_bytes());
    for (field, value) in [
        (3 * 8, 0u64),            // header length zero
        (3 * 8, u64::MAX),        // header length huge
        (4 * 8, 8),               // capacity below the header
        (5 * 8, u64::MAX - 7),    // committed end overflowing
        (5 * 8, 129),             // committed end unaligned
        (13 * 8, 1 << 40),        // records start past everything
        (128, 0),                 // first record of length zero
        (128, 1 << 31 | 1 << 32), // first record huge
        (128, 8 | 1 << 32),       // first record shorter than its head
        (136, u64::MAX),          // help and unit lengths huge
    ] {
        let mut bad = file.clone();
        word(&mut bad, field, value);
        assert!(!consume(&bad), "field at {field} = {value:#x} was accepted");
    }
}

#[test]
fn unknown_kinds_are_skipped_by_length() {
    let mut file = every_kind();
    // Rewrite the first record's kind code to one from the future.
    let frame = u64::from_ne_bytes(file[128..136].try_into().unwrap());
    let frame = (frame & !(0xff << 32)) | (200 << 32);
    file[128..136].copy_from_slice(&frame.to_ne_bytes());
    let stats = parse(&file).unwrap();
    let names: Vec<_> = stats.records().map(|r| r.unwrap().name).collect();
    assert_eq!(names, ["lag", "size", "version", "jobs"]);
}

#[test]
fn other_inputs() {
    assert_eq!(parse(b"").unwrap_err().kind(), ParseErrorKind::TooShort);
    assert_eq!(
        parse(&[0u8; 4096]).unwrap_err().kind(),
        ParseErrorKind::BadMagic
    );
    let mut mmstats_v1 = vec![0x01u8];
    mmstats_v1.extend_from_slice(&[0u8; 200]);
    assert_eq!(
        parse(&mmstats_v1).unwrap_err().kind(),
        ParseErrorKind::BadMagic
    );
    let mut file = every_kind();
    file[8..16].copy_from_slice(&0u64.to_ne_bytes());
    assert_eq!(
        parse(&file).unwrap_err().kind(),
        ParseErrorKind::BadEndianMarker
    );
    let mut file = every_kind();
    file[16..24].copy_from_slice(&2u64.to_ne_bytes());
    assert_eq!(
        parse(&file).unwrap_err().kind(),
        ParseErrorKind::UnsupportedVersion(2)
    );
}

#[test]
fn non_utf8_and_bad_names_in_records() {
    let mut file = every_kind();
    file[144] = 0xff; // first byte of the first name
    let err = parse(&file).unwrap().records().next().unwrap().unwrap_err();
    assert!(matches!(err.kind(), ParseErrorKind::BadName(_)), "{err}");
    assert_eq!(err.offset(), 128);
}

/// What a writer of the other byte order would have written: every word swapped except text.
fn to_foreign_endian(file: &[u8]) -> Vec<u8> {
    let mut out = file.to_vec();
    let swap = |out: &mut Vec<u8>, at: usize| out[at..at + 8].reverse();
    (8..128).step_by(8).for_each(|at| swap(&mut out, at));
    let mut at = 128;
    while at < file.len() {
        let frame = u64::from_ne_bytes(file[at..at + 8].try_into().unwrap());
        let lengths = u64::from_ne_bytes(file[at + 8..at + 16].try_into().unwrap());
        let (len, kind) = ((frame as u32) as usize, (frame >> 32) as u8);
        let text = (frame >> 48) as usize
            + (lengths & 0xffff) as usize
            + ((lengths >> 16) & 0xffff) as usize;
        swap(&mut out, at);
        swap(&mut out, at + 8);
        if kind != 4 {
            // Info values are text too; every other kind's values are words.
            (at + 16 + text.div_ceil(8) * 8..at + len)
                .step_by(8)
                .for_each(|w| swap(&mut out, w));
        }
        at += len;
    }
    out
}

#[test]
fn a_file_from_the_other_byte_order_reads_the_same() {
    let file = every_kind();
    let foreign = to_foreign_endian(&file);
    assert_ne!(file, foreign);
    let (native, other) = (parse(&file).unwrap(), parse(&foreign).unwrap());
    assert_eq!(other.header().big_endian, !native.header().big_endian);
    assert_eq!(other.header().committed, native.header().committed);
    let native: Vec<_> = native.records().map(Result::unwrap).collect();
    let other: Vec<_> = other.records().map(Result::unwrap).collect();
    assert_eq!(native.len(), 5);
    for (a, b) in native.iter().zip(&other) {
        assert_eq!(
            (a.name, a.help, a.unit, a.kind),
            (b.name, b.help, b.unit, b.kind)
        );
        match (a.value, b.value) {
            (mutornadomon_core::Value::Histogram(x), mutornadomon_core::Value::Histogram(y)) => {
                assert_eq!(
                    (x.count(), x.sum(), x.min(), x.quantile(0.5)),
                    (y.count(), y.sum(), y.min(), y.quantile(0.5))
                );
            }
            (x, y) => assert_eq!(x, y),
        }
    }
}

/// Values at the edges: counters and histogram sums that wrap, values in the overflow bucket,
/// infinite and NaN gauges, every histogram bucket at `u64::MAX`, a huge record count in the
/// header, an overlong name. Read, summarised and rendered without a panic.
#[test]
fn huge_values_and_counts() {
    let storage = Storage::<4096>::new();
    let region = storage.region();
    let counter = region.counter("wraps", Meta::new()).unwrap();
    counter.inc_by(u64::MAX);
    counter.inc_by(2);
    for (name, value) in [("inf", f64::INFINITY), ("nan", f64::NAN), ("max", f64::MAX)] {
        region.gauge(name, Meta::new()).unwrap().set(value);
    }
    let histogram = region
        .histogram_with_max("h", Meta::new().unit("nanoseconds"), 1023)
        .unwrap();
    histogram.record(u64::MAX); // the overflow bucket
    histogram.record(u64::MAX); // the sum wraps
    histogram.record(0);
    let sharded = region.sharded_counter("shards", Meta::new(), 4).unwrap();
    let shards: Vec<_> = (0..4).map(|_| sharded.claim().unwrap()).collect();
    shards.iter().for_each(|s| s.inc_by(u64::MAX / 2));
    let mut file = support::snapshot(&region);
    assert!(consume(&file));
    let stats = parse(&file).unwrap();
    let h = stats
        .records()
        .map(Result::unwrap)
        .find(|r| r.name == "h")
        .unwrap();
    let mutornadomon_core::Value::Histogram(h) = h.value else {
        panic!()
    };
    assert_eq!(h.count(), 3);
    assert_eq!(h.max(), Some(u64::MAX));
    assert_eq!(h.quantile(1.0), Some(u64::MAX), "overflow reads as the max");

    // Every word of the histogram's buckets at u64::MAX: the count wraps, nothing panics.
    // The record: frame and lengths words, then name and unit ("h" "nanoseconds", padded to
    // words), then sum, min, max and the buckets.
    let text_at = file.windows(12).position(|w| w == b"hnanoseconds").unwrap();
    let record_at = text_at - 16;
    let len = u64::from_ne_bytes(file[record_at..record_at + 8].try_into().unwrap()) as u32;
    let values_at = text_at + 16;
    for word in file[values_at + 24..record_at + len as usize].chunks_exact_mut(8) {
        word.copy_from_slice(&u64::MAX.to_ne_bytes());
    }
    assert!(consume(&file));

    // A header claiming an absurd record count changes nothing a reader relies on.
    file[15 * 8..16 * 8].copy_from_slice(&u64::MAX.to_ne_bytes());
    assert!(consume(&file));

    // A name longer than names may be: a typed error.
    let mut file = every_kind();
    let frame = u64::from_ne_bytes(file[128..136].try_into().unwrap());
    let frame = (frame & !(0xffff << 48)) | (200 << 48);
    file[128..136].copy_from_slice(&frame.to_ne_bytes());
    assert!(!consume(&file));
}
