//! The ceiling for the HTTP benchmarks: the sample application with the monitoring taken out.
//! Same listener, same two workers, same `recv_timeout` loop and `/` handler; no monitor, no
//! endpoint, no request accounting. `bench/http.sh` runs it next to the sample application, so
//! the difference between the two is what monitoring costs.
//!
//! ```text
//! cargo run --release -p mutornadomon-examples --example bare_tiny_http -- 127.0.0.1:8081
//! ```

use mutornadomon_examples::{bare_body, BareBody};
use std::sync::Arc;
use std::time::Duration;
use tiny_http::Response;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".into());
    let server = Arc::new(mutornadomon_http::http_server(addr.as_str())?);
    println!("listening on http://{}", server.server_addr());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let request = match server.recv_timeout(Duration::from_millis(100)) {
                    Ok(Some(request)) => request,
                    Ok(None) => continue,
                    Err(_) => break,
                };
                let response = match bare_body(request.url()) {
                    Some(BareBody::Helo) => {
                        let ip = request
                            .remote_addr()
                            .map(|a| a.ip().to_string())
                            .unwrap_or_default();
                        Response::from_string(format!("HELO {ip}"))
                    }
                    Some(BareBody::Filler(bytes)) => Response::from_data(bytes),
                    None => Response::from_string("not found\n").with_status_code(404),
                };
                let _ = request.respond(response);
            });
        }
    });
    Ok(())
}
