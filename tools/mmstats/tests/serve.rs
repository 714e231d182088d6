//! `mmstats serve` over loopback: the JSON API's aggregators and glob refusal, `/metrics` for
//! every writer, and the page in headless Chromium (ignored unless installed).

use mutornadomon_test_support as support;

use mutornadomon_core::Meta;
use mutornadomon_std::Monitor;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use support::get;

struct Server(Child, SocketAddr);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path) -> Server {
    serve_with(dir, &[])
}

fn serve_with(dir: &Path, args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mmstats"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let line = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let addr = line.rsplit("http://").next().unwrap().parse().unwrap();
    Server(child, addr)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mmstats-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Three writers: `work` = 0, 4 and 8; `level` = 1.0, 2.0 and 6.0.
fn writers(dir: &Path) -> Vec<Monitor> {
    [("alpha", 0, 1.0), ("beta", 4, 2.0), ("gamma", 8, 6.0)]
        .into_iter()
        .map(|(name, work, level)| {
            let m = Monitor::builder()
                .stats_dir(dir)
                .program_name(name)
                .start()
                .unwrap();
            m.counter("work", Meta::new().help("Work done"))
                .unwrap()
                .inc_by(work);
            m.gauge("level", Meta::new()).unwrap().set(level);
            m
        })
        .collect()
}

#[test]
fn api_aggregates_and_refuses_escaping_globs() {
    let dir = temp_dir("api");
    let _writers = writers(&dir);
    let server = serve(&dir);
    let value =
        |query: &str| get(server.1, &format!("/api/values?{query}")).json()["value"].clone();
    let cases: &[(&str, serde_json::Value)] = &[
        ("label=work", 12.0.into()),
        ("label=work&agg=sum", 12.0.into()),
        ("label=work&agg=avg", 4.0.into()),
        ("label=work&agg=min", 0.0.into()),
        ("label=work&agg=max", 8.0.into()),
        ("label=work&agg=one", 0.0.into()), // the first file by name: alpha
        ("label=work&agg=nonzero-min", 4.0.into()),
        ("label=work&agg=nonzero-avg", 6.0.into()),
        ("label=level&agg=avg", 3.0.into()),
        ("label=work&glob=mutornadomon-beta-*", 4.0.into()),
    ];
    for (query, want) in cases {
        assert_eq!(&value(query), want, "{query}");
    }
    let files = get(server.1, "/api/files").json();
    assert_eq!(files["files"].as_array().unwrap().len(), 3);
    assert!(files["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["liveness"] == "alive"));
    let labels = get(server.1, "/api/labels").json();
    assert!(labels["labels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l == "work"));
    // Every value says its unit (the writers' built-in latency gauge is in seconds, its
    // histogram in nanoseconds; `work` has none).
    assert_eq!(labels["units"]["ioloop_excess_callback_latency"], "seconds");
    let latency = get(
        server.1,
        "/api/values?label=ioloop_excess_callback_latency&agg=max",
    )
    .json();
    assert_eq!(latency["unit"], "seconds");
    assert!(get(server.1, "/api/values?label=work").json()["unit"].is_null());
    for bad in [
        "../*",
        "..%2F..%2Fetc%2Fpasswd",
        "%2Fetc%2Fpasswd",
        "a/b",
        "%5Babc",
    ] {
        assert_eq!(
            get(server.1, &format!("/api/files?glob={bad}")).status,
            400,
            "{bad}"
        );
    }
    assert_eq!(
        get(server.1, "/api/values?label=work&agg=median").status,
        400
    );
    assert_eq!(
        get(server.1, "/api/values").status,
        400,
        "label is required"
    );
    assert_eq!(get(server.1, "/nowhere").status, 404);
    let page = get(server.1, "/");
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
            && page.body.contains("polyline")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn metrics_label_every_writer() {
    let dir = temp_dir("metrics");
    let writers = writers(&dir);
    let server = serve(&dir);
    let text = get(server.1, "/metrics").body;
    assert_eq!(
        text.matches("# TYPE work_total counter").count(),
        1,
        "one TYPE per family:\n{text}"
    );
    for (m, (name, work)) in writers
        .iter()
        .zip([("alpha", 0), ("beta", 4), ("gamma", 8)])
    {
        let pid = m.snapshot().stats().unwrap().header().pid;
        assert!(
            text.contains(&format!(
                "work_total{{pid=\"{pid}\",program=\"{name}\"}} {work}\n"
            )),
            "{text}"
        );
        // Each running writer's process, labelled the same way.
        let rss = text
            .lines()
            .find_map(|l| {
                l.strip_prefix(&format!(
                    "process_resident_memory_bytes{{pid=\"{pid}\",program=\"{name}\"}} "
                ))
            })
            .unwrap_or_else(|| panic!("process stats of {name}:\n{text}"));
        assert!(rss.parse::<f64>().unwrap() > 1e6, "{rss}");
    }
    assert_eq!(text.matches("# TYPE process_threads gauge").count(), 1);
    assert_eq!(text.matches("\nprocess_cpu_seconds_total{").count(), 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "needs promtool (apt-get install -y --no-install-recommends prometheus)"]
fn promtool_accepts_metrics_of_every_writer() {
    let dir = temp_dir("promtool");
    let _writers = writers(&dir);
    let server = serve(&dir);
    support::promtool_check(&get(server.1, "/metrics").body);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "needs chromium and node (apt-get install -y chromium; npm install --prefix .ci/page-check)"]
fn the_page_draws_live_graphs_in_chromium() {
    let dir = temp_dir("chromium");
    let writers = writers(&dir);
    ghost_writer(&dir);
    let server = serve(&dir);
    let jobs = writers[1].counter("jobs", Meta::new()).unwrap();
    let latency = writers[2]
        .histogram("job_time", Meta::new().unit("nanoseconds"))
        .unwrap();
    // A labelled family: one chart, a line per series.
    let requests = writers[0]
        .counter_family("requests", Meta::new(), &["status"], 8)
        .unwrap();
    let ok = requests.series(&["200"]).unwrap();
    requests.series(&["500"]).unwrap().inc();
    let bumping = std::sync::atomic::AtomicBool::new(true);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut i = 0u64;
            while bumping.load(std::sync::atomic::Ordering::Relaxed) {
                jobs.inc(); // the lines move
                ok.inc();
                latency.record(1_000_000 + (i % 10) * 100_000);
                i += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        check_page(server.1, &dir.join("page.png"));
        bumping.store(false, std::sync::atomic::Ordering::Relaxed);
    });
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A stats file left by a writer that is gone (no such pid, no heartbeat): shown as stopped.
fn ghost_writer(dir: &Path) {
    let storage = mutornadomon_core::Storage::<2048>::new();
    let region = storage.region();
    region.set_pid(999_999_999);
    region.info("sys.program", Meta::new(), "ghost").unwrap();
    region.counter("work", Meta::new()).unwrap().inc_by(100);
    let mut image = vec![0u8; region.snapshot_len()];
    let n = region.snapshot(&mut image).unwrap();
    std::fs::write(dir.join("mutornadomon-ghost-999999999.stats"), &image[..n]).unwrap();
}

fn check_page(addr: SocketAddr, shot: &Path) {
    // playwright-core drives Debian's Chromium and waits in real time until a chart holds four
    // points, hovers over one, then reads what the page drew and the JSON API's snapshot.
    // (Chromium's --dump-dom with --virtual-time-budget hung 2 runs in 5: virtual time stops
    // while a fetch is pending, and this page keeps fetching.)
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.ci/page-check/check.mjs"
    );
    let out = Command::new("node")
        .arg(script)
        .arg(format!("http://{addr}/"))
        .arg(shot)
        .arg("job_time")
        .output()
        .expect("node");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "page check failed: {said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page: serde_json::Value = serde_json::from_str(said.trim()).unwrap();
    assert_eq!(
        page["errors"],
        serde_json::json!([]),
        "console errors: {page}"
    );
    assert!(
        page["status"]
            .as_str()
            .unwrap()
            .starts_with("4 writer(s) (3 running)"),
        "{}",
        page["status"]
    );
    let graph = |label: &str| -> serde_json::Value {
        page["graphs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["label"] == label)
            .unwrap_or_else(|| panic!("no chart for {label}: {page}"))
            .clone()
    };
    // A labelled family is one chart with a line per series (one writer has it: the lines
    // are named by their labels), counters as rates.
    let requests = graph("requests");
    let lines: Vec<&String> = requests["last"].as_object().unwrap().keys().collect();
    assert_eq!(
        lines,
        [
            r#"{otel_metric_overflow="true"}"#,
            r#"{status="200"}"#,
            r#"{status="500"}"#
        ],
        "{requests}"
    );
    assert!(
        requests["last"][r#"{status="200"}"#]["total"]
            .as_u64()
            .unwrap()
            >= 1
    );
    // Axes: every chart has value labels and time labels.
    let clock = |t: &str| t.len() == 8 && t.as_bytes()[2] == b':' && t.as_bytes()[5] == b':';
    for g in page["graphs"].as_array().unwrap() {
        let axis: Vec<&str> = g["axis"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(
            axis.iter().filter(|t| clock(t)).count() >= 2,
            "time axis: {g}"
        );
        assert!(axis.iter().any(|t| !clock(t)), "value axis: {g}");
    }
    // Units from each metric's metadata: the latency gauge's axis reads in (milli/micro)seconds,
    // counters as rates.
    let lag = graph("ioloop_excess_callback_latency");
    assert_eq!(lag["unit"], "seconds");
    assert!(
        lag["axis"].as_array().unwrap().iter().any(|t| {
            let t = t.as_str().unwrap();
            t.ends_with(" s") || t.ends_with(" ms") || t.ends_with(" µs") || t.ends_with(" ns")
        }),
        "{lag}"
    );
    let jobs = graph("jobs");
    assert_eq!(jobs["kind"], "counter");
    assert!(
        jobs["axis"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t.as_str().unwrap().ends_with("/s")),
        "{jobs}"
    );
    // The numbers drawn equal the API's: counters summed over writers (work: 0 + 4 + 8 + the
    // stopped writer's 100), gauges per writer (level), histograms per writer in their unit.
    let api_total = |name: &str| -> u64 {
        page["api"]["writers"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|w| w["metrics"].as_array().unwrap())
            .filter(|m| m["name"] == name)
            .map(|m| m["total"].as_u64().unwrap())
            .sum()
    };
    let work = graph("work");
    let (_, drawn) = work["last"].as_object().unwrap().iter().next().unwrap();
    assert_eq!(drawn["total"].as_u64(), Some(api_total("work")), "{work}");
    assert_eq!(api_total("work"), 112);
    assert!(
        (drawn["rate"].as_f64().unwrap()).abs() < 1e-9,
        "a still counter's rate is 0: {work}"
    );
    let level = graph("level");
    let mut drawn: Vec<f64> = level["last"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v["value"].as_f64().unwrap())
        .collect();
    drawn.sort_by(f64::total_cmp);
    assert_eq!(drawn, [1.0, 2.0, 6.0], "{level}");
    let job_time = graph("job_time");
    assert_eq!(job_time["kind"], "histogram");
    let (_, drawn) = job_time["last"].as_object().unwrap().iter().next().unwrap();
    let api_job_time = page["api"]["writers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["metrics"].as_array().unwrap())
        .find(|m| m["name"] == "job_time")
        .unwrap()
        .clone();
    let p50 = drawn["p50"].as_f64().unwrap();
    assert!(
        (1_000_000.0..=2_100_000.0).contains(&p50),
        "p50 in nanoseconds: {job_time}"
    );
    assert!(
        api_job_time["p50"].as_f64().unwrap() >= p50 * 0.5,
        "{api_job_time}"
    );
    // A hover shows a time and values.
    let tip = job_time["tip"]
        .as_str()
        .unwrap_or_else(|| panic!("no hover tip: {job_time}"));
    assert!(clock(&tip[..8]) && tip.contains(" ms"), "{tip}");
    // Each writer's process stats; the stopped writer is shown as stopped.
    let rows = page["writers"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for row in rows {
        let cells: Vec<&str> = row["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        if cells[0] == "ghost" {
            assert_eq!(cells[2], "stopped", "{cells:?}");
            assert_eq!(
                cells[3], "–",
                "no process stats for a stopped writer: {cells:?}"
            );
        } else {
            assert_eq!(cells[2], "alive", "{cells:?}");
            assert!(
                cells[3].ends_with("MiB") || cells[3].ends_with("KiB"),
                "RSS: {cells:?}"
            );
            assert!(cells[5].parse::<u32>().unwrap() >= 1, "threads: {cells:?}");
            assert!(cells[6].parse::<u32>().unwrap() >= 1, "fds: {cells:?}");
            assert!(
                cells[7].ends_with(" s") || cells[7].ends_with(" min"),
                "uptime: {cells:?}"
            );
        }
    }
    // The lines are really drawn: count pixels of the first series' colour (#1f5fbf).
    let count = Command::new("python3")
        .arg("-c")
        .arg(PNG_COLOUR_COUNT)
        .arg(shot)
        .output()
        .unwrap();
    let blue: usize = String::from_utf8_lossy(&count.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(
        blue > 200,
        "the charts' lines are on screen ({blue} line-coloured pixels)"
    );
}

/// Counts pixels within a small distance of #1f5fbf in an 8-bit RGB/RGBA PNG.
const PNG_COLOUR_COUNT: &str = r#"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
pos, chunks = 8, {}
width = height = 0
idat = b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
    if kind == b"IHDR": width, height, depth, colour = struct.unpack(">IIBB", body[:10])
    if kind == b"IDAT": idat += body
channels = {2: 3, 6: 4}[colour]
raw = zlib.decompress(idat); stride = width * channels
rows, prev, i = [], bytearray(stride), 0
for _ in range(height):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - channels] if x >= channels else 0; b = prev[x]; c = prev[x - channels] if x >= channels else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
print(sum(1 for r in rows for x in range(0, stride, channels)
          if abs(r[x] - 0x1f) < 40 and abs(r[x + 1] - 0x5f) < 40 and abs(r[x + 2] - 0xbf) < 40))
"#;

/// Regression: serve answered any peer and any Host, so a page on any origin could read every
/// writer's metrics through a browser on this host (DNS rebinding). Now: loopback only (peer
/// and forwarded hops), Host allowlisted, `--allow` and `--allow-host` to open it.
#[test]
fn serve_is_loopback_only_checks_host_and_opens_to_allowed_networks() {
    let dir = temp_dir("guard");
    let _writers = writers(&dir);
    let server = serve(&dir);
    let status = |server: &Server, headers: &[(&str, &str)]| {
        support::request(server.1, "GET", "/api/files", headers).status
    };
    assert_eq!(status(&server, &[]), 200, "Host 127.0.0.1:port");
    assert_eq!(status(&server, &[("Host", "localhost:8099")]), 200);
    assert_eq!(status(&server, &[("Host", "[::1]:8099")]), 200);
    assert_eq!(
        status(&server, &[("Host", "evil.example")]),
        403,
        "DNS rebinding"
    );
    assert_eq!(status(&server, &[("X-Forwarded-For", "8.8.8.8")]), 403);
    assert_eq!(status(&server, &[("Forwarded", "for=garbage")]), 403);
    assert_eq!(
        support::request(server.1, "GET", "/metrics", &[("Host", "evil.example")]).status,
        403
    );
    let open = serve_with(
        &dir,
        &["--allow", "10.0.0.0/8", "--allow-host", "metrics.internal"],
    );
    let scraper = [
        ("Host", "metrics.internal:8099"),
        ("X-Forwarded-For", "10.1.2.3"),
    ];
    assert_eq!(status(&open, &scraper), 200);
    let outsider = [
        ("Host", "metrics.internal"),
        ("X-Forwarded-For", "192.0.2.1"),
    ];
    assert_eq!(status(&open, &outsider), 403);
    let bad = Command::new(env!("CARGO_BIN_EXE_mmstats"))
        .args(["serve", "--allow", "10.0.0.0/33"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("10.0.0.0/33"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// serve runs on the endpoints' bounded server: oversized and endless heads get their status,
/// not the process's memory, and the next request is answered.
#[test]
fn serve_bounds_what_clients_send() {
    let dir = temp_dir("bounded");
    let _writers = writers(&dir);
    let server = serve(&dir);
    let big = format!(
        "GET /api/files HTTP/1.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    assert_eq!(
        support::status_of(&support::raw(server.1, big.as_bytes())),
        431
    );
    let many: String = (0..10_000).map(|i| format!("X-{i}: y\r\n")).collect();
    let many = format!("GET /api/files HTTP/1.1\r\n{many}\r\n");
    assert_eq!(
        support::status_of(&support::raw(server.1, many.as_bytes())),
        431
    );
    let bad = b"GET /api/\xff HTTP/1.1\r\n\r\n";
    assert_eq!(support::status_of(&support::raw(server.1, bad)), 400);
    let post = b"POST /api/files HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    assert_eq!(support::status_of(&support::raw(server.1, post)), 405);
    assert_eq!(get(server.1, "/api/files").status, 200);
}

#[test]
fn an_unknown_label_is_404() {
    let dir = temp_dir("nosuch");
    let _writers = writers(&dir);
    let server = serve(&dir);
    let response = get(server.1, "/api/values?label=nosuch");
    assert_eq!(response.status, 404);
    assert_eq!(
        get(server.1, "/api/values?label=nosuch&agg=avg").status,
        404
    );
    assert!(response.body.contains("nosuch"), "{}", response.body);
    assert_eq!(get(server.1, "/api/values?label=work").status, 200);
}

/// Two writers with a labelled family: `requests{status,pid}` (a label called `pid`, which the
/// host page's own `pid` renames to `exported_pid`), limit 2, and a gauge family.
fn labelled_writers(dir: &Path) -> Vec<Monitor> {
    [("alpha", 3), ("beta", 5)]
        .into_iter()
        .map(|(name, n)| {
            let m = Monitor::builder()
                .stats_dir(dir)
                .program_name(name)
                .start()
                .unwrap();
            let requests = m
                .counter_family(
                    "requests",
                    Meta::new().help("Requests"),
                    &["status", "pid"],
                    2,
                )
                .unwrap();
            requests
                .series(&["200", "a \"quoted\" \\ pid"])
                .unwrap()
                .inc_by(n);
            requests.series(&["500", "x"]).unwrap().inc();
            requests.series(&["404", "x"]).unwrap().inc(); // past the limit: folded
            let depth = m.gauge_family("depth", Meta::new(), &["queue"], 4).unwrap();
            depth.series(&["mail"]).unwrap().set(n as f64);
            m
        })
        .collect()
}

#[test]
fn labelled_series_are_selected_and_aggregated() {
    let dir = temp_dir("labelled");
    let _writers = labelled_writers(&dir);
    let server = serve(&dir);
    let value = |query: &str| {
        let body = get(server.1, &format!("/api/values?{query}")).body;
        serde_json::from_str::<serde_json::Value>(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
            ["value"]
            .as_f64()
    };
    // The family: every series of every writer (3 + 5 + 1 + 1 + two folded 1s).
    assert_eq!(value("label=requests"), Some(12.0));
    assert_eq!(value("label=requests%7Bstatus%3D%22200%22%7D"), Some(8.0));
    assert_eq!(
        value("label=requests%7Bstatus%3D%22200%22%7D&agg=max"),
        Some(5.0)
    );
    let overflow = "label=requests%7Botel_metric_overflow%3D%22true%22%7D";
    assert_eq!(value(overflow), Some(2.0));
    assert_eq!(
        value("label=depth%7Bqueue%3D%22mail%22%7D&agg=avg"),
        Some(4.0)
    );
    let missing = get(
        server.1,
        "/api/values?label=requests%7Bstatus%3D%22999%22%7D",
    );
    assert_eq!(missing.status, 404);
    let malformed = get(server.1, "/api/values?label=requests%7Bstatus%3D200%7D");
    assert_eq!(malformed.status, 400);

    let labels: serde_json::Value =
        serde_json::from_str(&get(server.1, "/api/labels").body).unwrap();
    let labels: Vec<&str> = labels["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(labels.contains(&"requests"), "{labels:?}");
    assert!(
        labels.contains(&r#"requests{status="500",pid="x"}"#),
        "{labels:?}"
    );

    let snapshot: serde_json::Value =
        serde_json::from_str(&get(server.1, "/api/snapshot").body).unwrap();
    let metrics = snapshot["writers"][0]["metrics"].as_array().unwrap();
    let ok = metrics
        .iter()
        .find(|m| m["labels"]["status"] == "200")
        .expect("the 200 series");
    assert_eq!(ok["family"], "requests");

    let text = get(server.1, "/metrics").body;
    assert_eq!(
        text.matches("# TYPE requests_total counter").count(),
        1,
        "{text}"
    );
    assert!(
        text.contains(r#"requests_total{status="500",exported_pid="x",pid=""#),
        "{text}"
    );
    assert!(
        text.contains(r#"exported_pid="a \"quoted\" \\ pid""#),
        "{text}"
    );
    assert_eq!(
        text.matches("mutornadomon_series_folded_total{family=\"requests\",pid=")
            .count(),
        2,
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "needs promtool (apt-get install -y --no-install-recommends prometheus)"]
fn promtool_accepts_labelled_metrics_of_every_writer() {
    let dir = temp_dir("labelled-promtool");
    let _writers = labelled_writers(&dir);
    let server = serve(&dir);
    support::promtool_check(&get(server.1, "/metrics").body);
    std::fs::remove_dir_all(&dir).unwrap();
}
