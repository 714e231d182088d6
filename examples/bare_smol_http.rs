//! The ceiling for the smol HTTP benchmarks: a bare smol server answering `/` with a fixed
//! `HELO <ip>` body (and `/filler/<n>` with `n` fixed bytes) over keep-alive, with no monitor
//! at all. Same executor shape as `smol_application` (one executor on the main thread, a task
//! per connection), request heads parsed by httparse. `bench/http.sh` runs it next to the smol
//! application.
//!
//! By default it does its I/O the way smol's `TcpListener` and `TcpStream` do: each read is
//! tried before waiting, and the accept loop tries `accept` whenever it is polled. With
//! `--tuned` it does it as the monitor's own server does: reads wait for readability once a
//! tried read came back empty, and `accept` is called only once the listener is readable
//! (each spares a system call per request or per reactor turn: BENCHMARKS.md). The tuned
//! server is the ceiling for what a page itself costs.
//!
//! ```text
//! cargo run --release -p mutornadomon-examples --example bare_smol_http -- 127.0.0.1:8082 [--tuned]
//! ```

use mutornadomon_examples::{bare_body, BareBody};
use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::Async;
use std::io::{ErrorKind, Read};
use std::net::{TcpListener, TcpStream};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut addr = "127.0.0.1:8082".to_string();
    let mut tuned = false;
    for arg in args.by_ref() {
        match arg.as_str() {
            "--tuned" => tuned = true,
            _ => addr = arg,
        }
    }
    let ex = smol::Executor::new();
    smol::block_on(ex.run(async {
        let listener = Async::new(TcpListener::bind(addr.as_str())?)?;
        println!(
            "listening on http://{}{}",
            listener.get_ref().local_addr()?,
            if tuned { " (tuned)" } else { "" }
        );
        loop {
            let (stream, peer) = if tuned {
                accept_when_readable(&listener).await?
            } else {
                listener.accept().await?
            };
            let _ = stream.get_ref().set_nodelay(true);
            ex.spawn(async move {
                let _ = serve(stream, peer.ip(), tuned).await;
            })
            .detach();
        }
    }))
}

async fn serve(
    mut stream: Async<TcpStream>,
    ip: std::net::IpAddr,
    tuned: bool,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 8192];
    let mut filled = 0;
    let mut out = Vec::new();
    let mut read_first = true;
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
        let room = buf.len() - filled;
        let n = if tuned {
            read_tuned(&stream, &mut buf[filled..], &mut read_first).await?
        } else {
            stream.read(&mut buf[filled..]).await?
        };
        if n == 0 {
            return Ok(());
        }
        if n == room {
            read_first = true;
        }
        filled += n;
    }
}

/// A read tried at once only while tries find bytes; else one that waits for readability.
async fn read_tuned(
    stream: &Async<TcpStream>,
    buf: &mut [u8],
    read_first: &mut bool,
) -> std::io::Result<usize> {
    loop {
        if *read_first {
            match stream.get_ref().read(buf) {
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                    *read_first = false;
                }
                read => return read,
            }
        }
        stream.readable().await?;
        match stream.get_ref().read(buf) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
            read => return read,
        }
    }
}

/// `accept` called only once the listener is readable.
async fn accept_when_readable(
    listener: &Async<TcpListener>,
) -> std::io::Result<(Async<TcpStream>, std::net::SocketAddr)> {
    loop {
        match listener.get_ref().accept() {
            Ok((stream, peer)) => return Ok((Async::new(stream)?, peer)),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                listener.readable().await?
            }
            Err(e) => return Err(e),
        }
    }
}
