//! The probe's CPU cost on its own: an executor running only the monitor's tasks (`probe`), or
//! only an async-io timer waking at the probe's rate (`timer`: what a hand-written probe on
//! async-io would cost). Read their CPU time from `/proc/<pid>/task/*/schedstat`
//! (DEVELOPMENT.md has the command).
//!
//! `cargo run --release -p mutornadomon-smol --example probe_cost -- probe|timer [resolution ms]`

use mutornadomon_smol::{AsyncMonitor, Monitor};
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let what = std::env::args().nth(1).unwrap_or_else(|| "probe".into());
    let resolution = std::env::args()
        .nth(2)
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::from_millis(20), Duration::from_millis);
    let ex = smol::Executor::new();
    println!("listening (no socket: {what})");
    if what == "timer" {
        smol::block_on(ex.run(async {
            let mut ticks = smol::Timer::interval(resolution);
            loop {
                smol::stream::StreamExt::next(&mut ticks).await;
            }
        }));
        return Ok(());
    }
    let builder = Monitor::builder().in_memory().probe_resolution(resolution);
    let (_monitor, tasks) = AsyncMonitor::start(builder)?;
    smol::block_on(ex.run(tasks));
    Ok(())
}
