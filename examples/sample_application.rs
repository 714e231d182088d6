//! The sample application, ported from mutornadomon's `sample_application.py`: a tiny-http
//! app on 127.0.0.1:8080 answering `/` with `HELO <ip>`, instrumented by mutornadomon-std:
//! the `/mutornadomon` and `/metrics` endpoint inside the app's own server, request
//! accounting, the latency probe, and the stats file other processes can read.
//!
//! ```text
//! cargo run -p mutornadomon-examples --example sample_application [-- --publish] [--no-app] [--addr 127.0.0.1:8080]
//! curl http://127.0.0.1:8080/
//! curl http://127.0.0.1:8080/mutornadomon
//! curl http://127.0.0.1:8080/metrics
//! ```
//!
//! `--publish` prints the metrics every 5 s; `--no-app` runs no web app: the monitor serves its
//! endpoint on its own listener instead. Ctrl-C, SIGTERM or SIGQUIT stop it cleanly and remove
//! the stats file.

use mutornadomon_http::{Endpoint, Handled};
use mutornadomon_std::Monitor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tiny_http::{Response, Server};

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let addr = mutornadomon_examples::addr_arg(&args, "127.0.0.1:8080");

    let stop = mutornadomon_examples::stop_on_signals()?;

    let mut builder = Monitor::builder();
    if flag("--publish") {
        builder = builder
            .publish_interval(Duration::from_secs(5))
            .publisher(|snapshot| {
                println!("Publishing metrics\n{}", snapshot.to_json());
            });
    }
    let monitor = builder.start()?;
    match monitor.stats_file() {
        Some(path) => println!("stats file: {}", path.display()),
        None => println!("stats file: none (metrics in memory only)"),
    }

    if flag("--no-app") {
        let server = Endpoint::new(&monitor).serve(addr)?;
        println!(
            "listening on http://{} (monitor endpoint only)",
            server.local_addr()
        );
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(50));
        }
    } else {
        // Like Server::http, plus TCP_NODELAY: metrics pages are bigger than tiny-http's
        // 1 KiB write buffer, and would otherwise wait 40 ms for delayed ACKs on keep-alive.
        let server = Arc::new(mutornadomon_http::http_server(addr)?);
        println!("listening on http://{}", server.server_addr());
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| serve(&server, &monitor, &stop));
            }
        });
    }
    println!("Good bye");
    monitor.stop();
    Ok(())
}

/// One worker of the app: `/` says HELO, the monitor's paths go to its endpoint, everything is
/// counted and timed.
fn serve(server: &Server, monitor: &Monitor, stop: &AtomicBool) {
    let endpoint = Endpoint::new(monitor);
    let Ok(accounting) = monitor.request_accounting() else {
        return;
    };
    while !stop.load(Ordering::Relaxed) {
        let request = match server.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(request)) => request,
            Ok(None) => continue,
            Err(_) => break,
        };
        let timer = accounting.start_request(&request);
        let status = match endpoint.handle(request) {
            Handled::Answered(status) => status,
            Handled::NotOurs(request) if request.url() == "/" => {
                let ip = request
                    .remote_addr()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default();
                let _ = request.respond(Response::from_string(format!("HELO {ip}")));
                200
            }
            Handled::NotOurs(request) => {
                let _ = request.respond(Response::from_string("not found\n").with_status_code(404));
                404
            }
        };
        timer.finish(status);
    }
}
