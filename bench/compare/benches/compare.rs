//! mutornadomon-core next to what users would pick instead, in one run: a raw atomic (the
//! floor), the `metrics` crate (with the Prometheus exporter's recorder installed), the
//! `prometheus` crate, and `hdrhistogram` (non-atomic) for histograms. divan's allocation
//! profiler counts heap allocations per iteration for every row.
//!
//! `cd bench/compare && cargo bench` (BENCHMARKS.md has the results).

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use mutornadomon_core::{
    parse, render_json, render_prometheus, AtomicU64 as RegionWord, Meta, Page, PageTemplate,
    PlacedHole, Region, TextFormat,
};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

/// A region of 4 MiB on the heap for the whole run (the benchmarks' `'static` handles).
fn region() -> Region<'static> {
    static WORDS: OnceLock<Vec<RegionWord>> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let words: Vec<RegionWord> = (0..512 * 1024).map(|_| RegionWord::new(0)).collect();
        Region::format(&words).expect("a valid size");
        words
    });
    Region::attach(words).expect("formatted")
}

/// The `metrics` crate's global recorder: the Prometheus exporter's, as a user would install.
fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::set_global_recorder(recorder).expect("the only recorder");
        handle
    })
}

/// Values spread over six decades, different each call.
fn next_value() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);
    let x = STATE.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed);
    (x >> 40) % 1_000_000 + 1
}

mod counter_add {
    use super::*;

    #[divan::bench]
    fn raw_atomic_fetch_add() {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        black_box(&COUNTER).fetch_add(1, Ordering::Relaxed);
    }

    #[divan::bench]
    fn mutornadomon_counter(bencher: divan::Bencher) {
        let counter = region().counter("handle_counter", Meta::new()).unwrap();
        bencher.bench(|| black_box(&counter).inc());
    }

    /// The std monitor's `'static` handle (the core handle beside a share of the memory).
    #[divan::bench]
    fn mutornadomon_std_counter(bencher: divan::Bencher) {
        static MONITOR: OnceLock<mutornadomon_std::Monitor> = OnceLock::new();
        let monitor = MONITOR.get_or_init(|| {
            mutornadomon_std::Monitor::builder()
                .in_memory()
                .start()
                .unwrap()
        });
        let counter = monitor.counter("std_handle_counter", Meta::new()).unwrap();
        bencher.bench(|| black_box(&counter).inc());
    }

    #[divan::bench]
    fn metrics_counter_handle(bencher: divan::Bencher) {
        metrics_handle();
        let counter = metrics::counter!("handle_counter");
        bencher.bench(|| black_box(&counter).increment(1));
    }

    #[divan::bench]
    fn prometheus_int_counter(bencher: divan::Bencher) {
        let counter = prometheus::IntCounter::new("handle_counter", "help").unwrap();
        bencher.bench(|| black_box(&counter).inc());
    }
}

mod count_by_name {
    use super::*;

    #[divan::bench]
    fn mutornadomon_count(bencher: divan::Bencher) {
        let region = region();
        region.count("requests_by_name", 1).unwrap();
        bencher.bench(|| region.count(black_box("requests_by_name"), 1));
    }

    #[divan::bench]
    fn metrics_counter_macro(bencher: divan::Bencher) {
        metrics_handle();
        bencher.bench(|| metrics::counter!(black_box("requests_by_name")).increment(1));
    }
}

mod gauge_set {
    use super::*;

    #[divan::bench]
    fn mutornadomon_gauge_with_min_max(bencher: divan::Bencher) {
        let gauge = region().gauge("gauge", Meta::new()).unwrap();
        bencher.bench(|| gauge.set(black_box(next_value() as f64)));
    }

    #[divan::bench]
    fn metrics_gauge_handle(bencher: divan::Bencher) {
        metrics_handle();
        let gauge = metrics::gauge!("gauge");
        bencher.bench(|| gauge.set(black_box(next_value() as f64)));
    }

