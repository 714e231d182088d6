//! The ceiling for the smol HTTP benchmarks: a bare smol server answering `/` with a fixed
//! `HELO <ip>` body (and `/filler/<n>` with `n` fixed bytes) over keep-alive, with no monitor at all. Same executor shape as
//! `smol_application` (one executor on the main thread, a task per connection), request heads
//! parsed by httparse. `bench/http.sh` runs it next to the smol application.
//!
//! ```text
//! cargo run --release -p mutornadomon-examples --example bare_smol_http -- 127.0.0.1:8082
//! ```

use mutornadomon_examples::{bare_body, BareBody};
use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::net::{TcpListener, TcpStream};

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8082".into());
    let ex = smol::Executor::new();
    smol::block_on(ex.run(async {
        let listener = TcpListener::bind(addr.as_str()).await?;
        println!("listening on http://{}", listener.local_addr()?);
        loop {
            let (stream, peer) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            ex.spawn(async move {
                let _ = serve(stream, peer.ip()).await;
            })
            .detach();
        }
    }))
}

async fn serve(mut stream: TcpStream, ip: std::net::IpAddr) -> std::io::Result<()> {
    let mut buf = vec![0u8; 8192];
    let mut filled = 0;
    let mut out = Vec::new();
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buf[..filled]) {
            Ok(httparse::Status::Complete(len)) => {
                let helo;
                let (status, body) = match request.path.and_then(bare_body) {
                    Some(BareBody::Helo) => {
                        helo = format!("HELO {ip}");
                        ("200 OK", helo.as_bytes())
                    }
                    Some(BareBody::Filler(bytes)) => ("200 OK", bytes),
                    None => ("404 Not Found", &b"not found\n"[..]),
                };
                out.clear();
                out.extend_from_slice(
                    format!(
                        "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(body);
                stream.write_all(&out).await?;
                buf.copy_within(len..filled, 0);
                filled -= len;
                continue;
            }
            Ok(httparse::Status::Partial) if filled < buf.len() => {}
            _ => return Ok(()),
        }
        let n = stream.read(&mut buf[filled..]).await?;
        if n == 0 {
            return Ok(());
        }
        filled += n;
    }
}
