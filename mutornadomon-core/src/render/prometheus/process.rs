//! The process metrics (`process_cpu_seconds_total`, memory, descriptors, threads, start
//! time) under the names the Prometheus client libraries use.

use super::family::{write_meta, Family};
use super::TextFormat;
use crate::render::hole::{Hole, PageWrite, ProcessField};
use crate::render::numbers::Style;
use crate::render::ProcessStats;
use crate::words::Words;
use core::fmt;

pub(super) fn write_process(
    w: &mut impl PageWrite,
    p: &ProcessStats,
    process: Option<&ProcessStats>,
    format: TextFormat,
) -> fmt::Result {
    let no_words = Words::empty();
    let style = Style::Prometheus;
    let plain = |name: &'static str| Family {
        base: name,
        infix: "",
        unit: "",
        clean: true,
    };
    let cpu = Family {
        base: "process_cpu",
        infix: "",
        unit: "seconds",
        clean: true,
    };
    write_meta(
        w,
        cpu,
        "Total user and system CPU time spent in seconds.",
        "",
        "counter",
        "_total",
        format,
    )?;
    w.write_str("process_cpu_seconds_total ")?;
    let field = ProcessField::CpuTime;
    w.hole(Hole::Process { field, style }, &no_words, process)?;
    w.write_char('\n')?;
    let mut gauges = [
        (
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            Some(ProcessField::Rss),
        ),
        (
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes.",
            Some(ProcessField::Vsz),
        ),
        (
            "process_open_fds",
            "Number of open file descriptors.",
            Some(ProcessField::OpenFds),
        ),
        (
            "process_max_fds",
            "Maximum number of open file descriptors.",
            p.max_fds.map(|_| ProcessField::MaxFds),
        ),
        (
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            Some(ProcessField::StartTime),
        ),
        (
            "process_threads",
            "Number of OS threads in the process.",
            Some(ProcessField::Threads),
        ),
    ];
    for (name, help, field) in &mut gauges {
        // The open descriptor limit is left out when unknown (the page's shape depends on
        // it; templates compare it).
        let Some(field) = field.take() else { continue };
        write_meta(w, plain(name), help, name, "gauge", "", format)?;
        w.write_str(name)?;
        w.write_char(' ')?;
        w.hole(Hole::Process { field, style }, &no_words, process)?;
        w.write_char('\n')?;
    }
    Ok(())
}
