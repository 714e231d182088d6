//! The HTTP endpoint over real loopback sockets: the original's test_basic, the access table,
//! status codes, formats, and promtool / a real Prometheus server (ignored unless installed).

use mutornadomon_test_support as support;

use mutornadomon_core::Meta;
use mutornadomon_http::{Endpoint, Handled};
use mutornadomon_std::Monitor;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{get, request};

/// The sample application's shape: `/` says HELO, the monitor's paths go to the endpoint, all
/// requests are counted. Returns its address; runs until `stop` is set.
fn app(monitor: &'static Monitor, stop: Arc<AtomicBool>) -> SocketAddr {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let addr = server.server_addr().to_ip().unwrap();
    std::thread::spawn(move || {
        let endpoint = Endpoint::new(monitor);
        let accounting = monitor.request_accounting().unwrap();
        while !stop.load(Ordering::Relaxed) {
            let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(20)) else {
                continue;
            };
            let timer = accounting.start_request(&request);
            let status = match endpoint.handle(request) {
                Handled::Answered(status) => status,
                Handled::NotOurs(request) => {
                    let ip = request.remote_addr().unwrap().ip();
                    request
                        .respond(tiny_http::Response::from_string(format!("HELO {ip}")))
                        .unwrap();
                    200
                }
            };
            timer.finish(status);
        }
    });
    addr
}

fn leaked_monitor() -> &'static Monitor {
    Box::leak(Box::new(Monitor::builder().in_memory().start().unwrap()))
}

#[test]
fn basic_like_the_original() {
    let monitor = leaked_monitor();
    let stop = Arc::new(AtomicBool::new(false));
    let addr = app(monitor, stop.clone());
    assert_eq!(get(addr, "/").body, "HELO 127.0.0.1");
    let reply = get(addr, "/mutornadomon");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let json = reply.json();
    assert_eq!(json["counters"]["requests"], 2);
    assert_eq!(json["counters"]["localhost_requests"], 2);
    assert_eq!(json["counters"]["private_requests"], 2);
    assert!(json["process"]["cpu"]["num_threads"].as_u64().unwrap() >= 3);
    assert!(json["process"]["meminfo"]["rss_bytes"].as_u64().unwrap() > 0);
    assert!(json["gauges"]["ioloop_excess_callback_latency"].is_number());
    let xff =
        |value: &str| request(addr, "GET", "/mutornadomon", &[("X-Forwarded-For", value)]).status;
    assert_eq!(xff("8.8.8.8"), 403);
    assert_eq!(xff("127.0.0.2"), 200);
    stop.store(true, Ordering::Relaxed);
}

