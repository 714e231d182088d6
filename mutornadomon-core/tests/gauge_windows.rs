//! Gauge min/max over two windows: an extreme is reported for at least one whole window after
//! it happened, so a reader reading once per window sees every one; the pages agree.

mod support;

use mutornadomon_core::{parse, render_json, render_prometheus, Meta, Storage, TextFormat, Value};
use support::snapshot;

fn page(region: &mutornadomon_core::Region<'_>, format: Option<TextFormat>) -> String {
    let image = snapshot(region);
    let stats = parse(&image).unwrap();
    let mut out = vec![0u8; 64 * 1024];
    let n = match format {
        Some(format) => render_prometheus(&stats, None, format, &mut out).unwrap(),
        None => render_json(&stats, None, &mut out).unwrap(),
    };
    String::from_utf8(out[..n].to_vec()).unwrap()
}

#[test]
fn a_spike_just_before_a_roll_is_reported_just_after_it() {
    let storage = Storage::<1024>::new();
    let region = storage.region();
    let lag = region.gauge("lag", Meta::new().unit("seconds")).unwrap();
    lag.set(0.0001);
    region.roll();
    lag.set(0.2); // the spike...
    lag.set(0.0001);
    region.roll(); // ...then the window rolls before anyone read it
    assert_eq!((lag.get(), lag.min(), lag.max()), (0.0001, 0.0001, 0.2));
    let json = page(&region, None);
    assert!(json.contains(r#""max_gauges":{"lag":0.2}"#), "{json}");
    let text = page(&region, Some(TextFormat::Prometheus));
    assert!(text.contains("lag_max_seconds 0.2\n"), "{text}");
    let image = snapshot(&region);
    let record = parse(&image).unwrap().records().next().unwrap().unwrap();
    assert!(matches!(record.value, Value::Gauge(g) if g.max == 0.2 && g.min == 0.0001));

    // A whole window without it: gone.
    region.roll();
    assert_eq!((lag.min(), lag.max()), (0.0001, 0.0001));
}

#[test]
fn a_reader_once_per_window_sees_every_extreme() {
    let storage = Storage::<1024>::new();
    let region = storage.region();
    let depth = region.gauge("depth", Meta::new()).unwrap();
    // Windows of 10 steps; the reader reads every 10 steps, at an offset of 7 from the rolls,
    // so every window's spike falls between reads in a window that rolls before the read.
    let mut seen_max = Vec::new();
    for step in 0..200u32 {
        if step % 10 == 0 {
            region.roll();
        }
        let spike = step % 10 == 9; // the last step of each window
        depth.set(if spike { f64::from(step) } else { 1.0 });
        if step % 10 == 7 {
            seen_max.push(depth.max());
        }
    }
    // Every spike (9, 19, ..., 189) is the max seen by the first read after it.
    for (window, seen) in seen_max.iter().enumerate().skip(1) {
        assert_eq!(
            *seen,
            (window * 10 - 1) as f64,
            "read {window}: {seen_max:?}"
        );
    }
}

#[test]
fn reading_with_reset_gives_the_extremes_since_the_last_read() {
    let storage = Storage::<1024>::new();
    let region = storage.region();
    let g = region.gauge("g", Meta::new()).unwrap();
    g.set(5.0);
    g.set(2.0);
    let mut buf = vec![0u8; region.snapshot_len()];
    region.snapshot_and_roll(&mut buf).unwrap();
    assert_eq!((g.min(), g.max()), (2.0, 2.0)); // afresh from the value
    g.set(3.0);
    assert_eq!((g.min(), g.max()), (2.0, 3.0));
}
