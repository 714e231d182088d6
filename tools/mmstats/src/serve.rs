//! `mmstats serve`: a web page with live graphs, a JSON API (mmash's), and `/metrics` for every
//! writer on the host.

use crate::{string, Usage};
use mmstats::host_page::HostPage;
use mmstats::reader::file_name_pattern;
use mmstats::reader::{discover, liveness, now_seconds, StatsFileCopy};
use mmstats::series::{series_name, Selector};
use mutornadomon_core::{Record, TextFormat, Value};
use mutornadomon_http::AccessRule;
use mutornadomon_http::{Limits, Request, Response};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;

const HELP: &str = "\
mmstats serve [--addr HOST:PORT] [--allow CIDR]... [--allow-host NAME]... [DIR]

Serves, for the stats files in DIR (default: the default directory):
  /                          a live page: every writer (state, process stats) and a chart per
                             metric or labelled family (a line per series; rates for
                             counters, min/max bands, p50/p90/p99)
  /api/files?glob=G          the writers: file, pid, program, liveness, age
  /api/snapshot?glob=G       every writer now: process stats and each metric's reading
  /api/labels?glob=G         every metric name and labelled series, and the units of those
                             that declare one
  /api/values?label=L&agg=A&glob=G
                             L across the files (with its unit), aggregated by A: sum (default), avg, min, max,
                             one, nonzero-min, nonzero-avg (counters and gauges by value,
                             histograms by count). L is a metric name (every series of a
                             labelled family) or a name with label matchers, which selects the
                             series that have those labels: requests{status=\"500\"}
  /metrics                   Prometheus text (or OpenMetrics by Accept) for every writer, each
                             sample labelled with its pid and program (and process_* series
                             of each running writer); metrics rendering alike
                             are one family, and one clashing with another writer's metric of
                             another kind is left out (mmstats_serve_series_left_out)

G is a file-name pattern (* and ?) inside DIR; it cannot name another directory.

Only loopback may read (the peer and every X-Forwarded-For / Forwarded hop; 403 otherwise),
and only with a Host of localhost, 127.0.0.1, [::1] or the name it listens on (403
otherwise: a web page elsewhere cannot read the metrics through a browser on this host).

  --addr HOST:PORT    where to listen (default 127.0.0.1:8099; loopback unless you say otherwise)
  --allow CIDR        also allow this network or address, e.g. a Prometheus subnet (repeatable)
  --allow-host NAME   also accept this Host name (repeatable)
  -h, --help          this help
";

const PAGE: &str = include_str!("page.html");

pub fn run(mut parser: lexopt::Parser) -> Result<u8, Usage> {
    use lexopt::Arg::{Long, Short, Value as Free};
    let (mut addr, mut dir) = ("127.0.0.1:8099".to_owned(), None);
    let (mut networks, mut hosts) = (Vec::new(), Vec::new());
    while let Some(arg) = parser.next()? {
        match arg {
            Long("addr") => addr = string(parser.value()?)?,
            Long("allow") => networks.push(string(parser.value()?)?),
            Long("allow-host") => hosts.push(string(parser.value()?)?),
            Long("help") | Short('h') => {
                print!("{HELP}");
                return Ok(0);
            }
            Free(v) if dir.is_none() => dir = Some(PathBuf::from(string(v)?)),
            other => return Err(Usage(other.unexpected().to_string(), HELP)),
        }
    }
    let dir = dir.unwrap_or_else(mutornadomon_std::stats_dir);
    let dir_shown = dir.display().to_string();
    hosts.extend(["localhost", "127.0.0.1", "::1"].map(String::from));
    if let Some((name, _)) = addr.rsplit_once(':') {
        hosts.push(
            name.trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
        );
    }
    let rule = match AccessRule::loopback_only().allow_networks(&networks) {
        Ok(rule) => rule.allow_hosts(hosts),
        Err(e) => return Err(Usage(format!("--allow: {e}"), HELP)),
    };
    let host_page = HostPage::default();
    let handler = move |request: &Request<'_>| {
        if rule.allows(request) {
            answer(request, &dir, &host_page)
        } else {
            text(403, "forbidden\n")
        }
    };
    let shown_dir = dir_shown.clone();
    let server = match mutornadomon_http::serve(addr.as_str(), Limits::default(), handler) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("mmstats serve: cannot listen on {addr}: {e}");
            return Ok(1);
        }
    };
    println!("serving {shown_dir} on http://{}", server.local_addr());
    // The server runs on its own threads until it is dropped: until the process is stopped.
    loop {
        std::thread::park();
    }
}

