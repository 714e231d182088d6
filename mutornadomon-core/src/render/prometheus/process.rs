//! The process metrics (`process_cpu_seconds_total`, memory, descriptors, threads, start
//! time) under the names the Prometheus client libraries use: on a process's own page, and
//! for several processes on one page, each with its labels.

use super::family::{write_meta, Family};
use super::labels::write_labels;
use super::{Labels, TextFormat};
use crate::labels::SeriesLabels;
use crate::render::hole::{Direct, Hole, PageWrite, ProcessField};
use crate::render::numbers::Style;
use crate::render::ProcessStats;
use crate::words::Words;
use core::fmt::{self, Write};

/// One process metric: its family, the suffix its samples take (`_total` for the counter),
/// its kind, help and field.
struct ProcessMetric {
    family: Family<'static>,
    suffix: &'static str,
    kind: &'static str,
    help: &'static str,
    field: ProcessField,
}

const fn plain(name: &'static str) -> Family<'static> {
    Family {
        base: name,
        infix: "",
        unit: "",
        clean: true,
    }
}

const fn gauge(name: &'static str, help: &'static str, field: ProcessField) -> ProcessMetric {
    ProcessMetric {
        family: plain(name),
        suffix: "",
        kind: "gauge",
        help,
        field,
    }
}

const PROCESS_METRICS: [ProcessMetric; 7] = [
    ProcessMetric {
        family: Family {
            base: "process_cpu",
            infix: "",
            unit: "seconds",
            clean: true,
        },
        suffix: "_total",
        kind: "counter",
        help: "Total user and system CPU time spent in seconds.",
        field: ProcessField::CpuTime,
    },
    gauge(
        "process_resident_memory_bytes",
        "Resident memory size in bytes.",
        ProcessField::Rss,
    ),
    gauge(
        "process_virtual_memory_bytes",
        "Virtual memory size in bytes.",
        ProcessField::Vsz,
    ),
    gauge(
        "process_open_fds",
        "Number of open file descriptors.",
        ProcessField::OpenFds,
    ),
    gauge(
        "process_max_fds",
        "Maximum number of open file descriptors.",
        ProcessField::MaxFds,
    ),
    gauge(
        "process_start_time_seconds",
        "Start time of the process since unix epoch in seconds.",
        ProcessField::StartTime,
    ),
    gauge(
        "process_threads",
        "Number of OS threads in the process.",
        ProcessField::Threads,
    ),
];

/// Whether `p` has a value for `field` (the open descriptor limit may be unknown).
fn has(p: &ProcessStats, field: ProcessField) -> bool {
    field != ProcessField::MaxFds || p.max_fds.is_some()
}

/// A process's own page: one sample per metric, no labels. `p` decides the page's shape (a
/// metric it has no value for is left out: templates compare it); `process` fills the holes.
pub(super) fn write_process(
    w: &mut impl PageWrite,
    p: &ProcessStats,
    process: Option<&ProcessStats>,
    format: TextFormat,
) -> fmt::Result {
    let no_words = Words::empty();
    for m in &PROCESS_METRICS {
        if !has(p, m.field) {
            continue;
        }
        write_meta(w, m.family, m.help, "", m.kind, m.suffix, format)?;
        m.family.write(w)?;
        w.write_str(m.suffix)?;
        w.write_char(' ')?;
        let hole = Hole::Process {
            field: m.field,
            style: Style::Prometheus,
        };
        w.hole(hole, &no_words, process)?;
        w.write_char('\n')?;
    }
    Ok(())
}

/// Writes the process metrics of several processes (say, every writer on a host), each
/// process's samples carrying its own labels: HELP/TYPE once per family, as the text format
/// requires; nothing when `processes` is empty. Label values are escaped.
///
/// ```
/// use mutornadomon_core::{write_process_families, ProcessStats, TextFormat};
/// let p = ProcessStats { rss_bytes: 4096, num_threads: 3, ..ProcessStats::default() };
/// let mut text = String::new();
/// write_process_families(&mut text, &[(p, &[("pid", "42")][..])], TextFormat::Prometheus)?;
/// assert!(text.contains("# TYPE process_threads gauge\nprocess_threads{pid=\"42\"} 3\n"));
/// # Ok::<(), core::fmt::Error>(())
/// ```
pub fn write_process_families(
    w: &mut impl Write,
    processes: &[(ProcessStats, Labels<'_>)],
    format: TextFormat,
) -> fmt::Result {
    let w = &mut Direct::new(w);
    let no_words = Words::empty();
    for m in &PROCESS_METRICS {
        if !processes.iter().any(|(p, _)| has(p, m.field)) {
            continue;
        }
        write_meta(w, m.family, m.help, "", m.kind, m.suffix, format)?;
        for (p, labels) in processes.iter().filter(|(p, _)| has(p, m.field)) {
            m.family.write(w)?;
            w.write_str(m.suffix)?;
            write_labels(w, &SeriesLabels::NONE, labels, None)?;
            w.write_char(' ')?;
            let hole = Hole::Process {
                field: m.field,
                style: Style::Prometheus,
            };
            w.hole(hole, &no_words, Some(p))?;
            w.write_char('\n')?;
        }
    }
    Ok(())
}
