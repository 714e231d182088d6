//! A raw HTTP/1.1 client over loopback: requests, raw bytes, slow and keep-alive clients.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A response: status, headers (lowercased names), body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends `method path` with `headers` and reads the whole response.
pub fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    parse_reply(&raw)
}

pub fn get(addr: SocketAddr, path: &str) -> Reply {
    request(addr, "GET", path, &[])
}

fn parse_reply(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect::<Vec<_>>();
    let body = if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// Sends raw bytes and reads until the server closes (or 10 s pass). Write errors are ignored:
/// a server refusing a head may close before reading it all.
pub fn raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The status code of a raw response (0 if none).
pub fn status_of(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// What a slowloris client saw: how long until the server gave up on it, how many bytes it
/// managed to send, and what the server answered.
pub struct Slowloris {
    pub elapsed: Duration,
    pub sent: usize,
    pub answer: String,
}

/// Starts a slowloris client on its own thread: a request head sent one byte every 100 ms
/// (giving up after 5 s), then whatever the server answers.
pub fn slowloris(addr: SocketAddr) -> std::thread::JoinHandle<Slowloris> {
    std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let started = std::time::Instant::now();
        let mut sent = 0;
        for byte in b"GET /mutornadomon HTTP/1.1\r\nX-Slow: "
            .iter()
            .chain([b'y'; 100].iter())
        {
            if stream.write_all(&[*byte]).is_err() || started.elapsed() > Duration::from_secs(5) {
                break;
            }
            sent += 1;
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        Slowloris {
            elapsed: started.elapsed(),
            sent,
            answer,
        }
    })
}

/// How a keep-alive connection went after `requests` requests sent `gap` apart (each answer
/// read whole): whether every answer came, and how long after the last one the server closed
/// the connection (None if it had not within 10 s).
pub struct KeepAlive {
    pub answered: usize,
    pub closed_after: Option<Duration>,
}

pub fn keep_alive(addr: SocketAddr, requests: usize, gap: Duration) -> KeepAlive {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answered = 0;
    for i in 0..requests {
        if i > 0 {
            std::thread::sleep(gap);
        }
        if stream
            .write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .is_err()
        {
            break;
        }
        if read_one_answer(&mut stream).is_none() {
            break;
        }
        answered += 1;
    }
    let last = std::time::Instant::now();
    let mut byte = [0u8; 1];
    let closed_after = match stream.read(&mut byte) {
        Ok(0) => Some(last.elapsed()),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Some(last.elapsed()),
        _ => None, // a byte nobody asked for, or still open after the read timeout
    };
    KeepAlive {
        answered,
        closed_after,
    }
}

/// Reads an answer's head, through the blank line and no further (byte by byte); None if
/// the connection ends first.
pub fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// Reads one answer with a Content-Length body; None if the connection ends first.
pub fn read_one_answer(stream: &mut TcpStream) -> Option<()> {
    let head = read_head(stream)?.to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())?;
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()
}
