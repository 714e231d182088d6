//! The smol endpoint over real loopback sockets: pages, the access table, statuses, keep-alive
//! and pipelining, and hostile clients (oversize heads, slowloris, idle crowds, a full house).

use mutornadomon_test_support as support;

use mutornadomon_smol::{AsyncMonitor, EndpointServer, Limits, Monitor, Response};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use support::{get, keep_alive, raw, request, slowloris, status_of, Slowloris};

/// How a test runs the endpoint's server.
#[derive(Debug, Clone, Copy)]
enum Serving {
    /// `run_with`: each connection a task of the test's executor.
    Spawned,
    /// `run`: connections inside the server's own future.
    Nested,
}

/// Both ways, for the tests of how connections live and end.
const BOTH: [Serving; 2] = [Serving::Spawned, Serving::Nested];

/// A monitor with its tasks and endpoint running on an executor thread. `/` answers "HELO".
struct Running {
    monitor: Option<AsyncMonitor>,
    addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    fn start(limits: Limits) -> Running {
        Running::start_with(limits, Serving::Spawned)
    }

    fn start_with(limits: Limits, serving: Serving) -> Running {
        let (monitor, tasks) = AsyncMonitor::start(Monitor::builder().in_memory()).unwrap();
        let endpoint = monitor
            .endpoint()
            .limits(limits)
            .fallback(|request| match request.path() {
                "/" => Response::text(200, "HELO\n"),
                "/big" => Response::new(200, "application/octet-stream", big_body()),
                _ => Response::text(404, "not found\n"),
            });
        let server = EndpointServer::bind(endpoint, "127.0.0.1:0").unwrap();
        let addr = server.local_addr();
        let thread = std::thread::spawn(move || {
            let ex = smol::Executor::new();
            let tasks = ex.spawn(tasks);
            smol::block_on(ex.run(async {
                match serving {
                    Serving::Spawned => server.run_with(|c| ex.spawn(c).detach()).await,
                    Serving::Nested => server.run().await,
                }
                tasks.await;
            }));
        });
        Running {
            monitor: Some(monitor),
            addr,
            thread: Some(thread),
        }
    }