    #[divan::bench]
    fn prometheus_gauge(bencher: divan::Bencher) {
        let gauge = prometheus::Gauge::new("gauge", "help").unwrap();
        bencher.bench(|| gauge.set(black_box(next_value() as f64)));
    }
}

mod histogram_record {
    use super::*;

    #[divan::bench]
    fn mutornadomon_histogram(bencher: divan::Bencher) {
        let histogram = region().histogram("histogram", Meta::new()).unwrap();
        bencher.bench(|| histogram.record(black_box(next_value())));
    }

    #[divan::bench]
    fn hdrhistogram_non_atomic(bencher: divan::Bencher) {
        // Two significant figures: finer than our 6.25% buckets, the closest setting.
        let mut histogram = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 1 << 40, 2).unwrap();
        bencher.bench_local(|| histogram.record(black_box(next_value())));
    }

    #[divan::bench]
    fn metrics_histogram_handle(bencher: divan::Bencher) {
        metrics_handle();
        let histogram = metrics::histogram!("histogram");
        bencher.bench(|| histogram.record(black_box(next_value() as f64)));
    }

    #[divan::bench]
    fn prometheus_histogram(bencher: divan::Bencher) {
        let opts = prometheus::HistogramOpts::new("histogram", "help");
        let histogram = prometheus::Histogram::with_opts(opts).unwrap();
        bencher.bench(|| histogram.observe(black_box(next_value() as f64)));
    }
}

/// Two threads on one counter, or each on its own (a sharded counter's shard).
mod contention {
    use super::*;

    #[divan::bench(threads = [1, 2])]
    fn mutornadomon_shared_counter(bencher: divan::Bencher) {
        let counter = region().counter("contended", Meta::new()).unwrap();
        bencher.bench(|| black_box(&counter).inc());
    }

    #[divan::bench(threads = [1, 2])]
    fn mutornadomon_counter_shard_per_thread(bencher: divan::Bencher) {
        let counter = region().sharded_counter("sharded", Meta::new(), 8).unwrap();
        thread_local! {
            static SHARD: std::cell::OnceCell<mutornadomon_core::CounterShard<'static>> =
                const { std::cell::OnceCell::new() };
        }
        bencher.bench(|| {
            SHARD.with(|shard| {
                shard
                    .get_or_init(|| counter.claim().expect("a free shard"))
                    .inc()
            })
        });
    }

    #[divan::bench(threads = [1, 2])]
    fn metrics_shared_counter(bencher: divan::Bencher) {
        metrics_handle();
        let counter = metrics::counter!("contended");
        bencher.bench(|| black_box(&counter).increment(1));
    }

    #[divan::bench(threads = [1, 2])]
    fn prometheus_shared_counter(bencher: divan::Bencher) {
        static COUNTER: OnceLock<prometheus::IntCounter> = OnceLock::new();
        let counter =
            COUNTER.get_or_init(|| prometheus::IntCounter::new("contended", "help").unwrap());
        bencher.bench(|| black_box(counter).inc());
    }
}

/// Labelled series: an update through a series' handle next to a raw atomic (the floor);
/// a lookup by label values next to the `prometheus` crate's `with_label_values`; the
/// `metrics` macros and cached handles through our recorder next to the Prometheus exporter's
/// (both as a local recorder, so both pay the same recorder lookup).
mod labelled {
    use super::*;
    use metrics::with_local_recorder;

    #[divan::bench]
    fn raw_atomic_fetch_add() {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        black_box(&COUNTER).fetch_add(1, Ordering::Relaxed);
    }

    #[divan::bench]
    fn mutornadomon_series_handle_add(bencher: divan::Bencher) {
        let family = region()
            .counter_family("labelled_handle", Meta::new(), &["status", "method"], 64)
            .unwrap();
        let series = family.series(&["200", "GET"]).unwrap();
        bencher.bench(|| black_box(&series).inc());
    }

