//! Page templates: a template compiled from one snapshot and filled from a later one of the same
//! layout, or from the region itself, writes exactly what the renderers write for the later
//! one, for every page, every kind and any values; a changed layout, other process statistics
//! or too-small buffers are reported, never rendered wrongly.

mod support;

use mutornadomon_core::{
    parse, render_json, render_prometheus, Meta, Page, PageTemplate, PlacedHole, ProcessStats,
    Region, Stats, Storage, TemplateError, TextFormat,
};
use proptest::prelude::*;
use support::snapshot;

const PAGES: [Page; 3] = [
    Page::Json,
    Page::Prometheus(TextFormat::Prometheus),
    Page::Prometheus(TextFormat::OpenMetrics),
];

/// A metric to register: its kind, unit and (for histograms) bucketed maximum.
#[derive(Debug, Clone)]
enum Metric {
    Counter(&'static str),
    Sharded(usize),
    Gauge(&'static str),
    Histogram(&'static str, Option<u64>),
    Info(String),
}

/// A change of values after the template was compiled.
#[derive(Debug, Clone)]
enum Change {
    Add(usize, u64),
    Set(usize, f64),
    Record(usize, u64),
    Roll,
}

const UNITS: [&str; 4] = ["", "nanoseconds", "bytes", "milliseconds"];

fn metric() -> impl Strategy<Value = Metric> {
    let unit = proptest::sample::select(&UNITS[..]);
    prop_oneof![
        unit.clone().prop_map(Metric::Counter),
        (1..5usize).prop_map(Metric::Sharded),
        unit.clone().prop_map(Metric::Gauge),
        (unit, proptest::option::of(1u64..1 << 50)).prop_map(|(u, m)| Metric::Histogram(u, m)),
        "[ -~]{0,20}".prop_map(Metric::Info),
    ]
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e12..1e12f64,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(1e-7),
        Just(123_456_789.0),
    ]
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0..16usize, any::<u64>()).prop_map(|(i, v)| Change::Add(i, v >> (v % 64))),
        (0..16usize, value()).prop_map(|(i, v)| Change::Set(i, v)),
        (0..16usize, any::<u64>()).prop_map(|(i, v)| Change::Record(i, v >> (v % 64))),
        Just(Change::Roll),
    ]
}

fn process(max_fds: Option<u64>, seed: u64) -> ProcessStats {
    ProcessStats {
        uptime_seconds: seed as f64 / 7.0,
        rss_bytes: seed * 4096,
        vsz_bytes: seed * 65_536,
        user_time_seconds: seed as f64 / 100.0,
        system_time_seconds: 0.25,
        num_threads: seed % 9 + 1,
        num_fds: seed % 50,
        max_fds,
        start_time_seconds: 1_700_000_000.5,
    }
}

fn register(region: &Region<'_>, metrics: &[Metric]) {
    for (i, metric) in metrics.iter().enumerate() {
        let name = format!("m{i}");
        let meta = |unit| Meta::new().unit(unit).help("help \\ with \"escapes\" ∞");
        // Registration is what matters here; the handles are not needed.
        match metric {
            Metric::Counter(unit) => {
                region.counter(&name, meta(unit)).unwrap();
            }
            Metric::Sharded(shards) => {
                region.sharded_counter(&name, meta(""), *shards).unwrap();
            }
            Metric::Gauge(unit) => {
                region.gauge(&name, meta(unit)).unwrap();
            }
            Metric::Histogram(unit, None) => {
                region.histogram(&name, meta(unit)).unwrap();
            }
            Metric::Histogram(unit, Some(max)) => {
                region.histogram_with_max(&name, meta(unit), *max).unwrap();
            }
            Metric::Info(text) => region.info(&name, meta(""), text).unwrap(),
        }
    }
}