    fn monitor(&self) -> &AsyncMonitor {
        self.monitor.as_ref().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        drop(self.monitor.take());
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

/// 16 MiB of a pattern no shift of it repeats within: more than loopback's socket buffers
/// (which grow to about 4 MiB) take at once, so the server's vectored writes end part way
/// and go on (checked: a mistake in carrying on from a partial write fails this test).
fn big_body() -> Vec<u8> {
    (0..16u32 << 20).map(|i| (i % 251) as u8).collect()
}

#[test]
fn a_body_larger_than_the_socket_buffers_arrives_whole_to_a_slow_reader() {
    for serving in BOTH {
        eprintln!("serving: {serving:?}");
        let running = Running::start_with(Limits::default(), serving);
        let mut stream = TcpStream::connect(running.addr).unwrap();
        stream
            .write_all(b"GET /big HTTP/1.1\r\nHost: localhost\r\n\r\nGET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        // Let the server fill the socket's buffers before anything is read.
        std::thread::sleep(Duration::from_millis(200));
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let expected = big_body();
        let head = support::read_head(&mut stream).expect("a whole head");
        assert!(head.starts_with("HTTP/1.1 200 OK\r\nDate: "), "{head}");
        assert!(
            head.ends_with(&format!(
                "\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
                expected.len()
            )),
            "{head}"
        );
        let mut got = vec![0u8; expected.len()];
        stream.read_exact(&mut got).unwrap();
        assert!(got == expected, "the body arrived changed");
        // The pipelined request after it is answered on the same connection.
        let mut next = [0u8; 17];
        stream.read_exact(&mut next).unwrap();
        assert_eq!(&next, b"HTTP/1.1 200 OK\r\n");
    }
}

#[test]
fn a_client_that_stops_reading_is_dropped_after_the_write_timeout() {
    let mut limits = Limits::default();
    limits.write_timeout = Duration::from_millis(300);
    for serving in BOTH {
        eprintln!("serving: {serving:?}");
        let running = Running::start_with(limits, serving);
        let mut stuck = TcpStream::connect(running.addr).unwrap();
        stuck
            .write_all(b"GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        // Nothing is read: the server's writes stall once the socket buffers are full. Ten
        // write timeouts of stall: at 1 s (three) a loaded machine once let the server's
        // timer run late enough that the client's reads resumed the writes first.
        std::thread::sleep(Duration::from_millis(3000));
        assert_eq!(get(running.addr, "/").status, 200, "others are answered");
        // The server gave up: reading now ends well short of the 16 MiB body.
        stuck
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut received = 0;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            match stuck.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => received += n,
            }
        }
        assert!(
            received < big_body().len(),
            "{received} bytes: the whole body was sent"
        );
    }
}

#[test]
fn serves_json_and_metrics_pages() {
    let running = Running::start(Limits::default());
    running.monitor().count("jobs", 3).unwrap();
    let reply = get(running.addr, "/mutornadomon");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let json = reply.json();
    assert_eq!(json["counters"]["jobs"], 3);
    assert!(json["process"]["meminfo"]["rss_bytes"].as_u64().unwrap() > 0);
    let metrics = get(running.addr, "/metrics");
    assert_eq!(metrics.status, 200);
    assert!(metrics.body.contains("jobs_total 3"), "{}", metrics.body);
    assert!(metrics
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let open = request(
        running.addr,
        "GET",
        "/metrics",
        &[("Accept", "application/openmetrics-text; version=1.0.0")],
    );
    assert!(open
        .header("content-type")
        .unwrap()
        .starts_with("application/openmetrics-text"));
    assert!(open.body.ends_with("# EOF\n"));
    assert_eq!(get(running.addr, "/").body, "HELO\n");
}

#[test]
fn statuses_for_methods_paths_and_forwarding() {
    let running = Running::start(Limits::default());
    let addr = running.addr;
    assert_eq!(get(addr, "/nope").status, 404);
    let post = request(addr, "POST", "/metrics", &[("Content-Length", "0")]);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    assert_eq!(request(addr, "OPTIONS", "/mutornadomon", &[]).status, 405);
    let head = request(addr, "HEAD", "/mutornadomon", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert!(
        head.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap()
            > 10
    );
    for (name, value, status) in [
        ("X-Forwarded-For", "8.8.8.8", 403),
        ("X-Forwarded-For", "127.0.0.2", 200),
        ("X-Forwarded-For", "127.0.0.1, 10.0.0.1", 403),
        ("X-Forwarded-For", "not an address", 403),
        ("X-Forwarded-For", "", 403),
        ("Forwarded", "for=127.0.0.1", 200),
        ("Forwarded", "for=\"[::1]:80\"", 200),
        ("Forwarded", "for=8.8.8.8;proto=http", 403),
        ("Forwarded", "for=unknown", 403),
        ("Forwarded", "garbage;;;", 403),
    ] {
        let reply = request(addr, "GET", "/mutornadomon", &[(name, value)]);
        assert_eq!(reply.status, status, "{name}: {value}");
    }
    // Absolute-form targets are served by their path.
    assert_eq!(
        raw(
            addr,
            b"GET http://localhost/metrics HTTP/1.1\r\nConnection: close\r\n\r\n"
        )
        .lines()
        .next(),
        Some("HTTP/1.1 200 OK")
    );
}

#[test]
fn filters_and_host_allowlist_apply() {
    let (monitor, _tasks) = AsyncMonitor::start(Monitor::builder().in_memory()).unwrap();
    let endpoint = monitor.endpoint().allow_hosts(["localhost"]);
    let with_host = |host: &'static [u8]| {
        let headers = [("Host", host)];
        let request = mutornadomon_smol::Request::new(
            "GET",
            "/metrics",
            Some("127.0.0.1".parse().unwrap()),
            &headers,
        );
        endpoint.respond(&request).unwrap().status()
    };
    assert_eq!(with_host(b"localhost:9000"), 200);
    assert_eq!(with_host(b"evil.example"), 403);
    let open = monitor.endpoint().filter(|_| true);
    let remote =
        mutornadomon_smol::Request::new("GET", "/metrics", Some("8.8.8.8".parse().unwrap()), &[]);
    assert_eq!(open.respond(&remote).unwrap().status(), 200);
}

#[test]
fn keep_alive_and_pipelined_requests_share_a_connection() {
    for serving in BOTH {
        eprintln!("serving: {serving:?}");
        let running = Running::start_with(Limits::default(), serving);
        let out = raw(
            running.addr,
            b"GET / HTTP/1.1\r\n\r\nGET /mutornadomon HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\nConnection: close\r\n\r\n",
        );
        let statuses: Vec<&str> = out.matches("HTTP/1.1 ").map(|_| "").collect();
        assert_eq!(statuses.len(), 3, "{out}");
        assert!(out.starts_with("HTTP/1.1 200 OK"));
        assert!(out.contains("HTTP/1.1 404 Not Found"));
        assert!(out.contains("\"counters\""));
    }
}

/// Far more pipelined requests than one read's buffer holds, sent at once: a read that fills
/// its room makes the next one be tried at once again, and a read that waits first finds the
/// bytes already there; either way every request is answered, in order.
#[test]
fn a_pipelined_burst_larger_than_the_read_buffer_is_answered_in_full() {
    let n = 3_000;
    let mut burst = b"GET / HTTP/1.1\r\n\r\n".repeat(n - 1);
    burst.extend_from_slice(b"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert!(burst.len() > 4 * Limits::default().max_head_bytes);
    for serving in BOTH {
        eprintln!("serving: {serving:?}");
        let running = Running::start_with(Limits::default(), serving);
        let mut stream = TcpStream::connect(running.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        // Written from another thread: the answers must be read while the burst goes out.
        let (mut writer, burst) = (stream.try_clone().unwrap(), burst.clone());
        let sending = std::thread::spawn(move || writer.write_all(&burst));
        let mut out = String::new();
        stream.read_to_string(&mut out).unwrap();
        sending.join().unwrap().unwrap();
        assert_eq!(out.matches("HTTP/1.1 200 OK").count(), n - 1);
        assert_eq!(out.matches("HELO\n").count(), n - 1);
        assert!(
            out.trim_end().ends_with("not found"),
            "the last answer is last"
        );
    }
}

#[test]
fn hostile_heads_get_400_414_and_431() {
    let running = Running::start(Limits::default());
    let addr = running.addr;
    assert_eq!(status_of(&raw(addr, b"\x16\x03\x01garbage\r\n\r\n")), 400);
    assert_eq!(
        status_of(&raw(addr, b"GET /\xff\xfe HTTP/1.1\r\n\r\n")),
        400
    );
    let huge_header = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(1 << 20));
    assert_eq!(status_of(&raw(addr, huge_header.as_bytes())), 431);
    let many: String = (0..10_000).map(|i| format!("X-{i}: y\r\n")).collect();
    assert_eq!(
        status_of(&raw(
            addr,
            format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()
        )),
        431
    );
    let long_uri = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(4000));
    assert_eq!(status_of(&raw(addr, long_uri.as_bytes())), 414);
    let body = raw(addr, b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!(
        status_of(&body),
        200,
        "fallback answers; the body is not read"
    );
    assert!(body.contains("Connection: close"));
    // Still serving.
    assert_eq!(get(addr, "/mutornadomon").status, 200);
}

#[test]
fn a_slowloris_client_is_dropped_while_others_are_answered() {
    for serving in BOTH {
        eprintln!("serving: {serving:?}");
        let running = Running::start_with(
            Limits::default().head_timeout(Duration::from_millis(1500)),
            serving,
        );
        let addr = running.addr;
        let slow = slowloris(addr);
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        assert_eq!(get(addr, "/mutornadomon").status, 200);
        // Correctness bound, not a benchmark: the slow client must not hold the server up.
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
        let Slowloris {
            elapsed,
            sent,
            answer: out,
        } = slow.join().unwrap();
        assert_eq!(status_of(&out), 408, "{out}");
        assert!(
            sent < 30,
            "dropped after the 1.5 s head timeout, sent {sent} bytes"
        );
        assert!(elapsed < Duration::from_secs(5));
    }
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let idle = Duration::from_millis(400);
    for serving in BOTH {
        eprintln!("serving: {serving:?}");
        let running = Running::start_with(Limits::default().idle_timeout(idle), serving);
        // Requests 200 ms apart keep the connection open: each answer starts the idle time again.
        let kept = keep_alive(running.addr, 5, Duration::from_millis(200));
        assert_eq!(kept.answered, 5);
        let closed = kept.closed_after.expect("closed once idle");
        // Correctness bounds, not a benchmark: not before the idle timeout, and not much after.
        assert!(
            closed >= Duration::from_millis(350) && closed < Duration::from_secs(3),
            "{closed:?}"
        );
    }
}

#[test]
fn hundreds_of_idle_connections_do_not_stop_the_endpoint() {
    for serving in BOTH {
        eprintln!("serving: {serving:?}");
        let running = Running::start_with(Limits::default(), serving);
        let idle: Vec<TcpStream> = (0..500)
            .map(|_| TcpStream::connect(running.addr).unwrap())
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        let started = Instant::now();
        for _ in 0..5 {
            assert_eq!(get(running.addr, "/mutornadomon").status, 200);
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        drop(idle);
    }
}

#[test]
fn connections_over_the_cap_get_503() {
    for serving in BOTH {
        eprintln!("serving: {serving:?}");
        let running = Running::start_with(Limits::default().max_connections(4), serving);
        let idle: Vec<TcpStream> = (0..4)
            .map(|_| TcpStream::connect(running.addr).unwrap())
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        let reply = get(running.addr, "/mutornadomon");
        assert_eq!(reply.status, 503);
        drop(idle);
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(get(running.addr, "/mutornadomon").status, 200);
    }
}

#[test]
fn stop_ends_the_server_and_its_connections() {
    for serving in BOTH {
        eprintln!("serving: {serving:?}");
        let mut running = Running::start_with(Limits::default(), serving);
        let idle = TcpStream::connect(running.addr).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let started = Instant::now();
        drop(running.monitor.take());
        running.thread.take().unwrap().join().unwrap();
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
        let mut idle = idle;
        idle.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(
            idle.read(&mut buf).unwrap_or(0),
            0,
            "connection closed by the stop"
        );
        assert!(TcpStream::connect(running.addr).is_err(), "listener closed");
    }
}

#[test]
fn connections_on_the_callers_executor_end_with_the_server() {
    // With `run_with` the connections are tasks of the caller's executor, which goes on
    // running: they must end when the server's future is dropped or the monitor stops.
    for drop_server in [true, false] {
        eprintln!("drop the server's future: {drop_server}");
        let (monitor, _tasks) = AsyncMonitor::start(Monitor::builder().in_memory()).unwrap();
        let server = EndpointServer::bind(monitor.endpoint(), "127.0.0.1:0").unwrap();
        let addr = server.local_addr();
        let (end_server, server_ended) = async_channel::bounded::<()>(1);
        let (finish, finished) = async_channel::bounded::<()>(1);
        let thread = std::thread::spawn(move || {
            let ex = smol::Executor::new();
            smol::block_on(ex.run(async {
                let serve = server.run_with(|c| ex.spawn(c).detach());
                let dropped = async {
                    let _ = server_ended.recv().await;
                };
                futures_lite::future::or(serve, dropped).await;
                // The executor, and any connection task still on it, runs on.
                let _ = finished.recv().await;
            }));
        });
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream
            .write_all(b"GET /mutornadomon HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        assert!(support::read_one_answer(&mut stream).is_some(), "served");
        if drop_server {
            drop(end_server);
        } else {
            monitor.stop();
        }
        let mut buf = [0u8; 16];
        assert_eq!(stream.read(&mut buf).unwrap(), 0, "connection closed");
        assert!(TcpStream::connect(addr).is_err(), "listener closed");
        drop(finish);
        thread.join().unwrap();
    }
}

#[test]
#[ignore = "needs promtool"]
fn metrics_page_passes_promtool() {
    let running = Running::start(Limits::default());
    let timing = running.monitor().task_timing().unwrap();
    timing.record_poll(Duration::from_micros(10));
    running.monitor().kv("queue_depth", 3.0).unwrap();
    let reply = get(running.addr, "/metrics");
    support::promtool_check(&reply.body);
}