    #[divan::bench(threads = [1, 2])]
    fn mutornadomon_lookup_by_values(bencher: divan::Bencher) {
        let family = region()
            .counter_family("labelled_lookup", Meta::new(), &["status", "method"], 64)
            .unwrap();
        for status in ["200", "404", "500"] {
            family.series(&[status, "GET"]).unwrap();
        }
        bencher.bench(|| family.series(black_box(&["200", "GET"])).unwrap().inc());
    }

    #[divan::bench(threads = [1, 2])]
    fn prometheus_with_label_values(bencher: divan::Bencher) {
        static VEC: OnceLock<prometheus::IntCounterVec> = OnceLock::new();
        let vec = VEC.get_or_init(|| {
            let opts = prometheus::Opts::new("labelled_lookup", "help");
            prometheus::IntCounterVec::new(opts, &["status", "method"]).unwrap()
        });
        for status in ["200", "404", "500"] {
            vec.with_label_values(&[status, "GET"]);
        }
        bencher.bench(|| vec.with_label_values(black_box(&["200", "GET"])).inc());
    }

    fn ours() -> &'static mutornadomon_std::facade::MetricsRecorder {
        static RECORDER: OnceLock<(
            mutornadomon_std::Monitor,
            mutornadomon_std::facade::MetricsRecorder,
        )> = OnceLock::new();
        let (_, recorder) = RECORDER.get_or_init(|| {
            let monitor = mutornadomon_std::Monitor::builder()
                .in_memory()
                .start()
                .unwrap();
            let recorder = monitor.metrics_recorder();
            (monitor, recorder)
        });
        recorder
    }

    fn theirs() -> &'static PrometheusRecorder {
        static RECORDER: OnceLock<PrometheusRecorder> = OnceLock::new();
        RECORDER.get_or_init(|| PrometheusBuilder::new().build_recorder())
    }

    fn macro_call() {
        metrics::counter!("facade_requests", "status" => "200", "method" => "GET").increment(1);
    }

    #[divan::bench]
    fn mutornadomon_facade_macro(bencher: divan::Bencher) {
        with_local_recorder(ours(), || {
            macro_call();
            bencher.bench_local(macro_call);
        });
    }

    #[divan::bench]
    fn metrics_exporter_macro(bencher: divan::Bencher) {
        with_local_recorder(theirs(), || {
            macro_call();
            bencher.bench_local(macro_call);
        });
    }

    /// Two threads at once (each sets the recorder as its local one per call: the same
    /// added cost on both rows).
    #[divan::bench(threads = [2])]
    fn mutornadomon_facade_macro_2_threads(bencher: divan::Bencher) {
        bencher.bench(|| with_local_recorder(ours(), macro_call));
    }

    #[divan::bench(threads = [2])]
    fn metrics_exporter_macro_2_threads(bencher: divan::Bencher) {
        bencher.bench(|| with_local_recorder(theirs(), macro_call));
    }

    #[divan::bench]
    fn mutornadomon_facade_handle(bencher: divan::Bencher) {
        let counter = with_local_recorder(
            ours(),
            || metrics::counter!("facade_handle", "status" => "200"),
        );
        bencher.bench(|| black_box(&counter).increment(1));
    }

    #[divan::bench]
    fn metrics_exporter_handle(bencher: divan::Bencher) {
        let counter = with_local_recorder(
            theirs(),
            || metrics::counter!("facade_handle", "status" => "200"),
        );
        bencher.bench(|| black_box(&counter).increment(1));
    }

    /// 100 series of one family on a Prometheus page: our template filled from the live
    /// region, our renderer (snapshot, parse, render), the `prometheus` crate's encoder.
    const SERIES: usize = 100;

    fn labelled_region() -> Vec<RegionWord> {
        let words: Vec<RegionWord> = (0..64 * 1024).map(|_| RegionWord::new(0)).collect();
        {
            let region = Region::format(&words).unwrap();
            let meta = Meta::new().help("Requests by path and status");
            let family = region
                .counter_family("requests", meta, &["path", "status"], 128)
                .unwrap();
            for i in 0..SERIES {
                let path = format!("/api/v1/item/{i}");
                family.series(&[&path, "200"]).unwrap().inc_by(i as u64 * 7);
            }
        }
        words
    }

    #[divan::bench]
    fn mutornadomon_100_series_template_region(bencher: divan::Bencher) {
        let words = labelled_region();
        let region = Region::attach(&words).unwrap();
        let mut snapshot = vec![0u8; region.snapshot_len()];
        let used = region.snapshot(&mut snapshot).unwrap();
        let (mut text, mut holes) = (vec![0u8; 64 * 1024], vec![PlacedHole::EMPTY; 4 * SERIES]);
        let stats = parse(&snapshot[..used]).unwrap();
        let page = Page::Prometheus(TextFormat::Prometheus);
        let template = PageTemplate::compile(page, &stats, None, &mut text, &mut holes).unwrap();
        let mut out = vec![0u8; 64 * 1024];
        bencher.bench_local(|| {
            template
                .fill_region(&text, &holes, &region, None, &mut out)
                .unwrap()
        });
    }

    #[divan::bench]
    fn mutornadomon_100_series_render(bencher: divan::Bencher) {
        let words = labelled_region();
        let region = Region::attach(&words).unwrap();
        let mut snapshot = vec![0u8; region.snapshot_len()];
        let mut out = vec![0u8; 64 * 1024];
        bencher.bench_local(|| {
            let used = region.snapshot(&mut snapshot).unwrap();
            let stats = parse(&snapshot[..used]).unwrap();
            render_prometheus(&stats, None, TextFormat::Prometheus, &mut out).unwrap()
        });
    }

    #[divan::bench]
    fn prometheus_100_series_encoder(bencher: divan::Bencher) {
        use prometheus::Encoder;
        let registry = prometheus::Registry::new();
        let opts = prometheus::Opts::new("requests_total", "Requests by path and status");
        let vec = prometheus::IntCounterVec::new(opts, &["path", "status"]).unwrap();
        for i in 0..SERIES {
            let path = format!("/api/v1/item/{i}");
            vec.with_label_values(&[&path, "200"]).inc_by(i as u64 * 7);
        }
        registry.register(Box::new(vec)).unwrap();
        let encoder = prometheus::TextEncoder::new();
        let mut out = Vec::with_capacity(64 * 1024);
        bencher.bench_local(|| {
            out.clear();
            encoder.encode(&registry.gather(), &mut out).unwrap();
            out.len()
        });
    }
}

