//! `mmstats dump`: every writer with its pid, program, age and liveness, then its metrics.

use crate::{string, Usage};
use mmstats::printable::{printable, printable_path};
use mmstats::reader::{expand, liveness, now_seconds, StatsFileCopy};
use mmstats::series::series_name;
use mutornadomon_core::{Record, Value};
use serde_json::{json, Map};
use std::io::{BufWriter, Write};

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
    // One buffered writer: stdout is line-buffered, and a dump of a busy host is 100k lines.
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut first = true;
    if as_json {
        let _ = out.write_all(b"{\"files\":[");
    }
    for path in paths {
        let copy = match StatsFileCopy::read(&path) {
            Ok(copy) => copy,
            Err(e) => {
                errors.push((path.display().to_string(), e.to_string()));
                continue;
            }
        };
        let written = if as_json {
            write_json(&mut out, &copy, &mut first)
        } else {
            write_text(&mut out, &copy)
        };
        if let Err(e) = written {
            errors.push((path.display().to_string(), e));
        }
    }
    if as_json {
        let errors: Vec<_> = errors
            .iter()
            .map(|(path, error)| json!({"path": path, "error": error}))
            .collect();
        let _ = writeln!(out, "],\"errors\":{}}}", serde_json::Value::Array(errors));
    }
    let _ = out.flush();
    if !as_json {
        for (path, error) in &errors {
            eprintln!("{}: {}", printable(path), printable(error));
        }
    }
    Ok(u8::from(!errors.is_empty()))
}

/// What the header says, judged now.
struct Writer {
    pid: u64,
    program: Option<String>,
    liveness: String,
    age: Option<f64>,
    heartbeat_age: Option<f64>,
    refused: u64,
}

/// Parses `copy` whole (so a corrupt record is reported before anything of the file prints).
fn read_all<'c>(copy: &'c StatsFileCopy) -> Result<(Writer, Vec<Record<'c>>), String> {
    let stats = copy.stats().map_err(|e| e.to_string())?;
    let records = stats
        .records()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    let header = stats.header();
    let now = now_seconds();
    let age = |ns: u64| (ns != 0).then(|| (now - ns as f64 / 1e9).max(0.0));
    let program = records
        .iter()
        .find(|r| r.name == "sys.program")
        .and_then(|r| match r.value {
            Value::Info(text) => Some(text.to_owned()),
            _ => None,
        });
    let writer = Writer {
        pid: header.pid,
        program,
        liveness: liveness(header).to_string(),
        age: age(header.creation_time_ns),
        heartbeat_age: age(header.heartbeat_ns),
        refused: header.refused,
    };
    Ok((writer, records))
}

fn write_json(out: &mut impl Write, copy: &StatsFileCopy, first: &mut bool) -> Result<(), String> {
    let (writer, records) = read_all(copy)?;
    let mut metrics = Map::new();
    for record in &records {
        metrics.insert(series_name(record), metric_json(record));
    }
    let file = json!({
        "path": copy.path.display().to_string(),
        "pid": writer.pid,
        "program": writer.program,
        "liveness": writer.liveness,
        "age_seconds": writer.age,
        "heartbeat_age_seconds": writer.heartbeat_age,
        "refused_registrations": writer.refused,
        "metrics": metrics,
    });
    let comma = if std::mem::take(first) { "" } else { "," };
    write!(out, "{comma}{file}").map_err(|e| e.to_string())
}

fn write_text(out: &mut impl Write, copy: &StatsFileCopy) -> Result<(), String> {
    let (writer, records) = read_all(copy)?;
    let age = |a: Option<f64>| a.map_or("?".into(), |s| format!("{s:.1}s"));
    let io = |e: std::io::Error| e.to_string();
    writeln!(
        out,
        "{}\n  pid {} ({}), {}, age {}, heartbeat {} ago",
        printable_path(&copy.path),
        writer.pid,
        printable(writer.program.as_deref().unwrap_or("?")),
        writer.liveness,
        age(writer.age),
        age(writer.heartbeat_age)
    )
    .map_err(io)?;
    let names: Vec<String> = records
        .iter()
        .map(|r| printable(&series_name(r)).into_owned())
        .collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (r, name) in records.iter().zip(&names) {
        let unit = if r.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", r.unit)
        };
        match r.value {
            Value::Counter(n) => writeln!(out, "    {name:<width$}  counter    {n}{unit}"),
            Value::Gauge(g) => writeln!(
                out,
                "    {name:<width$}  gauge      {} (min {}, max {}){unit}",
                g.value, g.min, g.max
            ),
            Value::Histogram(h) => {
                let q = |q: f64| h.quantile(q).map_or("-".into(), |v| v.to_string());
                let max = h.max().map_or("-".into(), |v| v.to_string());
                writeln!(
                    out,
                    "    {name:<width$}  histogram  count {} p50 {} p99 {} max {max}{unit}",
                    h.count(),
                    q(0.5),
                    q(0.99)
                )
            }
            Value::Info(text) => writeln!(out, "    {name:<width$}  info       {text}"),
        }
        .map_err(io)?;
    }
    Ok(())
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
    if !record.labels.is_empty() {
        let labels: Map<String, serde_json::Value> = record
            .labels
            .iter()
            .map(|(k, v)| (k.to_owned(), json!(v)))
            .collect();
        value["name"] = json!(record.name);
        value["labels"] = serde_json::Value::Object(labels);
    }
    if record.labels.is_overflow() {
        value["label_names"] = json!(record.labels.names().collect::<Vec<_>>());
        value["series_limit"] = json!(record.labels.limit());
        value["folded"] = json!(record.labels.folded());
    }
    value
}
