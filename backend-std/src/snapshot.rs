//! A copy of every metric at one moment, with the process stats of that moment: what a
//! publisher is handed, and what `Monitor::snapshot` gives.

use crate::scratch::{render_text, with_buffers};
use crate::shared::Shared;
use mutornadomon_core::{
    parse, render_json, render_prometheus, ParseError, ProcessStats, RenderError, Stats, TextFormat,
};

/// A copy of every metric at one moment, with the process stats of that moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    bytes: Vec<u8>,
    process: ProcessStats,
}

impl Snapshot {
    /// Copies `shared`'s region (rolling the gauge windows if `roll`) with the latest process
    /// stats.
    pub(crate) fn take(shared: &Shared, roll: bool) -> Snapshot {
        let mut bytes = Vec::new();
        let n = shared.snapshot_into(&mut bytes, roll);
        bytes.truncate(n);
        Snapshot {
            bytes,
            process: shared.process_stats(),
        }
    }

    /// The metrics, parsed.
    pub fn stats(&self) -> Result<Stats<'_>, ParseError> {
        parse(&self.bytes)
    }

    /// The raw stats layout (see FORMAT.md).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The process stats.
    pub fn process(&self) -> &ProcessStats {
        &self.process
    }

    /// mutornadomon's JSON (the `/mutornadomon` body).
    pub fn to_json(&self) -> String {
        self.render(|stats, out| render_json(stats, Some(&self.process), out))
    }

    /// Prometheus text or OpenMetrics (the `/metrics` body).
    pub fn to_prometheus(&self, format: TextFormat) -> String {
        self.render(|stats, out| render_prometheus(stats, Some(&self.process), format, out))
    }

    fn render(
        &self,
        render: impl Fn(&Stats<'_>, &mut [u8]) -> Result<usize, RenderError>,
    ) -> String {
        let stats = match self.stats() {
            Ok(stats) => stats,
            Err(e) => return format!("corrupt snapshot: {e}"),
        };
        with_buffers(|b| render_text(&stats, b.out(), render))
    }
}
