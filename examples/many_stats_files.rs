//! Writes many stats files, as a host full of writers would have, for the reader benchmarks:
//! N files of M metrics (counters, gauges and a few histograms), each naming a live pid with
//! another start time (so readers do their full liveness check).
//!
//! ```text
//! cargo run --release -p mutornadomon-examples --example many_stats_files -- DIR 1000 100
//! ```

use mutornadomon_core::{AtomicU64, Meta, Region};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .ok_or("usage: many_stats_files DIR [FILES] [METRICS]")?,
    );
    let files: usize = args.next().map_or(Ok(1000), |a| a.parse())?;
    let metrics: usize = args.next().map_or(Ok(100), |a| a.parse())?;
    std::fs::create_dir_all(&dir)?;
    let words: Vec<AtomicU64> = (0..32 * 1024).map(|_| AtomicU64::new(0)).collect();
    let mut image = Vec::new();
    for file in 0..files {
        let region = Region::format(&words)?;
        region.set_pid(1);
        region.set_start_time(1);
        region.info("sys.program", Meta::new(), "bench")?;
        for m in 1..metrics {
            let name = format!("metric_{m}");
            match m % 10 {
                0 => region
                    .histogram_with_max(&name, Meta::new().unit("nanoseconds"), 1 << 30)?
                    .record((file * m) as u64),
                1..=4 => region
                    .gauge(&name, Meta::new())?
                    .set((file + m) as f64 / 3.0),
                _ => region
                    .counter(&name, Meta::new().help("A counter"))?
                    .inc_by((file * m) as u64),
            }
        }
        image.resize(region.snapshot_len(), 0);
        let n = region.snapshot(&mut image)?;
        std::fs::write(
            dir.join(format!("mutornadomon-bench-{file}.stats")),
            &image[..n],
        )?;
    }
    println!(
        "wrote {files} files of {metrics} metrics to {}",
        dir.display()
    );
    Ok(())
}
