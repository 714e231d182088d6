//! The ceiling for the HTTP benchmarks: the sample application's `/` handler on tiny-http with
//! the same two worker threads, and no monitoring at all. `bench/http.sh` runs it next to the
//! monitored sample application.
//!
//! ```text
//! cargo run --release -p mutornadomon-examples --example bare_tiny_http -- 127.0.0.1:8081
//! ```

use std::sync::Arc;
use tiny_http::{Response, Server};

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".into());
    let server = Arc::new(Server::http(addr.as_str())?);
    println!("listening on http://{}", server.server_addr());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while let Ok(request) = server.recv() {
                    let ip = request
                        .remote_addr()
                        .map(|a| a.ip().to_string())
                        .unwrap_or_default();
                    let _ = request.respond(Response::from_string(format!("HELO {ip}")));
                }
            });
        }
    });
    Ok(())
}