/// Rendering `n` metrics (four in five counters, one in five gauges), each crate from its own
/// live state: ours includes the snapshot and the parse.
mod render {
    use super::*;

    const SIZES: [usize; 2] = [100, 1000];

    fn names(n: usize) -> impl Iterator<Item = (usize, String)> {
        (0..n).map(|i| (i, format!("service_metric_{i}")))
    }

    fn our_region(n: usize) -> (Vec<RegionWord>, usize) {
        let words: Vec<RegionWord> = (0..64 * 1024).map(|_| RegionWord::new(0)).collect();
        {
            let region = Region::format(&words).unwrap();
            for (i, name) in names(n) {
                let meta = Meta::new().help("A metric of the service");
                if i % 5 == 4 {
                    region.gauge(&name, meta).unwrap().set(i as f64 / 3.0);
                } else {
                    region.counter(&name, meta).unwrap().inc_by(i as u64 * 7);
                }
            }
        }
        let len = Region::attach(&words).unwrap().snapshot_len();
        (words, len)
    }

    fn bench_ours(bencher: divan::Bencher, n: usize, json: bool) {
        let (words, len) = our_region(n);
        let region = Region::attach(&words).unwrap();
        let mut snapshot = vec![0u8; len];
        let mut out = vec![0u8; 256 * 1024];
        bencher.bench_local(|| {
            let used = region.snapshot(&mut snapshot).unwrap();
            let stats = parse(&snapshot[..used]).unwrap();
            if json {
                render_json(&stats, None, &mut out).unwrap()
            } else {
                render_prometheus(&stats, None, TextFormat::Prometheus, &mut out).unwrap()
            }
        });
    }

