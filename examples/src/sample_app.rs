//! The sample application's code (`--example sample_application` runs it): here so that
//! its tests run the very same program in a child process. See the example for what it does.

use mutornadomon_http::{Endpoint, Handled, Limits, Request, Response as Answer};
use mutornadomon_std::{Monitor, RequestAccounting};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tiny_http::{Response, Server};

/// The app's own route: `/` says HELO to the peer; anything else is not found.
fn app(request: &Request<'_>) -> Answer {
    if request.path() == "/" {
        let ip = request.peer().map(|ip| ip.to_string()).unwrap_or_default();
        Answer::text(200, &format!("HELO {ip}"))
    } else {
        Answer::text(404, "not found\n")
    }
}

/// Runs the sample application with its command-line `args` (without the program name) until
/// SIGINT, SIGTERM or SIGQUIT.
pub fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let flag = |name: &str| args.iter().any(|a| a == name);
    let addr = crate::addr_arg(args, "127.0.0.1:8080");

    let stop = crate::stop_on_signals()?;

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

    // A head not sent within 4 s is answered 408 (the library's default allows 10 s).
    let endpoint =
        Endpoint::new(&monitor).limits(Limits::default().head_timeout(Duration::from_secs(4)));
    if flag("--tiny-http") {
        // Like Server::http, plus TCP_NODELAY: metrics pages are bigger than tiny-http's
        // 1 KiB write buffer, and would otherwise wait 40 ms for delayed ACKs on keep-alive.
        let server = Arc::new(mutornadomon_http::http_server(addr)?);
        println!("listening on http://{} (tiny-http)", server.server_addr());
        let accounting = monitor.request_accounting()?;
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| serve_tiny_http(&server, &endpoint, &accounting, &stop));
            }
        });
    } else {
        let endpoint = endpoint.request_accounting(monitor.request_accounting()?);
        let endpoint = if flag("--no-app") {
            endpoint
        } else {
            endpoint.fallback(app)
        };
        let server = endpoint.serve(addr)?;
        let what = if flag("--no-app") {
            " (monitor endpoint only)"
        } else {
            ""
        };
        println!("listening on http://{}{what}", server.local_addr());
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    println!("Good bye");
    monitor.stop();
    Ok(())
}

/// One worker of the app inside tiny-http (`--tiny-http`): the monitor's paths go to its
/// endpoint, `/` says HELO, everything is counted and timed.
fn serve_tiny_http(
    server: &Server,
    endpoint: &Endpoint<'_>,
    accounting: &RequestAccounting,
    stop: &AtomicBool,
) {
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
