//! The metrics in a message of the program's own, through serde, with no allocator: what a
//! no_std firmware does to send its mutornadomon page (or single records) as JSON over its
//! own transport. Core feature `serde`; JSON by serde-json-core into a fixed buffer.
//!
//! ```text
//! cargo run -p mutornadomon-examples --example serde_page
//! ```

use mutornadomon_core::{parse, Meta, MutornadomonPage, Storage};

static STATS: Storage<1024> = Storage::new();

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let region = STATS.region();
    region
        .counter("requests", Meta::new().help("Requests served"))?
        .inc_by(42);
    region
        .gauge("temperature", Meta::new().unit("celsius"))?
        .set(21.5);
    region
        .histogram("latency", Meta::new().unit("nanoseconds"))?
        .record(125_000);

    let mut snapshot = [0u8; 8192];
    let n = region.snapshot(&mut snapshot)?;
    let stats = parse(&snapshot[..n])?;

    // The whole page, as render_json writes it, built through serde's data model.
    let mut page = [0u8; 1024];
    let len = serde_json_core::to_slice(&MutornadomonPage::new(&stats, None), &mut page)?;
    println!("{}", std::str::from_utf8(&page[..len])?);

    // One record at a time, e.g. one message per metric.
    for record in stats.records() {
        let mut message = [0u8; 512];
        let len = serde_json_core::to_slice(&record?, &mut message)?;
        println!("{}", std::str::from_utf8(&message[..len])?);
    }
    Ok(())
}