fn apply(region: &Region<'_>, metrics: &[Metric], changes: &[Change]) {
    for change in changes {
        let (i, name) = match *change {
            Change::Roll => {
                region.roll();
                continue;
            }
            Change::Add(i, _) | Change::Set(i, _) | Change::Record(i, _) if !metrics.is_empty() => {
                let i = i % metrics.len();
                (i, format!("m{i}"))
            }
            _ => continue,
        };
        match (&metrics[i], change) {
            (Metric::Counter(unit), Change::Add(_, v)) => region
                .counter(&name, Meta::new().unit(unit))
                .unwrap()
                .inc_by(*v),
            (Metric::Sharded(shards), Change::Add(_, v)) => {
                let counter = region.sharded_counter(&name, Meta::new(), *shards).unwrap();
                counter.inc_by(*v);
            }
            (Metric::Gauge(unit), Change::Set(_, v)) => {
                region.gauge(&name, Meta::new().unit(unit)).unwrap().set(*v)
            }
            (Metric::Histogram(_, _), Change::Record(_, v)) => region.record(&name, *v).unwrap(),
            _ => {}
        }
    }
}

fn direct(page: Page, stats: &Stats<'_>, process: Option<&ProcessStats>) -> Vec<u8> {
    let mut out = vec![0u8; 1 << 20];
    let n = match page {
        Page::Json => render_json(stats, process, &mut out),
        Page::Prometheus(format) => render_prometheus(stats, process, format, &mut out),
    }
    .unwrap();
    out.truncate(n);
    out
}

/// A template of `page` for `stats`, in buffers sized by a first attempt into empty ones.
fn compile(page: Page, stats: &Stats<'_>, process: Option<&ProcessStats>) -> Compiled {
    let (text, holes) = match PageTemplate::compile(page, stats, process, &mut [], &mut []) {
        Ok(empty) => return (empty, Vec::new(), Vec::new()), // an empty Prometheus page
        Err(TemplateError::TooSmall { text, holes }) => (text, holes),
        Err(e) => panic!("{e}"),
    };
    let (mut text_buf, mut hole_buf) = (vec![0u8; text], vec![PlacedHole::EMPTY; holes]);
    let template = PageTemplate::compile(page, stats, process, &mut text_buf, &mut hole_buf)
        .expect("exactly the sizes asked for");
    (template, text_buf, hole_buf)
}

type Compiled = (PageTemplate, Vec<u8>, Vec<PlacedHole>);

/// Runs a fill into a buffer large enough for any page here; returns the page.
fn filled(
    fill: impl FnOnce(&mut [u8]) -> Result<usize, TemplateError>,
) -> Result<Vec<u8>, TemplateError> {
    let mut out = vec![0u8; 1 << 20];
    let n = fill(&mut out)?;
    out.truncate(n);
    Ok(out)
}

fn fill(
    (template, text, holes): &Compiled,
    stats: &Stats<'_>,
    process: Option<&ProcessStats>,
) -> Result<Vec<u8>, TemplateError> {
    filled(|out| template.fill(text, holes, stats, process, out))
}

