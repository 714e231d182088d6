//! The README's main job against hostile clients: the sample application (its app and the
//! monitor's endpoint on the bounded server) answers or closes every hostile request within
//! 5 s, answers a normal request within 1 s after each, and a head streamed without end costs
//! it less than 16 MiB.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Set in the child process: it runs the sample application instead of testing.
const CHILD: &str = "SAMPLE_APPLICATION_CHILD";

/// The child: this test binary re-run to be the sample application (the example's own code,
/// `mutornadomon_examples::sample_app::run`), in a process of its own.
#[test]
fn sample_application_child() {
    let Ok(args) = std::env::var(CHILD) else {
        return; // not the child: nothing to do
    };
    let args: Vec<String> = args.split_whitespace().map(String::from).collect();
    mutornadomon_examples::sample_app::run(&args).unwrap();
}

struct App {
    child: Child,
    addr: SocketAddr,
}

impl App {
    fn start(args: &[&str]) -> App {
        let dir = std::env::temp_dir().join(format!("sample-app-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut args = args.to_vec();
        args.extend(["--addr", "127.0.0.1:0"]);
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "sample_application_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, args.join(" "))
            .env("MMSTATS_PATH", &dir)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let rest = line.split("listening on http://").nth(1)?;
                rest.split(' ').next()?.parse().ok()
            })
            .expect("a listening line");
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        App { child, addr }
    }

    /// Peak resident memory of the process so far (VmHWM), in bytes.
    fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kib * 1024
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the server did with `bytes` within 5 s: its status, or 0 if it closed without one.
/// Panics if it did neither.
fn send(addr: SocketAddr, bytes: &[u8]) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let mut head = [0u8; 16];
    let mut got = 0;
    loop {
        match stream.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => {
                got += n;
                if got >= 12 {
                    break;
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                panic!(
                    "neither answered nor closed within 5 s: {:?}",
                    String::from_utf8_lossy(&head[..got])
                )
            }
            Err(_) => break, // reset: closed
        }
    }
    let text = String::from_utf8_lossy(&head[..got]);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A normal request is answered, and within 1 s.
fn still_serving(addr: SocketAddr, after: &str) {
    let started = Instant::now();
    let status = send(
        addr,
        b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 200, "after {after}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "after {after}: {:?}",
        started.elapsed()
    );
}

#[test]
fn hostile_clients_get_a_status_or_a_close_and_the_app_keeps_serving() {
    let app = App::start(&[]);
    let many: String = (0..10_000).map(|i| format!("X-{i}: y\r\n")).collect();
    let cases: Vec<(&str, Vec<u8>, &[u16])> = vec![
        (
            "a 1 MiB header line",
            format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(1 << 20)).into_bytes(),
            &[431],
        ),
        (
            "10,000 headers",
            format!("GET / HTTP/1.1\r\n{many}\r\n").into_bytes(),
            &[431],
        ),
        (
            "invalid UTF-8 in the path",
            b"GET /\xff\xfe HTTP/1.1\r\n\r\n".to_vec(),
            &[400],
        ),
        (
            "invalid UTF-8 in a header name",
            b"GET / HTTP/1.1\r\nX-\xff: y\r\nConnection: close\r\n\r\n".to_vec(),
            &[400],
        ),
        (
            "invalid UTF-8 in a header value",
            b"GET / HTTP/1.1\r\nX-Name: \xff\xfe\r\nConnection: close\r\n\r\n".to_vec(),
            &[200, 400],
        ),
        (
            "invalid UTF-8 in X-Forwarded-For, on the monitor's page",
            b"GET /mutornadomon HTTP/1.1\r\nX-Forwarded-For: \xff\xfe\r\nConnection: close\r\n\r\n"
                .to_vec(),
            &[403],
        ),
        ("4 KiB without a line end", vec![b'a'; 4096], &[408]),
        (
            "a 100 KB target",
            format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(100_000)).into_bytes(),
            &[414],
        ),
    ];
    for (what, bytes, statuses) in &cases {
        let status = send(app.addr, bytes);
        assert!(
            statuses.contains(&status),
            "{what}: status {status}, wanted one of {statuses:?}"
        );
        still_serving(app.addr, what);
    }
}

#[test]
fn a_head_streamed_without_end_costs_less_than_16_mib() {
    let app = App::start(&[]);
    still_serving(app.addr, "start");
    let before = app.peak_rss();
    let mut stream = TcpStream::connect(app.addr).unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nX-Endless: ").unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0usize;
    // Up to 300 MB, as the client that took tiny-http to 310 MB did; the server answers 431
    // and closes after 8 KiB, so a write fails long before.
    while sent < 300 << 20 {
        match stream.write(&chunk) {
            Ok(n) => sent += n,
            Err(_) => break,
        }
    }
    drop(stream);
    still_serving(app.addr, "the endless head");
    let grown = app.peak_rss().saturating_sub(before);
    assert!(
        sent < 300 << 20,
        "the server never stopped reading ({sent} bytes taken)"
    );
    assert!(grown < 16 << 20, "peak RSS grew by {grown} bytes");
}
