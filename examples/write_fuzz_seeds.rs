//! Writes the fuzz seed corpus: valid stats files holding every kind, so the fuzzers start
//! from real structure. Re-run after any change to the layout, and commit the result.
//!
//! ```text
//! cargo run -p mutornadomon-examples --example write_fuzz_seeds -- fuzz/seeds
//! ```

use mutornadomon_core::{Meta, Region, Storage};
use std::path::{Path, PathBuf};

fn snapshot(region: &Region<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; region.snapshot_len()];
    let n = region.snapshot(&mut buf).expect("sized from snapshot_len");
    buf.truncate(n);
    buf
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/seeds".into()),
    );
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();

    let empty = Storage::<64>::new();
    files.push(("empty", snapshot(&empty.region())));

    let every = Storage::<4096>::new();
    let region = every.region();
    region.set_pid(4242);
    region.set_start_time(1_700_000_000_000_000_000);
    region
        .counter("requests", Meta::new().help("Requests served"))?
        .inc_by(6);
    region.sharded_counter("jobs", Meta::new(), 2)?.inc_by(3);
    let lag = region.gauge(
        "ioloop_excess_callback_latency",
        Meta::new().unit("seconds"),
    )?;
    lag.set(-0.004);
    lag.set(0.0006);
    let h = region.histogram_with_max("latency", Meta::new().unit("nanoseconds"), 1 << 20)?;
    [0, 15, 16, 1_000, 1 << 21]
        .iter()
        .for_each(|v| h.record(*v));
    region.info("version", Meta::new().help("Version"), "1.0 \"quoted\"")?;
    let _ = region.counter("9refused", Meta::new());
    files.push(("every_kind", snapshot(&region)));

    let labelled = Storage::<4096>::new();
    let region = labelled.region();
    let requests = region.counter_family(
        "requests",
        Meta::new().help("By status"),
        &["status", "method"],
        2,
    )?;
    requests.series(&["200", "GET"])?.inc_by(4);
    requests.series(&["500", "say \"hi\""])?.inc();
    requests.series(&["404", "GET"])?.inc(); // past the limit: folded
    let depth = region.gauge_family("depth", Meta::new().unit("bytes"), &["queue"], 4)?;
    depth.series(&[""])?.set(-2.5);
    let latency = region.histogram_family_with_max(
        "latency",
        Meta::new().unit("nanoseconds"),
        &["route"],
        4,
        1 << 12,
    )?;
    latency.series(&["/"])?.record(1_500);
    files.push(("labelled", snapshot(&region)));

    let one = Storage::<256>::new();
    one.region().count("sys.pid", 1)?;
    files.push(("one_counter", snapshot(&one.region())));

    for (target, records_only) in [
        ("parse_stats", false),
        ("parse_stats_with_header", true),
        ("statsd_region", true),
    ] {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir)?;
        for (name, bytes) in &files {
            // The header-prepending target takes only what follows the header.
            let bytes = if records_only {
                &bytes[128..]
            } else {
                &bytes[..]
            };
            write(&dir.join(format!("{name}.bin")), bytes)?;
        }
    }
    // template_fill: flags (with process statistics), scribble count, scribbles, then the file.
    let dir = out.join("template_fill");
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in &files {
        let plain = [&[0u8, 0][..], bytes].concat();
        write(&dir.join(format!("{name}.bin")), &plain)?;
        // Two scribbles: one over an early value word, one far in.
        let scribbled = [&[1u8, 2, 40, 0, 0xff, 0x10, 0x01, 0x55][..], bytes].concat();
        write(&dir.join(format!("{name}_scribbled.bin")), &scribbled)?;
    }
    println!(
        "wrote {} seeds per target under {}",
        files.len(),
        out.display()
    );
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}
