//! The probe's CPU cost on its own: an executor running only the monitor's tasks (`probe`), or
//! only an async-io timer waking at the probe's default rate (`timer`, the floor: what any
//! 20 ms wake-up costs on this machine). `bench/probe_cost.sh` reads their CPU time.
//!
//! `cargo run --release -p mutornadomon-smol --example probe_cost -- probe|timer`

use mutornadomon_smol::AsyncMonitor;
use mutornadomon_std::Monitor;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let what = std::env::args().nth(1).unwrap_or_else(|| "probe".into());
    let ex = smol::Executor::new();
    println!("listening (no socket: {what})");
    if what == "timer" {
        smol::block_on(ex.run(async {
            let mut ticks = smol::Timer::interval(Duration::from_millis(20));
            loop {
                smol::stream::StreamExt::next(&mut ticks).await;
            }
        }));
        return Ok(());
    }
    let (_monitor, tasks) = AsyncMonitor::start(Monitor::builder().in_memory())?;
    smol::block_on(ex.run(tasks));
    Ok(())
}
