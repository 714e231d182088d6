//! Gauge min/max over two windows: an extreme is reported for at least one whole window after
//! it happened, so a reader reading once per window sees every one; the pages agree.

mod support;

use mutornadomon_core::{
    parse, render_json, render_prometheus, Meta, Page, PageTemplate, PlacedHole, Storage,
    TextFormat, Value,
};
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

/// mutornadomon's extremes are of the values set: a gauge's first set is its min and its max
/// (a gauge set only to 5 read a min of 0, one set only to -4.5 a max of 0, until two rolls).
/// A gauge never set reads its value (0) as both. Every reader agrees: the handle, the parsed
/// snapshot, both pages, statsd, and a page template filled from the live region.
#[test]
fn the_first_set_is_both_extremes_and_a_gauge_never_set_reads_its_value() {
    let storage = Storage::<2048>::new();
    let region = storage.region();
    let hot = region.gauge("hot", Meta::new()).unwrap();
    let cold = region.gauge("cold", Meta::new()).unwrap();
    region.gauge("idle", Meta::new()).unwrap();
    let rooms = region
        .gauge_family("room", Meta::new(), &["name"], 4)
        .unwrap();
    hot.set(5.0);
    cold.set(-4.5);
    rooms.series(&["attic"]).unwrap().set(30.0);
    assert_eq!((hot.min(), hot.max()), (5.0, 5.0));
    assert_eq!((cold.min(), cold.max()), (-4.5, -4.5));

    let image = snapshot(&region);
    let readings: Vec<_> = parse(&image)
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            match r.value {
                Value::Gauge(g) => (r.name, r.labels.is_overflow(), g.value, g.min, g.max),
                other => panic!("{other:?}"),
            }
        })
        .collect();
    assert_eq!(
        readings,
        [
            ("hot", false, 5.0, 5.0, 5.0),
            ("cold", false, -4.5, -4.5, -4.5),
            ("idle", false, 0.0, 0.0, 0.0),
            ("room", true, 0.0, 0.0, 0.0),
            ("room", false, 30.0, 30.0, 30.0),
        ]
    );
    let json = page(&region, None);
    assert!(
        json.contains(r#""min_gauges":{"hot":5.0,"cold":-4.5,"idle":0.0}"#),
        "{json}"
    );
    let text = page(&region, Some(TextFormat::Prometheus));
    for line in [
        "hot_min 5\n",
        "cold_max -4.5\n",
        "idle_max 0\n",
        "room_min{name=\"attic\"} 30\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    let (mut template_text, mut holes) = (vec![0u8; 16 * 1024], vec![PlacedHole::EMPTY; 64]);
    let template = PageTemplate::compile(
        Page::Prometheus(TextFormat::Prometheus),
        &parse(&image).unwrap(),
        None,
        &mut template_text,
        &mut holes,
    )
    .unwrap();
    let mut out = vec![0u8; 64 * 1024];
    let n = template
        .fill_region(&template_text, &holes, &region, None, &mut out)
        .unwrap();
    assert_eq!(core::str::from_utf8(&out[..n]).unwrap(), text);

    let stats = parse(&image).unwrap();
    let mut sent = Vec::new();
    mutornadomon_core::StatsdEncoder::<8>::new()
        .encode::<1024>(&stats, "", |d| sent.extend_from_slice(d))
        .unwrap();
    let sent = String::from_utf8(sent).unwrap();
    assert!(
        sent.contains("hot.min:5.0|g\n") && sent.contains("cold.max:0|g\ncold.max:-4.5|g\n"),
        "{sent}"
    );
}
