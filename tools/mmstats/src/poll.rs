//! `mmstats poll`: a vmstat-like view of chosen fields, summed over the matching files.

use crate::{string, Usage};
use mmstats::reader::{expand, StatsFileCopy};
use mmstats::series::{series_name, split_fields, Selector};
use mutornadomon_core::Value;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

const HELP: &str = "\
mmstats poll [options] FIELDS [PATH|DIR|GLOB...]

Prints one row per interval for the comma-separated FIELDS, summed over the matching files:
counters (and histogram counts) as the increase since the previous row, gauges as their
value. A field is a metric name, which sums every series of a labelled family, or a name with
label matchers, which sums the series that have those labels: 'requests{status=\"500\",method=\"GET\"}'. The first row shows counters since their writers started. Files appearing or
disappearing while it runs are picked up or dropped; a new file's counters count from the row
after it appears. A field no file has shows '-'.

  -i, --interval SECONDS  time between rows (default 1; fractions allowed)
  -c, --count N           stop after N rows (default: run until interrupted)
  -p, --prefix PREFIX     prepended to every field name (e.g. 'ioloop_')
  --header-every N        repeat the header every N rows (default 20; 0: once)
  --has KEY               only files that have the metric KEY
  --where KEY=VALUE       only files whose metric KEY reads VALUE (info text or a number)
  -h, --help              this help
";

struct Options {
    interval: Duration,
    count: Option<u64>,
    header_every: u64,
    fields: Vec<String>,
    selectors: Vec<Selector>,
    has: Vec<String>,
    wheres: Vec<(String, String)>,
    paths: Vec<String>,
}

fn options(mut parser: lexopt::Parser) -> Result<Option<Options>, Usage> {
    use lexopt::Arg::{Long, Short, Value as Free};
    let bad = |what: &str| Usage(what.to_owned(), HELP);
    let mut o = Options {
        interval: Duration::from_secs(1),
        count: None,
        header_every: 20,
        fields: Vec::new(),
        selectors: Vec::new(),
        has: Vec::new(),
        wheres: Vec::new(),
        paths: Vec::new(),
    };
    let mut prefix = String::new();
    let mut fields = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('i') | Long("interval") => {
                let secs: f64 = string(parser.value()?)?
                    .parse()
                    .map_err(|_| bad("--interval takes seconds"))?;
                if !(0.01..=86_400.0).contains(&secs) {
                    return Err(bad("--interval must be between 0.01 and 86400 seconds"));
                }
                o.interval = Duration::from_secs_f64(secs);
            }
            Short('c') | Long("count") => {
                o.count = Some(
                    string(parser.value()?)?
                        .parse()
                        .map_err(|_| bad("--count takes a number"))?,
                )
            }
            Short('p') | Long("prefix") => prefix = string(parser.value()?)?,
            Long("header-every") => {
                o.header_every = string(parser.value()?)?
                    .parse()
                    .map_err(|_| bad("--header-every takes a number"))?
            }
            Long("has") => o.has.push(string(parser.value()?)?),
            Long("where") => {
                let pair = string(parser.value()?)?;
                let (key, value) = pair
                    .split_once('=')
                    .ok_or_else(|| bad("--where takes KEY=VALUE"))?;
                o.wheres.push((key.to_owned(), value.to_owned()));
            }
            Short('h') | Long("help") => {
                print!("{HELP}");
                return Ok(None);
            }
            Free(v) if fields.is_none() => fields = Some(string(v)?),
            Free(v) => o.paths.push(string(v)?),
            other => return Err(Usage(other.unexpected().to_string(), HELP)),
        }
    }
    let fields = fields.ok_or_else(|| bad("FIELDS is required"))?;
    o.fields = split_fields(&fields)
        .into_iter()
        .filter(|f| !f.is_empty())
        .map(|f| format!("{prefix}{f}"))
        .collect();
    if o.fields.is_empty() {
        return Err(bad("FIELDS names no field"));
    }
    o.selectors = o
        .fields
        .iter()
        .map(|f| Selector::parse(f).map_err(|e| Usage(e, HELP)))
        .collect::<Result<_, _>>()?;
    Ok(Some(o))
}

