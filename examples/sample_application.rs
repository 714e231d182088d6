//! The sample application, ported from mutornadomon's `sample_application.py`: an HTTP app on
//! 127.0.0.1:8080 answering `/` with `HELO <ip>`, instrumented by mutornadomon-std: the
//! `/mutornadomon` and `/metrics` endpoint in the app's own server, request accounting, the
//! latency probe, and the stats file other processes can read.
//!
//! ```text
//! cargo run -p mutornadomon-examples --example sample_application [-- --publish] [--no-app] [--tiny-http] [--addr 127.0.0.1:8080]
//! curl http://127.0.0.1:8080/
//! curl http://127.0.0.1:8080/mutornadomon
//! curl http://127.0.0.1:8080/metrics
//! ```
//!
//! The app runs on the endpoint's bounded server (`Endpoint::serve`, the app's routes in its
//! fallback): every head is read within limits (431 past 8 KiB or 64 headers, 414 past a
//! 2 KiB target, 408 for a head not sent within 4 s here), at most 1,024 connections. A
//! client streaming an endless header costs 8 KiB, not gigabytes.
//!
//! `--publish` prints the metrics every 5 s; `--no-app` serves only the monitor's endpoint;
//! `--tiny-http` runs the same app inside a tiny-http server instead, the way a program already
//! built on tiny-http adds the endpoint (tiny-http reads heads without limits: see
//! `mutornadomon_http::TinyHttp`'s docs). Ctrl-C, SIGTERM or SIGQUIT stop it cleanly and
//! remove the stats file.

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    mutornadomon_examples::sample_app::run(&args)
}