    #[divan::bench(args = SIZES)]
    fn mutornadomon_json(bencher: divan::Bencher, n: usize) {
        bench_ours(bencher, n, true);
    }

    #[divan::bench(args = SIZES)]
    fn mutornadomon_prometheus_text(bencher: divan::Bencher, n: usize) {
        bench_ours(bencher, n, false);
    }

    /// The same page through a `PageTemplate` compiled once: filled from the live region
    /// (`live`: what the std and smol endpoints do, no snapshot) or from a snapshot and its
    /// header parse.
    fn bench_template(bencher: divan::Bencher, n: usize, page: Page, live: bool) {
        let (words, len) = our_region(n);
        let region = Region::attach(&words).unwrap();
        let mut snapshot = vec![0u8; len];
        let used = region.snapshot(&mut snapshot).unwrap();
        let (mut text, mut holes) = (vec![0u8; 256 * 1024], vec![PlacedHole::EMPTY; 4 * n]);
        let stats = parse(&snapshot[..used]).unwrap();
        let template = PageTemplate::compile(page, &stats, None, &mut text, &mut holes).unwrap();
        let mut out = vec![0u8; 256 * 1024];
        bencher.bench_local(|| {
            if live {
                return template
                    .fill_region(&text, &holes, &region, None, &mut out)
                    .unwrap();
            }
            let used = region.snapshot(&mut snapshot).unwrap();
            let stats = parse(&snapshot[..used]).unwrap();
            template
                .fill(&text, &holes, &stats, None, &mut out)
                .unwrap()
        });
    }

    #[divan::bench(args = SIZES)]
    fn mutornadomon_json_template_region(bencher: divan::Bencher, n: usize) {
        bench_template(bencher, n, Page::Json, true);
    }

    #[divan::bench(args = SIZES)]
    fn mutornadomon_prometheus_text_template_region(bencher: divan::Bencher, n: usize) {
        bench_template(bencher, n, Page::Prometheus(TextFormat::Prometheus), true);
    }

    #[divan::bench(args = SIZES)]
    fn mutornadomon_json_template(bencher: divan::Bencher, n: usize) {
        bench_template(bencher, n, Page::Json, false);
    }

    #[divan::bench(args = SIZES)]
    fn mutornadomon_prometheus_text_template(bencher: divan::Bencher, n: usize) {
        bench_template(bencher, n, Page::Prometheus(TextFormat::Prometheus), false);
    }

    #[divan::bench(args = SIZES)]
    fn metrics_exporter_render(bencher: divan::Bencher, n: usize) {
        let recorder: PrometheusRecorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            for (i, name) in names(n) {
                metrics::describe_counter!(name.clone(), "A metric of the service");
                if i % 5 == 4 {
                    metrics::gauge!(name).set(i as f64 / 3.0);
                } else {
                    metrics::counter!(name).increment(i as u64 * 7);
                }
            }
        });
        bencher.bench_local(|| handle.render());
    }

    #[divan::bench(args = SIZES)]
    fn prometheus_text_encoder(bencher: divan::Bencher, n: usize) {
        use prometheus::Encoder;
        let registry = prometheus::Registry::new();
        for (i, name) in names(n) {
            if i % 5 == 4 {
                let gauge = prometheus::Gauge::new(name, "A metric of the service").unwrap();
                gauge.set(i as f64 / 3.0);
                registry.register(Box::new(gauge)).unwrap();
            } else {
                let counter = prometheus::IntCounter::new(name, "A metric of the service").unwrap();
                counter.inc_by(i as u64 * 7);
                registry.register(Box::new(counter)).unwrap();
            }
        }
        let encoder = prometheus::TextEncoder::new();
        let mut out = Vec::with_capacity(256 * 1024);
        bencher.bench_local(|| {
            out.clear();
            encoder.encode(&registry.gather(), &mut out).unwrap();
            out.len()
        });
    }

    /// Snapshot + parse + a walk over every record: what a reader of a stats file pays.
    #[divan::bench]
    fn mutornadomon_snapshot_and_parse_1000(bencher: divan::Bencher) {
        let (words, len) = our_region(1000);
        let region = Region::attach(&words).unwrap();
        let mut snapshot = vec![0u8; len];
        bencher.bench_local(|| {
            let used = region.snapshot(&mut snapshot).unwrap();
            parse(&snapshot[..used])
                .unwrap()
                .records()
                .filter(Result::is_ok)
                .count()
        });
    }
}

