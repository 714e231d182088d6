//! Proves, with a counting global allocator, that registration, updates, snapshot, parse and
//! both renderers never touch the heap. Runs without the test harness (see Cargo.toml), so
//! nothing else in the process allocates while we count.

use mutornadomon_core::{
    address, parse, render_json, render_prometheus, Meta, ProcessStats, StatsdEncoder, Storage,
    TextFormat,
};

use mutornadomon_test_support::counting_alloc::{self, Counting};

#[global_allocator]
static GLOBAL: Counting = Counting;

static STATS: Storage<16384> = Storage::new();
static mut SNAPSHOT: [u8; 131_072] = [0; 131_072];
static mut OUTPUT: [u8; 131_072] = [0; 131_072];

/// Runs `f` and fails if it allocated.
fn expect_no_allocations(what: &str, f: impl FnOnce()) {
    let before = counting_alloc::allocations();
    f();
    let allocated = counting_alloc::allocations() - before;
    assert_eq!(allocated, 0, "{what} allocated {allocated} times");
    println!("ok: {what}: 0 allocations");
}

fn main() {
    counting_alloc::assert_installed();

    let region = STATS.region();
    // Buffers come from statics so that nothing here needs the heap.
    let (snapshot, output) = (&raw mut SNAPSHOT, &raw mut OUTPUT);
    // SAFETY: main is the only user of these statics, and runs once.
    let (snapshot, output) = unsafe { (&mut *snapshot, &mut *output) };

    expect_no_allocations("register every kind", || {
        region
            .counter("requests", Meta::new().help("Requests"))
            .unwrap();
        region.sharded_counter("jobs", Meta::new(), 4).unwrap();
        region.gauge("lag", Meta::new().unit("seconds")).unwrap();
        region
            .histogram("latency", Meta::new().unit("nanoseconds"))
            .unwrap();
        region.info("version", Meta::new(), "1.0").unwrap();
        let _ = region.counter("9bad", Meta::new()); // refusals too
    });
    expect_no_allocations("update through handles and by name", || {
        let requests = region.counter("requests", Meta::new()).unwrap();
        let jobs = region.sharded_counter("jobs", Meta::new(), 4).unwrap();
        let lag = region.gauge("lag", Meta::new()).unwrap();
        let latency = region.histogram("latency", Meta::new()).unwrap();
        let shard = jobs.claim().unwrap();
        for i in 0..10_000u64 {
            requests.inc();
            shard.inc();
            lag.set(i as f64 * 0.001);
            latency.record(i * 1000);
            region.count("by_name", 1).unwrap();
            region.set("by_name_gauge", i as f64).unwrap();
            region.record("by_name_histogram", i).unwrap();
        }
        region.roll();
    });
    expect_no_allocations("snapshot, parse, render JSON and Prometheus", || {
        let n = region.snapshot(snapshot).unwrap();
        let stats = parse(&snapshot[..n]).unwrap();
        assert_eq!(stats.records().count(), 8);
        let process = ProcessStats::default();
        render_json(&stats, Some(&process), output).unwrap();
        render_prometheus(&stats, Some(&process), TextFormat::Prometheus, output).unwrap();
        render_prometheus(&stats, None, TextFormat::OpenMetrics, output).unwrap();
    });
    expect_no_allocations(
        "statsd datagrams (heapless), twice for counter deltas",
        || {
            let mut encoder = StatsdEncoder::<64>::new();
            for _ in 0..2 {
                let n = region.snapshot(snapshot).unwrap();
                let stats = parse(&snapshot[..n]).unwrap();
                let mut bytes = 0;
                let encoded = encoder
                    .encode::<512>(&stats, "app.", |datagram| bytes += datagram.len())
                    .unwrap();
                assert!(encoded.lines > 10 && encoded.skipped == 0 && bytes > 0);
            }
        },
    );
    expect_no_allocations(
        "statsd datagrams from the live region (no snapshot), twice",
        || {
            let mut encoder = StatsdEncoder::<64>::new();
            for _ in 0..2 {
                let mut bytes = 0;
                let encoded = encoder
                    .encode_region::<512>(&region, "app.", |datagram| bytes += datagram.len())
                    .unwrap();
                assert!(encoded.lines > 10 && encoded.skipped == 0 && bytes > 0);
            }
        },
    );
    #[cfg(feature = "serde")]
    expect_no_allocations(
        "the JSON page and the records through serde-json-core",
        || {
            let n = region.snapshot(snapshot).unwrap();
            let stats = parse(&snapshot[..n]).unwrap();
            let process = ProcessStats::default();
            let page = mutornadomon_core::MutornadomonPage::new(&stats, Some(&process));
            assert!(serde_json_core::to_slice(&page, output).unwrap() > 100);
            assert!(serde_json_core::to_slice(&stats, output).unwrap() > 100);
        },
    );
    expect_no_allocations("address rules", || {
        let peer = "127.0.0.1".parse().unwrap();
        let headers = [
            (&b"X-Forwarded-For"[..], &b"127.0.0.1, [::1]:80"[..]),
            (&b"Forwarded"[..], &br#"for="[::1]:1""#[..]),
        ];
        assert!(address::check_local_only(peer, headers).is_ok());
    });
}