fn answer(request: &Request<'_>, dir: &std::path::Path, host_page: &HostPage) -> Response {
    let query: BTreeMap<String, String> = mutornadomon_http::query_pairs(request.query()).collect();
    if !matches!(request.method(), "GET" | "HEAD") {
        return text(405, "method not allowed\n").with_allow("GET, HEAD");
    }
    match route(request.path(), &query, dir, request, host_page) {
        Ok(response) => response,
        Err((status, message)) => text(status, &message),
    }
}

fn route(
    path: &str,
    query: &BTreeMap<String, String>,
    dir: &std::path::Path,
    request: &Request<'_>,
    host_page: &HostPage,
) -> Result<Response, (u16, String)> {
    match path {
        "/" => Ok(Response::new(200, "text/html; charset=utf-8", PAGE)),
        "/api/files" => Ok(json_reply(files_json(&read_files(dir, query)?))),
        "/api/snapshot" => Ok(json_reply(snapshot_json(&read_files(dir, query)?))),
        "/api/labels" => Ok(json_reply(labels_json(&read_files(dir, query)?))),
        "/api/values" => values_json(&read_files(dir, query)?, query).map(json_reply),
        "/metrics" => {
            let format = request
                .header("Accept")
                .map_or(TextFormat::Prometheus, TextFormat::from_accept);
            let page = host_page.render(&read_files(dir, query)?, format);
            Ok(Response::new(200, format.content_type(), page))
        }
        _ => Err((404, "not found\n".into())),
    }
}

/// The readable stats files in `dir` whose names match the `glob` parameter.
fn read_files(
    dir: &std::path::Path,
    query: &BTreeMap<String, String>,
) -> Result<Vec<StatsFileCopy>, (u16, String)> {
    let pattern = match query.get("glob").filter(|g| !g.is_empty()) {
        Some(glob) => Some(file_name_pattern(glob).map_err(|e| (400, format!("{e}\n")))?),
        None => None,
    };
    let paths =
        discover(dir).map_err(|e| (500, format!("cannot list {}: {e}\n", dir.display())))?;
    Ok(paths
        .into_iter()
        .filter(|p| {
            pattern.as_ref().is_none_or(|pat| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| pat.matches(n))
            })
        })
        .filter_map(|p| StatsFileCopy::read(&p).ok())
        .filter(|copy| copy.stats().is_ok())
        .collect())
}

fn files_json(files: &[StatsFileCopy]) -> serde_json::Value {
    let now = now_seconds();
    let list: Vec<_> = files
        .iter()
        .filter_map(|copy| {
            let stats = copy.stats().ok()?;
            let h = stats.header();
            Some(json!({
                "file": copy.path.file_name()?.to_string_lossy(),
                "pid": h.pid,
                "program": copy.program(),
                "liveness": liveness(h).to_string(),
                "age_seconds": (h.creation_time_ns > 0).then(|| now - h.creation_time_ns as f64 / 1e9),
                "metrics": stats.records().count(),
            }))
        })
        .collect();
    json!({ "files": list })
}

/// Every writer at this moment, for the page: who it is, whether it runs, its process
/// statistics, and each metric's reading by kind (counters' totals, gauges' value and window
/// min/max, histograms' count, sum, min, max and p50/p90/p99), with units.
fn snapshot_json(files: &[StatsFileCopy]) -> serde_json::Value {
    let now = now_seconds();
    let writers: Vec<_> = files
        .iter()
        .filter_map(|copy| {
            let stats = copy.stats().ok()?;
            let h = stats.header();
            let process = mmstats::writers::process_of(h).map(|p| {
                json!({
                    "rss_bytes": p.rss_bytes,
                    "vsz_bytes": p.vsz_bytes,
                    "cpu_seconds": p.user_time_seconds + p.system_time_seconds,
                    "threads": p.num_threads,
                    "fds": p.num_fds,
                    "uptime_seconds": p.uptime_seconds,
                })
            });
            let metrics: Vec<_> = stats
                .records()
                .map_while(Result::ok)
                .filter_map(|r| metric_json(&r))
                .collect();
            Some(json!({
                "file": copy.path.file_name()?.to_string_lossy(),
                "pid": h.pid,
                "program": copy.program(),
                "liveness": liveness(h).to_string(),
                "process": process,
                "metrics": metrics,
            }))
        })
        .collect();
    json!({ "time": now, "writers": writers })
}