fn fill_region(
    (template, text, holes): &Compiled,
    region: &Region<'_>,
    process: Option<&ProcessStats>,
) -> Result<Vec<u8>, TemplateError> {
    filled(|out| template.fill_region(text, holes, region, process, out))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn filled_templates_match_the_renderers(
        metrics in proptest::collection::vec(metric(), 0..12),
        before in proptest::collection::vec(change(), 0..40),
        after in proptest::collection::vec(change(), 0..80),
        max_fds in proptest::option::of(1u64..1 << 20),
        with_process in any::<bool>(),
        seed in 0u64..1 << 40,
    ) {
        let storage = Storage::<65536>::new();
        let region = storage.region();
        register(&region, &metrics);
        apply(&region, &metrics, &before);
        let (p1, p2) = (process(max_fds, seed), process(max_fds, seed / 3 + 1));
        let (p1, p2) = if with_process { (Some(&p1), Some(&p2)) } else { (None, None) };
        let first = snapshot(&region);
        let first = parse(&first).unwrap();
        let templates = PAGES.map(|page| compile(page, &first, p1));
        for (page, template) in PAGES.iter().zip(&templates) {
            prop_assert_eq!(fill(template, &first, p1).unwrap(), direct(*page, &first, p1));
        }

        apply(&region, &metrics, &after);
        let later = snapshot(&region);
        let later = parse(&later).unwrap();
        for (page, template) in PAGES.iter().zip(&templates) {
            let filled = fill(template, &later, p2).unwrap();
            let rendered = direct(*page, &later, p2);
            // From the region itself, no snapshot: the same text (nothing changed since).
            let live = fill_region(template, &region, p2).unwrap();
            prop_assert!(live == rendered, "{:?} from the region:\n{}", page, String::from_utf8_lossy(&live));
            prop_assert!(
                filled == rendered,
                "{:?}\nfilled:\n{}\nrendered:\n{}",
                page,
                String::from_utf8_lossy(&filled),
                String::from_utf8_lossy(&rendered)
            );
        }

        // Other process statistics, or none where there were some: another page shape.
        let other = process(max_fds.xor(Some(7)), seed);
        let other = if with_process { None } else { Some(&other) };
        for template in &templates {
            prop_assert_eq!(fill(template, &later, other), Err(TemplateError::LayoutChanged));
        }

        // A registration changes the layout.
        region.counter("late_arrival", Meta::new()).unwrap();
        let grown = snapshot(&region);
        let grown = parse(&grown).unwrap();
        for template in &templates {
            prop_assert_eq!(fill(template, &grown, p2), Err(TemplateError::LayoutChanged));
            prop_assert_eq!(fill_region(template, &region, p2), Err(TemplateError::LayoutChanged));
        }
    }
}

#[test]
fn small_buffers_are_refused_with_the_sizes_needed() {
    let storage = Storage::<4096>::new();
    let region = storage.region();
    region.count("requests", 3).unwrap();
    region.record("latency", 1_000).unwrap();
    let file = snapshot(&region);
    let stats = parse(&file).unwrap();
    let (template, text, holes) = compile(Page::Prometheus(TextFormat::Prometheus), &stats, None);
    let needed = direct(template.page(), &stats, None).len();

    let mut small = vec![0u8; needed - 1];
    assert_eq!(
        template.fill(&text, &holes, &stats, None, &mut small),
        Err(TemplateError::Render(
            mutornadomon_core::RenderError::BufferTooSmall { needed }
        ))
    );
    // Buffers that are not the ones compiled into are refused, not read past.
    let mut out = vec![0u8; needed];
    assert_eq!(
        template.fill(&text[..text.len() - 1], &holes, &stats, None, &mut out),
        Err(TemplateError::LayoutChanged)
    );
    assert_eq!(
        template.fill(&text, &holes[..holes.len() - 1], &stats, None, &mut out),
        Err(TemplateError::LayoutChanged)
    );
    let mut one_short = vec![PlacedHole::EMPTY; holes.len() - 1];
    let mut text_buf = vec![0u8; text.len()];
    assert_eq!(
        PageTemplate::compile(template.page(), &stats, None, &mut text_buf, &mut one_short),
        Err(TemplateError::TooSmall {
            text: text.len(),
            holes: holes.len()
        })
    );
}

#[test]
fn another_regions_snapshot_is_refused() {
    let (a, b) = (Storage::<4096>::new(), Storage::<4096>::new());
    for storage in [&a, &b] {
        storage.region().count("requests", 3).unwrap();
    }
    a.region().set_creation_time(1);
    b.region().set_creation_time(2);
    let (fa, fb) = (snapshot(&a.region()), snapshot(&b.region()));
    let (sa, sb) = (parse(&fa).unwrap(), parse(&fb).unwrap());
    let template = compile(Page::Json, &sa, None);
    assert!(fill(&template, &sa, None).is_ok());
    assert_eq!(
        fill(&template, &sb, None),
        Err(TemplateError::LayoutChanged)
    );
}
