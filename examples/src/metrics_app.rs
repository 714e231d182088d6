//! The `metrics` facade example's code (`--example metrics_facade` runs it): a program whose
//! only instrumentation is the `metrics` crate's macros, as a library's would be. Here so that
//! its test runs the very same code.

use mutornadomon_http::{Endpoint, EndpointServer};
use mutornadomon_std::Monitor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What [`start`] set going: the monitor (its stats file), the endpoint, the workers.
pub struct Running {
    /// The monitor the global recorder writes into.
    pub monitor: Monitor,
    /// `/mutornadomon` and `/metrics`.
    pub server: EndpointServer,
    stop: Arc<AtomicBool>,
    workers: Vec<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Stops the workers and waits for them.
    pub fn stop(self) -> (Monitor, EndpointServer) {
        self.stop.store(true, Ordering::Relaxed);
        for worker in self.workers {
            let _ = worker.join();
        }
        (self.monitor, self.server)
    }
}

/// One job of a worker: some arithmetic, timed, counted by outcome.
fn job(worker: &'static str, n: u64) {
    let start = Instant::now();
    let checksum = (0..2_000 + n % 5_000).fold(n, |a, b| a.wrapping_mul(31).wrapping_add(b));
    let outcome = if checksum % 10 == 0 { "error" } else { "ok" };
    metrics::counter!("jobs_total", "worker" => worker, "outcome" => outcome).increment(1);
    metrics::histogram!("job_duration_seconds", "worker" => worker).record(start.elapsed());
    metrics::gauge!("last_checksum_residue").set((checksum % 1024) as f64);
}

/// Starts the monitor, installs it as the global `metrics` recorder, serves its endpoint on
/// `addr` and starts `workers` threads that emit metrics through the macros only.
pub fn start(
    addr: &str,
    workers: usize,
) -> Result<Running, Box<dyn std::error::Error + Send + Sync>> {
    let monitor = Monitor::builder().program_name("metrics_facade").start()?;
    monitor.install_metrics_recorder()?;
    metrics::describe_counter!("jobs_total", "Jobs done, by worker and outcome");
    metrics::describe_histogram!(
        "job_duration_seconds",
        metrics::Unit::Seconds,
        "Time one job took"
    );
    metrics::describe_gauge!(
        "last_checksum_residue",
        "The last job's checksum modulo 1024"
    );
    let server = Endpoint::new(&monitor).serve(addr)?;
    let stop = Arc::new(AtomicBool::new(false));
    const NAMES: [&str; 8] = ["w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7"];
    let workers = NAMES
        .iter()
        .take(workers)
        .map(|&worker| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    job(worker, n);
                    n += 1;
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        })
        .collect();
    Ok(Running {
        monitor,
        server,
        stop,
        workers,
    })
}