/// One series' reading.
struct Entry {
    name: String,
    labels: Vec<(String, String)>,
    /// Counters and histogram counts.
    cumulative: Option<u64>,
    gauge: Option<f64>,
    /// Counters, gauges and info text as text, for `--where`.
    text: Option<String>,
}

impl Entry {
    fn selected_by(&self, selector: &Selector) -> bool {
        let labels = self.labels.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        selector.matches(&self.name, labels)
    }
}

/// One file's readings, by series name (`requests{status="200"}`).
#[derive(Default)]
struct Reading {
    entries: HashMap<String, Entry>,
}

impl Reading {
    fn selected<'r>(
        &'r self,
        selector: &'r Selector,
    ) -> impl Iterator<Item = (&'r String, &'r Entry)> {
        self.entries.iter().filter(|(_, e)| e.selected_by(selector))
    }
}

fn read(path: &std::path::Path) -> Option<Reading> {
    let copy = StatsFileCopy::read(path).ok()?;
    let stats = copy.stats().ok()?;
    let mut reading = Reading::default();
    for record in stats.records().map_while(Result::ok) {
        let (cumulative, gauge, text) = match record.value {
            Value::Counter(n) => (Some(n), None, Some(n.to_string())),
            Value::Histogram(h) => (Some(h.count()), None, None),
            Value::Gauge(g) => (None, Some(g.value), Some(g.value.to_string())),
            Value::Info(text) => (None, None, Some(text.to_owned())),
        };
        let labels = record.labels.iter();
        let entry = Entry {
            name: record.name.to_owned(),
            labels: labels.map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
            cumulative,
            gauge,
            text,
        };
        reading.entries.insert(series_name(&record), entry);
    }
    Some(reading)
}

pub fn run(parser: lexopt::Parser) -> Result<u8, Usage> {
    let Some(o) = options(parser)? else {
        return Ok(0);
    };
    let widths: Vec<usize> = o.fields.iter().map(|f| f.len().max(12)).collect();
    let mut previous: HashMap<PathBuf, Reading> = HashMap::new();
    let mut rows = 0u64;
    let mut stdout = std::io::stdout();
    loop {
        if o.header_every > 0 && rows % o.header_every == 0 || rows == 0 {
            let header: Vec<String> = o
                .fields
                .iter()
                .zip(&widths)
                .map(|(f, w)| format!("{f:>w$}"))
                .collect();
            let _ = writeln!(stdout, "{}", header.join(" "));
        }
        let (paths, _) = expand(&o.paths);
        let mut current: HashMap<PathBuf, Reading> = HashMap::new();
        for path in paths {
            let Some(reading) = read(&path) else { continue };
            let keep = o.has.iter().all(|k| reading.entries.contains_key(k))
                && o.wheres
                    .iter()
                    .all(|(k, v)| reading.entries.get(k).and_then(|e| e.text.as_ref()) == Some(v));
            if keep {
                current.insert(path, reading);
            }
        }
        let cells: Vec<String> = o
            .selectors
            .iter()
            .zip(&widths)
            .map(|(selector, w)| {
                let mut seen = false;
                let mut total = 0f64;
                for (path, reading) in &current {
                    for (key, entry) in reading.selected(selector) {
                        if let Some(now) = entry.cumulative {
                            seen = true;
                            let before = match previous.get(path) {
                                Some(p) => {
                                    p.entries.get(key).and_then(|e| e.cumulative).unwrap_or(0)
                                }
                                None if rows == 0 => 0,
                                None => now, // appeared since the last row: counts from the next
                            };
                            total += now.saturating_sub(before) as f64;
                        } else if let Some(value) = entry.gauge {
                            seen = true;
                            total += value;
                        }
                    }
                }
                let cell = if !seen {
                    "-".to_owned()
                } else if total.fract() == 0.0 && total.abs() < 1e15 {
                    format!("{}", total as i64)
                } else {
                    format!("{total:.6}")
                };
                format!("{cell:>w$}")
            })
            .collect();
        let _ = writeln!(stdout, "{}", cells.join(" "));
        let _ = stdout.flush();
        previous = current;
        rows += 1;
        if o.count.is_some_and(|c| rows >= c) {
            return Ok(0);
        }
        std::thread::sleep(o.interval);
    }
}
