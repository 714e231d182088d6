//! `/metrics` for the whole host: families merged across writers, clashing metrics left out
//! and counted, and a page that parses whatever names the writers chose.

use mmstats::host_page::HostPage;
use mmstats::reader::StatsFileCopy;
use mutornadomon_core::{Meta, Region, Storage, TextFormat};
use mutornadomon_test_support::exposition::{assert_families_named_once, colliding_name, unit};
use mutornadomon_test_support::promtool_parses;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory for one test case.
fn temp_dir() -> PathBuf {
    static CASE: AtomicUsize = AtomicUsize::new(0);
    let case = CASE.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("mmstats-host-page-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes one writer's stats file (pid `pid`, program `program`), its metrics set by `fill`.
fn writer(dir: &Path, pid: u64, program: &str, fill: impl FnOnce(&Region<'_>)) -> StatsFileCopy {
    let storage = Storage::<16384>::new();
    let region = storage.region();
    region.set_pid(pid);
    region.info("sys.program", Meta::new(), program).unwrap();
    fill(&region);
    let mut image = vec![0u8; region.snapshot_len()];
    let n = region.snapshot(&mut image).unwrap();
    let path = dir.join(format!("{program}-{pid}.stats"));
    std::fs::write(&path, &image[..n]).unwrap();
    StatsFileCopy::read(&path).unwrap()
}

fn lines_of<'p>(page: &'p str, family: &str) -> Vec<&'p str> {
    page.lines()
        .filter(|l| l.split(['{', ' ']).next() == Some(family))
        .collect()
}

#[test]
fn families_rendering_alike_merge_and_clashing_ones_are_left_out() {
    let dir = temp_dir();
    let files = [
        writer(&dir, 101, "alpha", |r| {
            r.counter("requests", Meta::new()).unwrap().inc_by(5);
            r.gauge("lat", Meta::new().unit("milliseconds"))
                .unwrap()
                .set(250.0);
            r.histogram("q", Meta::new()).unwrap().record(3);
        }),
        writer(&dir, 102, "beta", |r| {
            r.counter("requests_total", Meta::new()).unwrap().inc_by(7);
            r.gauge("lat_seconds", Meta::new().unit("seconds"))
                .unwrap()
                .set(0.5);
            r.gauge("q_count", Meta::new()).unwrap().set(1.0); // a sample of alpha's `q`
        }),
        writer(&dir, 103, "gamma", |r| {
            r.gauge("requests", Meta::new()).unwrap().set(1.0); // a counter elsewhere
            r.counter("jobs", Meta::new()).unwrap().inc();
        }),
    ];
    let page = HostPage::default();
    let text = page.render(&files, TextFormat::Prometheus);
    assert_families_named_once(&text);
    assert_eq!(
        lines_of(&text, "requests_total"),
        [
            "requests_total{pid=\"101\",program=\"alpha\"} 5",
            "requests_total{pid=\"102\",program=\"beta\"} 7",
        ],
        "{text}"
    );
    assert_eq!(text.matches("# TYPE requests_total counter\n").count(), 1);
    assert_eq!(
        lines_of(&text, "lat_seconds"),
        [
            "lat_seconds{pid=\"101\",program=\"alpha\"} 0.25",
            "lat_seconds{pid=\"102\",program=\"beta\"} 0.5",
        ],
        "{text}"
    );
    assert_eq!(
        lines_of(&text, "q_count"),
        ["q_count{pid=\"101\",program=\"alpha\"} 1"]
    );
    assert!(lines_of(&text, "requests").is_empty(), "{text}");
    assert_eq!(lines_of(&text, "jobs_total").len(), 1);
    assert!(
        text.ends_with("mmstats_serve_series_left_out 2\n"),
        "{text}"
    );

    let open = page.render(&files, TextFormat::OpenMetrics);
    assert_families_named_once(&open);
    assert!(
        open.ends_with("mmstats_serve_series_left_out 2\n# EOF\n"),
        "{open}"
    );
    assert_eq!(open.matches("# EOF").count(), 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
#[ignore = "needs promtool (apt-get install -y --no-install-recommends prometheus)"]
fn promtool_accepts_the_page_of_clashing_writers() {
    let dir = temp_dir();
    let files = [
        writer(&dir, 1, "a", |r| {
            r.counter("requests", Meta::new()).unwrap().inc();
            r.histogram("q", Meta::new()).unwrap().record(3);
        }),
        writer(&dir, 2, "b", |r| {
            r.counter("requests_total", Meta::new()).unwrap().inc();
            r.gauge("q_count", Meta::new()).unwrap().set(1.0);
        }),
        writer(&dir, 3, "c", |r| {
            r.gauge("requests", Meta::new()).unwrap().set(1.0);
        }),
    ];
    promtool_parses(&HostPage::default().render(&files, TextFormat::Prometheus));
    std::fs::remove_dir_all(dir).unwrap();
}

/// Up to four writers, each registering what its own region accepts of a set of names built
/// to collide.
fn host() -> impl Strategy<Value = Vec<Vec<(String, &'static str, u8)>>> {
    let writer = proptest::collection::vec((colliding_name(), unit(), any::<u8>()), 1..12);
    proptest::collection::vec(writer, 1..5)
}

fn page_of(host: &[Vec<(String, &'static str, u8)>]) -> String {
    let dir = temp_dir();
    let files: Vec<_> = host
        .iter()
        .enumerate()
        .map(|(i, metrics)| {
            writer(&dir, 1000 + i as u64, "app", |region| {
                for (name, unit, kind) in metrics {
                    let meta = Meta::new().unit(unit);
                    let _ = match kind % 5 {
                        0 => region.counter(name, meta).map(|c| c.inc()),
                        1 => region.sharded_counter(name, meta, 2).map(|c| c.inc_by(2)),
                        2 => region.gauge(name, meta).map(|g| g.set(2.5)),
                        3 => region.histogram(name, meta).map(|h| h.record(1000)),
                        _ => region.info(name, meta, "text"),
                    };
                }
            })
        })
        .collect();
    let page = HostPage::default().render(&files, TextFormat::Prometheus);
    std::fs::remove_dir_all(dir).unwrap();
    page
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_names_in_any_writers_give_a_page_naming_families_once(host in host()) {
        assert_families_named_once(&page_of(&host));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    #[ignore = "needs promtool (apt-get install -y --no-install-recommends prometheus)"]
    fn promtool_accepts_the_page_of_any_names_in_any_writers(host in host()) {
        promtool_parses(&page_of(&host));
    }
}