/// statsd: 100 metrics (80 counters, 20 gauges, as in `render`) as statsd lines packed into
/// 1,400-byte datagrams. Ours: snapshot, parse and the core's encoder (counter deltas kept in
/// its heapless map, datagrams on the stack). cadence: the crate Rust programs use for statsd,
/// one `count` or `gauge` call per metric into a sink that packs its lines into datagrams the
/// same way (no socket on either side).
mod statsd_encode {
    use super::*;
    use cadence::{Counted, Gauged, MetricSink, StatsdClient};
    use mutornadomon_core::StatsdEncoder;
    use std::io;
    use std::sync::{Arc, Mutex};

    const METRICS: usize = 100;
    const DATAGRAM: usize = 1400;

    fn name(i: usize) -> String {
        format!("service_metric_{i}")
    }

    /// The region the encoders read: `METRICS` metrics, every fifth a gauge.
    fn region(words: &[RegionWord]) -> Region<'_> {
        let region = Region::format(words).unwrap();
        for i in 0..METRICS {
            if i % 5 == 4 {
                region
                    .gauge(&name(i), Meta::new())
                    .unwrap()
                    .set(i as f64 / 3.0);
            } else {
                region
                    .counter(&name(i), Meta::new())
                    .unwrap()
                    .inc_by(i as u64 * 7);
            }
        }
        region
    }

    #[divan::bench]
    fn mutornadomon_encoder(bencher: divan::Bencher) {
        let words: Vec<RegionWord> = (0..64 * 1024).map(|_| RegionWord::new(0)).collect();
        let region = region(&words);
        let mut snapshot = vec![0u8; region.snapshot_len()];
        let mut encoder = StatsdEncoder::<256>::new();
        bencher.bench_local(|| {
            let used = region.snapshot(&mut snapshot).unwrap();
            let stats = parse(&snapshot[..used]).unwrap();
            let mut bytes = 0;
            encoder
                .encode::<DATAGRAM>(&stats, "app.", |d| bytes += black_box(d).len())
                .unwrap();
            bytes
        });
    }

    /// The same datagrams read from the live region in place (`encode_region`): no snapshot,
    /// no parse.
    #[divan::bench]
    fn mutornadomon_encoder_live_region(bencher: divan::Bencher) {
        let words: Vec<RegionWord> = (0..64 * 1024).map(|_| RegionWord::new(0)).collect();
        let region = region(&words);
        let mut encoder = StatsdEncoder::<256>::new();
        bencher.bench_local(|| {
            let mut bytes = 0;
            encoder
                .encode_region::<DATAGRAM>(&region, "app.", |d| bytes += black_box(d).len())
                .unwrap();
            bytes
        });
    }

    /// Packs lines into datagrams of at most `DATAGRAM` bytes behind a mutex, as cadence's
    /// own `BufferedUdpMetricSink` does (minus the socket).
    struct PackingSink(Arc<Mutex<Vec<u8>>>);

    impl MetricSink for PackingSink {
        fn emit(&self, metric: &str) -> io::Result<usize> {
            let mut datagram = self.0.lock().unwrap();
            if datagram.len() + metric.len() + 1 > DATAGRAM {
                black_box(&datagram[..]);
                datagram.clear();
            }
            datagram.extend_from_slice(metric.as_bytes());
            datagram.push(b'\n');
            Ok(metric.len())
        }
    }

    #[divan::bench]
    fn cadence_client(bencher: divan::Bencher) {
        let packing = Arc::new(Mutex::new(Vec::with_capacity(DATAGRAM)));
        let client = StatsdClient::from_sink("app", PackingSink(Arc::clone(&packing)));
        let names: Vec<[String; 3]> = (0..METRICS)
            .map(|i| {
                [
                    name(i),
                    format!("{}.min", name(i)),
                    format!("{}.max", name(i)),
                ]
            })
            .collect();
        let mut previous = vec![0u64; METRICS];
        bencher.bench_local(|| {
            for (i, [name, min, max]) in names.iter().enumerate() {
                if i % 5 == 4 {
                    // The same three lines ours sends for a gauge: value, window min, max.
                    let v = i as f64 / 3.0;
                    let _ = client.gauge(name, v);
                    let _ = client.gauge(min, v);
                    let _ = client.gauge(max, v);
                } else {
                    let now = i as u64 * 7;
                    let _ = client.count(name, (now - previous[i]) as i64);
                    previous[i] = now;
                }
            }
            let mut datagram = packing.lock().unwrap();
            let bytes = black_box(&datagram[..]).len();
            datagram.clear();
            bytes
        });
    }
}

