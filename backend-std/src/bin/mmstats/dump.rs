//! `mmstats dump`: every writer with its pid, program, age and liveness, then its metrics.

use crate::{string, Usage};
use mutornadomon_core::{Record, Value};
use mutornadomon_std::reader::{expand, liveness, StatsFileCopy};
use serde_json::{json, Map};
use std::time::{SystemTime, UNIX_EPOCH};

const HELP: &str = "\
mmstats dump [--json] [PATH|DIR|GLOB...]

Prints every stats file (default: those in the default directory) with its writer's pid,
program, age and liveness (alive, stalled, dead, pid reused), then its metrics in columns.
A file that cannot be read or parsed is reported on one line, and the others still print.

  --json     one JSON document: {\"files\": [...], \"errors\": [...]}
  -h, --help this help
";

pub fn run(mut parser: lexopt::Parser) -> Result<u8, Usage> {
    use lexopt::Arg::{Long, Short, Value as Free};
    let (mut as_json, mut args) = (false, Vec::new());
    while let Some(arg) = parser.next()? {
        match arg {
            Long("json") => as_json = true,
            Long("help") | Short('h') => {
                print!("{HELP}");
                return Ok(0);
            }
            Free(v) => args.push(string(v)?),
            other => return Err(Usage(other.unexpected().to_string(), HELP)),
        }
    }
    let (paths, mut errors) = expand(&args);
    let mut files = Vec::new();
    for path in paths {
        match StatsFileCopy::read(&path) {
            Ok(copy) => match describe(&copy) {
                Ok(file) => files.push(file),
                Err(e) => errors.push((path.display().to_string(), e)),
            },
            Err(e) => errors.push((path.display().to_string(), e.to_string())),
        }
    }
    if as_json {
        let errors: Vec<_> = errors
            .iter()
            .map(|(path, error)| json!({"path": path, "error": error}))
            .collect();
        println!("{}", json!({"files": files, "errors": errors}));
    } else {
        for file in &files {
            print_text(file);
        }
        for (path, error) in &errors {
            eprintln!("{path}: {error}");
        }
    }
    Ok(u8::from(!errors.is_empty()))
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// One file as JSON (also what the text output prints from).
fn describe(copy: &StatsFileCopy) -> Result<serde_json::Value, String> {
    let stats = copy.stats().map_err(|e| e.to_string())?;
    let header = stats.header();
    let mut metrics = Map::new();
    for record in stats.records() {
        let record = record.map_err(|e| e.to_string())?;
        metrics.insert(record.name.to_owned(), metric_json(&record));
    }
    let seconds = |ns: u64| {
        if ns == 0 {
            serde_json::Value::Null
        } else {
            json!((now_seconds() - ns as f64 / 1e9).max(0.0))
        }
    };
    Ok(json!({
        "path": copy.path.display().to_string(),
        "pid": header.pid,
        "program": copy.program(),
        "liveness": liveness(header).to_string(),
        "age_seconds": seconds(header.creation_time_ns),
        "heartbeat_age_seconds": seconds(header.heartbeat_ns),
        "refused_registrations": header.refused,
        "metrics": metrics,
    }))
}

fn metric_json(record: &Record<'_>) -> serde_json::Value {
    let finite = |v: f64| {
        if v.is_finite() {
            json!(v)
        } else {
            serde_json::Value::Null
        }
    };
    let mut value = match record.value {
        Value::Counter(n) => json!({"kind": "counter", "value": n}),
        Value::Gauge(g) => {
            json!({"kind": "gauge", "value": finite(g.value), "min": finite(g.min), "max": finite(g.max)})
        }
        Value::Histogram(h) => json!({
            "kind": "histogram", "count": h.count(), "sum": h.sum(), "min": h.min(), "max": h.max(),
            "p50": h.quantile(0.5), "p90": h.quantile(0.9), "p99": h.quantile(0.99), "p999": h.quantile(0.999),
        }),
        Value::Info(text) => json!({"kind": "info", "value": text}),
    };
    if !record.unit.is_empty() {
        value["unit"] = json!(record.unit);
    }
    value
}

fn print_text(file: &serde_json::Value) {
    let age = |key: &str| {
        file[key]
            .as_f64()
            .map_or("?".into(), |s| format!("{s:.1}s"))
    };
    println!(
        "{}\n  pid {} ({}), {}, age {}, heartbeat {} ago",
        file["path"].as_str().unwrap_or("?"),
        file["pid"],
        file["program"].as_str().unwrap_or("?"),
        file["liveness"].as_str().unwrap_or("?"),
        age("age_seconds"),
        age("heartbeat_age_seconds"),
    );
    let Some(metrics) = file["metrics"].as_object() else {
        return;
    };
    let width = metrics.keys().map(String::len).max().unwrap_or(0);
    for (name, m) in metrics {
        let kind = m["kind"].as_str().unwrap_or("?");
        let unit = m["unit"]
            .as_str()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        let shown = match kind {
            "gauge" => format!("{} (min {}, max {}){unit}", m["value"], m["min"], m["max"]),
            "histogram" => format!(
                "count {} p50 {} p99 {} max {}{unit}",
                m["count"], m["p50"], m["p99"], m["max"]
            ),
            "info" => m["value"].as_str().unwrap_or("").to_owned(),
            _ => format!("{}{unit}", m["value"]),
        };
        println!("    {name:<width$}  {kind:<9}  {shown}");
    }
}
