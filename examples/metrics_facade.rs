//! A program instrumented only with the `metrics` crate's macros (`counter!`, `gauge!`,
//! `histogram!`, `describe_*!`), as the libraries it uses would be, and no Tokio: the monitor
//! is installed as the global recorder, so every macro lands in the stats file (`mmstats dump`),
//! on `/mutornadomon` and on `/metrics`.
//!
//! ```text
//! cargo run -p mutornadomon-examples --example metrics_facade [-- --addr 127.0.0.1:8081]
//! curl http://127.0.0.1:8081/metrics
//! cargo run -p mmstats -- dump
//! ```

use std::sync::atomic::Ordering;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = mutornadomon_examples::addr_arg(&args, "127.0.0.1:8081");
    let stop = mutornadomon_examples::stop_on_signals()?;
    let running = mutornadomon_examples::metrics_app::start(addr, 4)?;
    if let Some(path) = running.monitor.stats_file() {
        println!("stats file: {}", path.display());
    }
    println!("curl http://{}/metrics", running.server.local_addr());
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (_monitor, _server) = running.stop(); // dropped here: the stats file goes
    Ok(())
}