/// Registering N counters into an empty registry: ours checks each new name against every
/// registered metric's Prometheus names (names that render alike are refused); `prometheus`
/// checks descriptors in hash sets. Names of two sets: varied (`db_queue_17`), and one long
/// shared prefix (`service.requests.by_route_17`), the worst case for our scan.
mod register {
    use super::*;

    const SIZES: &[usize] = &[100, 1000];

    fn varied(n: usize) -> Vec<String> {
        let words = [
            "requests", "latency", "queue", "db", "cache", "http", "worker", "pool",
        ];
        (0..n)
            .map(|i| format!("{}_{}_{i}", words[i % 8], words[(i / 8) % 8]))
            .collect()
    }

    fn shared_prefix(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("service.requests.by_route_{i}"))
            .collect()
    }

    fn ours(bencher: divan::Bencher, names: Vec<String>) {
        let words: Vec<RegionWord> = (0..64 * 1024).map(|_| RegionWord::new(0)).collect();
        bencher.bench_local(|| {
            let region = Region::format(&words).unwrap();
            for name in &names {
                region.counter(name, Meta::new()).unwrap();
            }
        });
    }

    fn prometheus_registry(bencher: divan::Bencher, names: Vec<String>) {
        bencher.bench_local(|| {
            let registry = prometheus::Registry::new();
            for name in &names {
                let counter = prometheus::IntCounter::new(name.replace('.', "_"), "help").unwrap();
                registry.register(Box::new(counter)).unwrap();
            }
            registry
        });
    }

    #[divan::bench(args = SIZES)]
    fn mutornadomon_varied_names(bencher: divan::Bencher, n: usize) {
        ours(bencher, varied(n));
    }

    #[divan::bench(args = SIZES)]
    fn mutornadomon_shared_prefix(bencher: divan::Bencher, n: usize) {
        ours(bencher, shared_prefix(n));
    }

    #[divan::bench(args = SIZES)]
    fn prometheus_varied_names(bencher: divan::Bencher, n: usize) {
        prometheus_registry(bencher, varied(n));
    }

    #[divan::bench(args = SIZES)]
    fn prometheus_shared_prefix(bencher: divan::Bencher, n: usize) {
        prometheus_registry(bencher, shared_prefix(n));
    }
}
