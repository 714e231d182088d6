//! One Prometheus or OpenMetrics page for every writer on a host: each writer's series
//! labelled with its `pid` and `program`, the series of one family under one HELP/TYPE.
//!
//! Writers are separate programs, so two of them may name metrics that render alike (a
//! counter `requests` in one, `requests_total` in another) or that clash (a gauge `requests`
//! in one, a counter in another). Metrics that render the same family and kind are merged
//! ([`ExposedName::same_family`]); a metric whose names clash with a family already on the
//! page (another kind, or a sample name like a histogram's `_count`) is left out, counted in
//! `mmstats_serve_series_left_out`, and reported once per writer and metric, so the page
//! always parses. Each running writer's process statistics follow as `process_*` families
//! with the same labels.
//!
//! ```
//! use mmstats::host_page::HostPage;
//! use mutornadomon_core::TextFormat;
//! let page = HostPage::default();
//! let text = page.render(&[], TextFormat::Prometheus); // no writers: only serve's own metric
//! assert!(text.contains("mmstats_serve_series_left_out 0\n"));
//! ```

use crate::reader::StatsFileCopy;
use crate::writers::process_of;
use mutornadomon_core::{
    write_process_families, write_prometheus_family, ExposedName, Kind, Labels, Record, TextFormat,
};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Mutex;

/// The name of serve's own metric: series left out of the page.
const LEFT_OUT: &str = "mmstats_serve_series_left_out";

/// Renders host pages, remembering which clashes it has reported.
#[derive(Debug, Default)]
pub struct HostPage {
    /// (pid, metric name) of every left-out series already reported on stderr.
    reported: Mutex<HashSet<(u64, String)>>,
}

/// The series of one family: which records of which files.
struct Family<'f> {
    exposed: ExposedName<'f>,
    members: Vec<(Record<'f>, Labels<'f>)>,
}

impl HostPage {
    /// The page for `files`, in `format`.
    pub fn render(&self, files: &[StatsFileCopy], format: TextFormat) -> String {
        let parsed: Vec<_> = files
            .iter()
            .filter_map(|copy| {
                let stats = copy.stats().ok()?;
                let pid = stats.header().pid;
                Some((stats, pid, copy.program().unwrap_or_default()))
            })
            .collect();
        let pids: Vec<String> = parsed.iter().map(|(_, pid, _)| pid.to_string()).collect();
        let labels: Vec<[(&str, &str); 2]> = parsed
            .iter()
            .zip(&pids)
            .map(|((_, _, program), pid)| [("pid", pid.as_str()), ("program", program.as_str())])
            .collect();

        let own = ExposedName::new(LEFT_OUT, "", Kind::Gauge);
        let mut families: Vec<Family<'_>> = Vec::new();
        // Most writers run the same program: a (name, unit, kind) seen before goes straight to
        // its family, without working out its rendered name again.
        let mut known: HashMap<(&str, &str, Kind), Option<usize>> = HashMap::new();
        let mut left_out = Vec::new();
        let mut folded = Vec::new();
        for ((stats, pid, _), labels) in parsed.iter().zip(&labels) {
            for record in stats.records().map_while(Result::ok) {
                if record.labels.is_overflow() {
                    folded.push((record.name, record.labels.folded(), &labels[..]));
                }
                let key = (record.name, record.unit, record.kind);
                let place = *known.entry(key).or_insert_with(|| {
                    let exposed = ExposedName::new(record.name, record.unit, record.kind);
                    place_of(&families, &own, exposed).inspect(|&i| {
                        if i == families.len() {
                            families.push(Family {
                                exposed,
                                members: Vec::new(),
                            });
                        }
                    })
                });
                match place {
                    Some(i) => families[i].members.push((record, &labels[..])),
                    None => left_out.push((*pid, record.name)),
                }
            }
        }
        self.report(&left_out);

        families.sort_by_cached_key(|f| f.exposed.to_string());
        let mut out = String::new();
        let processes: Vec<_> = parsed
            .iter()
            .zip(&labels)
            .filter_map(|((stats, _, _), labels)| Some((process_of(stats.header())?, &labels[..])))
            .collect();
        let _ = write_process_families(&mut out, &processes, format);
        for family in &families {
            let _ = write_prometheus_family(&mut out, &family.members, format);
        }
        write_folded(&mut out, &folded, format);
        let help = "Series of the writers' left out of this page: their names clash with a metric of another kind in another writer";
        let _ = match format {
            TextFormat::Prometheus => write!(
                out,
                "# HELP {LEFT_OUT} {help}\n# TYPE {LEFT_OUT} gauge\n{LEFT_OUT} {}\n",
                left_out.len()
            ),
            TextFormat::OpenMetrics => write!(
                out,
                "# TYPE {LEFT_OUT} gauge\n# HELP {LEFT_OUT} {help}\n{LEFT_OUT} {}\n# EOF\n",
                left_out.len()
            ),
        };
        out
    }

    /// Says once on stderr, for each writer and metric, that it was left out.
    fn report(&self, left_out: &[(u64, &str)]) {
        if left_out.is_empty() {
            return;
        }
        let mut reported = self.reported.lock().unwrap_or_else(|e| e.into_inner());
        for &(pid, name) in left_out {
            if reported.insert((pid, name.to_owned())) {
                eprintln!(
                    "mmstats serve: left {name:?} of pid {pid} out of /metrics: it renders like a metric of another kind in another writer"
                );
            }
        }
    }
}

/// `mutornadomon_series_folded_total{family=..,pid=..,program=..}` for every labelled family of
/// every writer (what each writer's own page says, with the writer's labels).
fn write_folded(out: &mut String, folded: &[(&str, u64, Labels<'_>)], format: TextFormat) {
    if folded.is_empty() {
        return;
    }
    const NAME: &str = "mutornadomon_series_folded";
    let help = "Label sets folded into a family's overflow series (otel_metric_overflow) past its series limit";
    let _ = match format {
        TextFormat::Prometheus => write!(
            out,
            "# HELP {NAME}_total {help}\n# TYPE {NAME}_total counter\n"
        ),
        TextFormat::OpenMetrics => write!(out, "# TYPE {NAME} counter\n# HELP {NAME} {help}\n"),
    };
    for (family, count, labels) in folded {
        // Family names are letters, digits, '_', '.', ':': nothing to escape.
        let _ = write!(out, "{NAME}_total{{family=\"{family}\"");
        for (name, value) in labels.iter() {
            let value = value
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            let _ = write!(out, ",{name}=\"{value}\"");
        }
        let _ = writeln!(out, "}} {count}");
    }
}

/// The index of the family `exposed` joins: an existing one of the same family, or a new one
/// (`families.len()`); `None` when its names clash with a family on the page or with serve's
/// own metric.
fn place_of(
    families: &[Family<'_>],
    own: &ExposedName<'_>,
    exposed: ExposedName<'_>,
) -> Option<usize> {
    if exposed.collides(own) || exposed.process_collision().is_some() {
        return None;
    }
    if let Some(i) = families
        .iter()
        .position(|f| f.exposed.same_family(&exposed))
    {
        return Some(i);
    }
    if families.iter().any(|f| f.exposed.collides(&exposed)) {
        return None;
    }
    Some(families.len())
}