fn metric_json(r: &Record<'_>) -> Option<serde_json::Value> {
    let mut m = match r.value {
        Value::Counter(n) => json!({ "kind": "counter", "total": n }),
        Value::Gauge(g) => json!({
            "kind": "gauge",
            "value": finite(g.value),
            "min": finite(g.min),
            "max": finite(g.max),
        }),
        Value::Histogram(h) => {
            let [p50, p90, p99] = h.quantiles([0.5, 0.9, 0.99]);
            json!({
                "kind": "histogram",
                "count": h.count(),
                "sum": h.sum(),
                "min": h.min(),
                "max": h.max(),
                "p50": p50,
                "p90": p90,
                "p99": p99,
            })
        }
        Value::Info(_) => return None,
    };
    m["name"] = json!(series_name(r));
    m["unit"] = json!(r.unit);
    m["help"] = json!(r.help);
    if !r.labels.is_empty() {
        m["family"] = json!(r.name);
        let labels: serde_json::Map<_, _> = r
            .labels
            .iter()
            .map(|(k, v)| (k.to_owned(), json!(v)))
            .collect();
        m["labels"] = serde_json::Value::Object(labels);
    }
    Some(m)
}

/// JSON has no NaN or infinity: such a value is null.
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// A record's number for graphs and aggregation: counters and gauges by value, histograms by
/// count; info has none.
fn number(record: &Record<'_>) -> Option<f64> {
    match record.value {
        Value::Counter(n) => Some(n as f64),
        Value::Gauge(g) => Some(g.value).filter(|v| v.is_finite()),
        Value::Histogram(h) => Some(h.count() as f64),
        Value::Info(_) => None,
    }
}

fn labels_json(files: &[StatsFileCopy]) -> serde_json::Value {
    let mut labels = std::collections::BTreeSet::new();
    let mut units = BTreeMap::new();
    for copy in files {
        if let Ok(stats) = copy.stats() {
            for record in stats.records().map_while(Result::ok) {
                if number(&record).is_none() {
                    continue;
                }
                labels.insert(record.name.to_owned());
                if !record.labels.is_empty() {
                    labels.insert(series_name(&record));
                }
                if !record.unit.is_empty() {
                    units.insert(record.name.to_owned(), record.unit.to_owned());
                }
            }
        }
    }
    json!({ "labels": labels, "units": units })
}

fn values_json(
    files: &[StatsFileCopy],
    query: &BTreeMap<String, String>,
) -> Result<serde_json::Value, (u16, String)> {
    let label = query
        .get("label")
        .filter(|l| !l.is_empty())
        .ok_or((400, "label is required\n".to_owned()))?;
    let selector = Selector::parse(label).map_err(|e| (400, format!("{e}\n")))?;
    let agg = query.get("agg").map_or("sum", String::as_str);
    let mut unit = None;
    // Every selected series of every file: a metric alone, a family's series, or those with
    // the labels asked for.
    let mut values: Vec<f64> = Vec::new();
    for stats in files.iter().filter_map(|copy| copy.stats().ok()) {
        for record in stats
            .records()
            .map_while(Result::ok)
            .filter(|r| selector.selects(r))
        {
            if !record.unit.is_empty() {
                unit.get_or_insert_with(|| record.unit.to_owned());
            }
            values.extend(number(&record));
        }
    }
    if values.is_empty() {
        return Err((404, format!("no metric {label:?} in any file\n")));
    }
    let nonzero: Vec<f64> = values.iter().copied().filter(|v| *v != 0.0).collect();
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let value = match agg {
        "sum" => Some(values.iter().sum()),
        "avg" => mean(&values),
        "min" => values.iter().copied().reduce(f64::min),
        "max" => values.iter().copied().reduce(f64::max),
        "one" => values.first().copied(),
        "nonzero-min" => nonzero.iter().copied().reduce(f64::min),
        "nonzero-avg" => mean(&nonzero),
        other => {
            return Err((
                400,
                format!(
                    "unknown agg {other:?}: sum, avg, min, max, one, nonzero-min, nonzero-avg\n"
                ),
            ))
        }
    };
    Ok(json!({
        "label": label,
        "agg": agg,
        "value": value,
        "unit": unit,
        "files": values.len()
    }))
}

fn json_reply(value: serde_json::Value) -> Response {
    Response::new(200, "application/json", value.to_string())
}

fn text(status: u16, body: &str) -> Response {
    Response::text(status, body)
}