#[test]
fn forwarding_headers_end_to_end() {
    let monitor = leaked_monitor();
    let server = Endpoint::new(monitor).serve("127.0.0.1:0").unwrap();
    let cases: &[(&str, &str, u16)] = &[
        ("X-Forwarded-For", "8.8.8.8", 403),
        ("X-Forwarded-For", "127.0.0.2", 200),
        ("X-Forwarded-For", "127.0.0.1, 8.8.8.8", 403),
        ("X-Forwarded-For", "garbage", 403),
        ("X-Forwarded-For", "::1", 200),
        ("X-Forwarded-For", "fc00::1", 403),
        ("X-Forwarded-For", "[::1]:8080, 127.0.0.1:1", 200),
        ("Forwarded", r#"for="[::1]:1234""#, 200),
        ("Forwarded", "for=127.0.0.1;proto=http, for=10.0.0.1", 403),
        ("Forwarded", "for=unknown", 403),
    ];
    for (name, value, want) in cases {
        let got = request(
            server.local_addr(),
            "GET",
            "/mutornadomon",
            &[(name, value)],
        )
        .status;
        assert_eq!(got, *want, "{name}: {value}");
    }
}

#[test]
fn statuses_and_formats() {
    let monitor = leaked_monitor();
    monitor
        .counter("jobs", Meta::new().help("Jobs done"))
        .unwrap()
        .inc_by(3);
    let server = Endpoint::new(monitor).serve("127.0.0.1:0").unwrap();
    let addr = server.local_addr();
    assert_eq!(get(addr, "/nowhere").status, 404);
    let post = request(addr, "POST", "/metrics", &[("Content-Length", "0")]);
    assert_eq!(
        (post.status, post.header("allow")),
        (405, Some("GET, HEAD"))
    );
    let text = get(addr, "/metrics");
    assert_eq!(
        text.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert!(
        text.body.contains("jobs_total 3\n")
            && text.body.contains("process_resident_memory_bytes ")
    );
    let om = request(
        addr,
        "GET",
        "/metrics",
        &[("Accept", "application/openmetrics-text; version=1.0.0")],
    );
    assert!(om
        .header("content-type")
        .unwrap()
        .starts_with("application/openmetrics-text"));
    assert!(om.body.ends_with("# EOF\n"));
    assert_eq!(
        get(addr, "/mutornadomon?pretty=1").status,
        200,
        "query strings are ignored"
    );
}

#[test]
fn custom_filter_and_host_allowlist() {
    let monitor = leaked_monitor();
    let refuse_all = Endpoint::new(monitor)
        .filter(|_| false)
        .serve("127.0.0.1:0")
        .unwrap();
    assert_eq!(get(refuse_all.local_addr(), "/metrics").status, 403);
    let allow_all = Endpoint::new(monitor)
        .filter(|_| true)
        .serve("127.0.0.1:0")
        .unwrap();
    let spoofed = request(
        allow_all.local_addr(),
        "GET",
        "/metrics",
        &[("X-Forwarded-For", "8.8.8.8")],
    );
    assert_eq!(
        spoofed.status, 200,
        "a custom filter replaces the default rule"
    );
    let hosts = Endpoint::new(monitor)
        .allow_hosts(["localhost"])
        .serve("127.0.0.1:0")
        .unwrap();
    // `request` sends Host: 127.0.0.1:port, which is not on the list.
    assert_eq!(get(hosts.local_addr(), "/metrics").status, 403);
    let ok = request(
        hosts.local_addr(),
        "GET",
        "/metrics",
        &[("Host", "LOCALHOST:8080")],
    );
    assert_eq!(
        ok.status, 200,
        "listed host, port ignored, case-insensitive"
    );
}

#[test]
fn min_max_since_last_read_is_an_option() {
    let monitor = leaked_monitor();
    let gauge = monitor.gauge("depth", Meta::new()).unwrap();
    gauge.set(9.0);
    gauge.set(1.0);
    let rolling = Endpoint::new(monitor)
        .min_max_since_last_read(true)
        .serve("127.0.0.1:0")
        .unwrap();
    assert_eq!(
        get(rolling.local_addr(), "/mutornadomon").json()["max_gauges"]["depth"],
        9.0
    );
    assert_eq!(
        get(rolling.local_addr(), "/mutornadomon").json()["max_gauges"]["depth"],
        1.0,
        "rolled by the first read"
    );
}

#[test]
#[ignore = "needs promtool (apt-get install -y --no-install-recommends prometheus)"]
fn promtool_accepts_metrics_endpoint() {
    let monitor = leaked_monitor();
    let stop = Arc::new(AtomicBool::new(false));
    let addr = app(monitor, stop.clone());
    get(addr, "/");
    std::thread::sleep(Duration::from_millis(250)); // a probe window or two
    support::promtool_check(&get(addr, "/metrics").body);
    stop.store(true, Ordering::Relaxed);
}

#[test]
#[ignore = "needs prometheus (apt-get install -y --no-install-recommends prometheus)"]
fn a_real_prometheus_scrapes_and_answers_a_query() {
    let monitor = leaked_monitor();
    monitor
        .counter("scraped_things", Meta::new().help("Things"))
        .unwrap()
        .inc_by(7);
    // A labelled family, one value hostile: the scraper stores what the page escaped.
    let by_status = monitor
        .counter_family("scraped_by_status", Meta::new(), &["status"], 8)
        .unwrap();
    by_status.series(&["200"]).unwrap().inc_by(3);
    by_status.series(&["a\"b\\c"]).unwrap().inc_by(2);
    let target = Endpoint::new(monitor).serve("127.0.0.1:0").unwrap();
    let dir = std::env::temp_dir().join(format!("mutornadomon-prom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['{}']\n",
            target.local_addr()
        ),
    )
    .unwrap();
    let web = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut prometheus = std::process::Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address={web}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("prometheus on PATH");
    let mut answer = String::new();
    for _ in 0..60 {
        std::thread::sleep(Duration::from_millis(500));
        if std::net::TcpStream::connect(web).is_err() {
            continue;
        }
        answer = get(web, "/api/v1/query?query=scraped_things_total").body;
        if answer.contains(r#""7"]"#) {
            break;
        }
    }
    // The hostile value, selected by an exact match: status="a\"b\\c", URL-encoded.
    let hostile = "scraped_by_status_total%7Bstatus%3D%22a%5C%22b%5C%5Cc%22%7D";
    let labelled = get(web, &format!("/api/v1/query?query={hostile}")).body;
    let total = get(web, "/api/v1/query?query=sum(scraped_by_status_total)").body;
    let _ = prometheus.kill();
    let _ = prometheus.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        answer.contains(r#""7"]"#),
        "prometheus never answered with the value: {answer}"
    );
    assert!(
        labelled.contains(r#""2"]"#),
        "the hostile series: {labelled}"
    );
    assert!(total.contains(r#""5"]"#), "the family's sum: {total}");
}

#[test]
fn a_recycled_body_buffer_holds_a_later_page_and_nothing_of_its_old_bytes() {
    use mutornadomon_http::Request;
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let jobs = monitor.counter("jobs", Meta::new()).unwrap();
    let endpoint = Endpoint::new(&monitor);
    let local = Some("127.0.0.1".parse().unwrap());
    let get_page = |path: &str| {
        let response = endpoint
            .respond(&Request::new("GET", path, local, &[]))
            .unwrap();
        assert_eq!(response.status(), 200);
        response.into_body()
    };
    // A written body handed back, with garbage past the page as a buffer that held a longer
    // page would have.
    let mut handed_back = get_page("/metrics");
    handed_back.resize(handed_back.len() + 4096, b'#');
    let recycled_at = handed_back.as_ptr();
    Endpoint::recycle(handed_back);
    jobs.inc_by(7);
    let _second = get_page("/metrics"); // rendered into the buffer kept after the first
    let third = get_page("/metrics"); // rendered into the recycled one
    assert_eq!(third.as_ptr(), recycled_at, "the recycled buffer was used");
    let text = String::from_utf8(third).unwrap();
    assert!(text.contains("jobs_total 7\n"), "{text}");
    assert!(
        !text.contains('#'.to_string().repeat(8).as_str()),
        "old bytes leaked"
    );
    // A JSON page after a Prometheus one, in a recycled buffer, is whole JSON.
    Endpoint::recycle(text.into_bytes());
    get_page("/mutornadomon");
    let json: serde_json::Value = serde_json::from_slice(&get_page("/mutornadomon")).unwrap();
    assert_eq!(json["counters"]["jobs"], 7);
}

/// Splits pipelined HTTP/1.1 responses by their `Content-Length`; `bodies[i]` says whether the
/// i-th has a body on the wire (not the answer to a HEAD). Returns each head and body.
fn split_responses(mut wire: &str, bodies: &[bool]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for &has_body in bodies {
        let (head, rest) = wire.split_once("\r\n\r\n").expect("a whole head");
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("Content-Length: "))
            .expect("Content-Length")
            .parse()
            .unwrap();
        let length = if has_body { length } else { 0 };
        out.push((head.to_owned(), rest[..length].to_owned()));
        wire = &rest[length..];
    }
    assert_eq!(wire, "", "bytes after the last response");
    out
}

/// `Endpoint::handle` writes its own answer on tiny-http's connection: pipelined requests
/// for both the monitor and the program are answered in order on one connection, HEAD gets
/// the length and no body, every answer carries a `Date`, and a request that asks to close
/// (or an HTTP/1.0 one) is answered with `Connection: close` and the connection then closes.
#[test]
fn inside_tiny_http_pipelined_answers_are_whole_and_in_order() {
    let monitor = leaked_monitor();
    let stop = Arc::new(AtomicBool::new(false));
    let addr = app(monitor, stop.clone());
    let started = std::time::Instant::now();
    let wire = support::raw(
        addr,
        b"GET /mutornadomon HTTP/1.1\r\nHost: localhost\r\n\r\n\
          HEAD /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n\
          GET / HTTP/1.1\r\nHost: localhost\r\n\r\n\
          POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n\
          GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    // The server closed after the last answer (raw() would wait out its 10 s otherwise).
    assert!(started.elapsed() < Duration::from_secs(5), "not closed");
    let answers = split_responses(&wire, &[true, false, true, true, true]);
    let status = |i: usize| support::status_of(&answers[i].0);
    assert_eq!(
        (0..5).map(status).collect::<Vec<_>>(),
        [200, 200, 200, 405, 200]
    );
    let json: serde_json::Value = serde_json::from_str(&answers[0].1).unwrap();
    assert!(json["counters"]["requests"].is_u64());
    assert!(answers[1]
        .0
        .contains("Content-Type: text/plain; version=0.0.4"));
    assert_eq!(answers[2].1, "HELO 127.0.0.1");
    assert!(answers[3].0.contains("\r\nAllow: GET, HEAD"));
    assert!(answers[4]
        .1
        .contains("# TYPE process_resident_memory_bytes gauge\n"));
    for (i, (head, _)) in answers.iter().enumerate() {
        let date = head
            .lines()
            .find_map(|line| line.strip_prefix("Date: "))
            .unwrap_or_else(|| panic!("answer {i} has no Date: {head}"));
        httpdate::parse_http_date(date).unwrap();
        let closes = head.contains("\r\nConnection: close");
        assert_eq!(closes, i == 4, "answer {i}: {head}");
    }
    // HTTP/1.0 without keep-alive: tiny-http closes after one answer, which says so.
    let started = std::time::Instant::now();
    let wire = support::raw(addr, b"GET /metrics HTTP/1.0\r\n\r\n");
    assert!(started.elapsed() < Duration::from_secs(5), "not closed");
    let answers = split_responses(&wire, &[true]);
    assert!(answers[0].0.contains("\r\nConnection: close"));
    assert!(answers[0].1.ends_with("\n"));
    stop.store(true, Ordering::Relaxed);
}

/// CIDR allowlists: the peer and every forwarded hop must be loopback or inside an allowed
/// network; anything unparseable refuses; IPv4-mapped IPv6 is matched as IPv4.
#[test]
fn network_allowlist_table() {
    use mutornadomon_http::Request;
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let endpoint = Endpoint::new(&monitor)
        .allow_networks(["10.0.0.0/8", "fd00::/8", "192.0.2.7", " 198.51.100.0/24 "])
        .unwrap();
    let status = |peer: &str, headers: &[(&str, &[u8])]| {
        let request = Request::new("GET", "/metrics", Some(peer.parse().unwrap()), headers);
        endpoint.respond(&request).unwrap().status()
    };
    let xff = |v: &'static str| [("X-Forwarded-For", v.as_bytes())];
    let fwd = |v: &'static str| [("Forwarded", v.as_bytes())];
    type Headers<'h> = &'h [(&'h str, &'h [u8])];
    let cases: &[(&str, Headers<'_>, u16)] = &[
        ("127.0.0.1", &[], 200),
        ("::1", &[], 200),
        ("10.200.3.4", &[], 200),
        ("fd12::1", &[], 200),
        ("192.0.2.7", &[], 200),
        ("192.0.2.8", &[], 403),
        ("198.51.100.99", &[], 200),
        ("::ffff:10.0.0.1", &[], 200),
        ("::ffff:8.8.8.8", &[], 403),
        ("8.8.8.8", &[], 403),
        ("fe80::1", &[], 403),
        ("11.0.0.1", &[], 403),
        ("10.0.0.1", &xff("10.0.0.2, 127.0.0.1"), 200),
        ("10.0.0.1", &xff("10.0.0.2, 8.8.8.8"), 403),
        ("127.0.0.1", &xff("8.8.8.8"), 403),
        ("10.0.0.1", &xff("not-an-address"), 403),
        ("10.0.0.1", &xff(""), 403),
        ("10.0.0.1", &fwd("for=10.9.9.9;proto=http"), 200),
        ("10.0.0.1", &fwd("for=\"[fd00::5]:80\""), 200),
        ("10.0.0.1", &fwd("for=192.0.2.1"), 403),
        ("10.0.0.1", &fwd("for=unknown"), 403),
    ];
    for (peer, headers, want) in cases {
        assert_eq!(status(peer, headers), *want, "{peer} {headers:?}");
    }
    // Unparseable entries are an error, named in it.
    for bad in ["10.0.0.0/33", "10.0.0", "fd00::/129", "example.com", ""] {
        let err = Endpoint::new(&monitor).allow_networks([bad]).unwrap_err();
        assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
    }
    // Without an allowlist the rule is loopback only, as before.
    let loopback_only = Endpoint::new(&monitor);
    let request = Request::new("GET", "/metrics", Some("10.0.0.1".parse().unwrap()), &[]);
    assert_eq!(loopback_only.respond(&request).unwrap().status(), 403);
}
