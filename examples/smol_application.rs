//! The sample application on smol: an app on 127.0.0.1:8081 answering `/` with `HELO <ip>`,
//! instrumented by mutornadomon-smol: `/mutornadomon` and `/metrics` on the same server,
//! request accounting, the executor lag probe, task timing, and the stats file other processes
//! read (`mmstats dump`).
//!
//! ```text
//! cargo run -p mutornadomon-examples --example smol_application [-- --publish] [--addr 127.0.0.1:8081]
//! curl http://127.0.0.1:8081/
//! curl http://127.0.0.1:8081/block?ms=200      # blocks the executor for 200 ms
//! curl -s http://127.0.0.1:8081/mutornadomon   # ... and the lag probe shows it
//! ```
//!
//! `/block?ms=N` (N up to 10,000) sleeps on the executor's thread, the mistake the probe is
//! there to catch: `ioloop_excess_callback_latency` reads about N ms, and the app's background
//! ticker (an instrumented task) counts a slow poll. `--publish` prints the metrics every 5 s.
//! Ctrl-C, SIGTERM or SIGQUIT stop it cleanly and remove the stats file.

use mutornadomon_smol::{AsyncMonitor, Connection, EndpointServer, Monitor, Request, Response};
use smol::future::FutureExt;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = mutornadomon_examples::addr_arg(&args, "127.0.0.1:8081");

    let stop = mutornadomon_examples::stop_on_signals()?;

    let mut builder = Monitor::builder();
    if args.iter().any(|a| a == "--publish") {
        builder = builder
            .publish_interval(Duration::from_secs(5))
            .publisher(|snapshot| println!("Publishing metrics\n{}", snapshot.to_json()));
    }
    let (monitor, monitor_tasks) = AsyncMonitor::start(builder)?;
    match monitor.stats_file() {
        Some(path) => println!("stats file: {}", path.display()),
        None => println!("stats file: none (metrics in memory only)"),
    }
    // `--uninstrumented` (for bench/http.sh): the same server and app with no probe, no task
    // timing and no request accounting; what it gains is what the instrumentation costs.
    let instrumented = !args.iter().any(|a| a == "--uninstrumented");
    let timing = monitor.task_timing()?;
    let endpoint = monitor.endpoint();
    let server = if instrumented {
        endpoint.request_accounting(monitor.request_accounting()?)
    } else {
        endpoint
    };
    let server = EndpointServer::bind(server.fallback(app), addr)?;
    println!("listening on http://{}", server.local_addr());

    // The executor borrows the monitor's handles, so it is declared after the monitor.
    let ex = smol::Executor::new();
    if instrumented {
        ex.spawn(monitor_tasks).detach();
    } else {
        drop(monitor_tasks);
    }
    ex.spawn(timing.instrument(async {
        // The app's own periodic work, timed like every other task.
        let mut ticks = smol::Timer::interval(Duration::from_millis(100));
        loop {
            smol::stream::StreamExt::next(&mut ticks).await;
            let _ = monitor.count("ticks", 1);
        }
    }))
    .detach();
    // Each connection is a task of the app's executor (timed, when instrumented); the accept
    // loop runs in the main future, which is what may borrow the executor.
    let serve = server.run_with(|connection: Connection<'_>| {
        if instrumented {
            ex.spawn(timing.instrument(connection)).detach();
        } else {
            ex.spawn(connection).detach();
        }
    });
    let serve = if instrumented {
        timing.instrument(serve).boxed_local()
    } else {
        serve.boxed_local()
    };
    let stopped = async {
        while !stop.load(Ordering::Relaxed) {
            smol::Timer::after(Duration::from_millis(50)).await;
        }
    };
    smol::block_on(ex.run(smol::future::or(serve, stopped)));
    println!("Good bye");
    drop(ex);
    monitor.stop();
    Ok(())
}

/// The app: `/` says HELO, `/block?ms=N` holds the executor's thread for N ms.
fn app(request: &Request<'_>) -> Response {
    match request.path() {
        "/" => {
            let ip = request.peer().map(|ip| ip.to_string()).unwrap_or_default();
            Response::text(200, &format!("HELO {ip}"))
        }
        "/block" => {
            let ms = request
                .query()
                .split('&')
                .find_map(|kv| kv.strip_prefix("ms="))
                .and_then(|ms| ms.parse::<u64>().ok());
            match ms {
                Some(ms) if ms <= 10_000 => {
                    std::thread::sleep(Duration::from_millis(ms));
                    Response::text(200, &format!("blocked the executor for {ms} ms\n"))
                }
                _ => Response::text(400, "use /block?ms=N with N from 0 to 10000\n"),
            }
        }
        _ => Response::text(404, "not found\n"),
    }
}
