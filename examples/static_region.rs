//! Metrics in a `static` region, updated from several threads, rendered as mutornadomon's JSON
//! and as Prometheus text, then parsed back from the region's own bytes.
//!
//! This is what a `no_std` or thread-based program does with `mutornadomon-core` alone: no
//! allocation on the metrics path, no locks, no background threads.
//!
//! Run it with:
//!
//! ```text
//! cargo run -p mutornadomon-examples --example static_region
//! ```

use mutornadomon_core::{
    parse, render_json, render_prometheus, Meta, ProcessStats, Storage, TextFormat, Value,
};
use std::time::Instant;

/// 64 KiB of metrics, formatted at compile time.
static STATS: Storage<8192> = Storage::new();

const REQUEST_TIME: Meta = Meta::new()
    .help("Time to handle one request")
    .unit("nanoseconds");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let region = STATS.region();
    region.set_pid(u64::from(std::process::id()));
    region.info(
        "version",
        Meta::new().help("Program version"),
        env!("CARGO_PKG_VERSION"),
    )?;
    let requests = region.counter("requests", Meta::new().help("Requests handled"))?;
    let handled = region.sharded_counter("work_items", Meta::new().help("Work items done"), 4)?;
    let request_time = region.histogram("request_time", REQUEST_TIME)?;
    let queue = region.gauge("queue_depth", Meta::new().help("Items waiting"))?;

    let started = Instant::now();
    std::thread::scope(|s| {
        for worker in 0..4u64 {
            s.spawn(move || {
                // A claimed shard: a plain load and store per increment, no contention.
                let mine = handled.claim().expect("4 shards for 4 workers");
                for i in 0..250_000u64 {
                    let t = Instant::now();
                    requests.inc();
                    mine.inc();
                    queue.set(((i * 7 + worker * 13) % 100) as f64);
                    request_time.record(t.elapsed().as_nanos() as u64 + (i % 1000) * 1000);
                }
                // mutornadomon-style by-name call: looked up in the lock-free index.
                STATS
                    .region()
                    .count("workers_finished", 1)
                    .expect("room for one more counter");
            });
        }
    });
    let elapsed = started.elapsed();

    // Any process could do this part with the file's bytes; here we copy our own region.
    let mut snapshot = vec![0u8; region.snapshot_len()];
    let len = region.snapshot(&mut snapshot)?;
    let stats = parse(&snapshot[..len])?;
    // Process stats (rss, cpu, fds) come from a backend; the core knows no OS, so none here.
    let process: Option<&ProcessStats> = None;

    let mut out = vec![0u8; 64 * 1024];
    let n = render_json(&stats, process, &mut out)?;
    println!(
        "== JSON (GET /mutornadomon) ==\n{}\n",
        std::str::from_utf8(&out[..n])?
    );

    let n = render_prometheus(&stats, None, TextFormat::Prometheus, &mut out)?;
    let text = std::str::from_utf8(&out[..n])?;
    println!("== Prometheus text, first lines (GET /metrics) ==");
    text.lines()
        .filter(|l| !l.contains("_bucket"))
        .take(24)
        .for_each(|l| println!("{l}"));

    println!("\n== Parsed back from the region's {len} bytes ==");
    for record in stats.records() {
        let record = record?;
        match record.value {
            Value::Counter(n) => println!("{:<18} counter   {n}", record.name),
            Value::Gauge(g) => println!(
                "{:<18} gauge     {} (min {}, max {})",
                record.name, g.value, g.min, g.max
            ),
            Value::Histogram(h) => println!(
                "{:<18} histogram count {} p50 {} p99 {} {}",
                record.name,
                h.count(),
                h.quantile(0.5).unwrap_or(0),
                h.quantile(0.99).unwrap_or(0),
                record.unit
            ),
            Value::Info(text) => println!("{:<18} info      {text}", record.name),
        }
    }
    assert_eq!(requests.get(), 1_000_000, "every increment counted");
    assert_eq!(handled.get(), 1_000_000, "shards sum to the total");
    println!("\n1,000,000 updates from 4 threads in {elapsed:?}; totals exact.");
    Ok(())
}
