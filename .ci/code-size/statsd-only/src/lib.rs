//! The code-size budget's small programs: a firmware that registers and updates 10 metrics
//! (counters, gauges, histograms) and hands them to its network stack as statsd datagrams read
//! from the region in place (`firmware_tick`: no snapshot buffer, no parse), and one that only
//! registers and updates them, its region read by another process or a debugger
//! (`firmware_update`). Each C main calls one; the linker's --gc-sections drops the other.
#![no_std]
use core::panic::PanicInfo;
use mutornadomon_core::{Meta, Region, StatsdEncoder, Storage};
static STATS: Storage<512> = Storage::new();
/// The metrics' names: five counters, three gauges, two histograms.
const NAMES: [&str; 10] = ["a0", "a1", "a2", "a3", "a4", "g0", "g1", "g2", "h0", "h1"];

/// Registers (the first time) and updates the 10 metrics; how many are there.
fn update(region: &Region<'_>) -> usize {
    let mut updated = 0;
    for (i, name) in NAMES.iter().enumerate() {
        let done = match i {
            0..=4 => region.counter(name, Meta::new()).map(|c| c.inc()),
            5..=7 => region.gauge(name, Meta::new()).map(|g| g.set(i as f64 * 0.5)),
            _ => region.histogram_with_max(name, Meta::new(), 1023).map(|h| h.record(i as u64)),
        };
        updated += usize::from(done.is_ok());
    }
    updated
}

#[no_mangle]
pub extern "C" fn firmware_update() -> usize {
    update(&STATS.region())
}

#[no_mangle]
pub extern "C" fn firmware_tick(send: extern "C" fn(*const u8, usize)) -> usize {
    let region = STATS.region();
    update(&region);
    let mut encoder = StatsdEncoder::<8>::new();
    let mut sent = 0;
    let _ = encoder.encode_region::<512>(&region, "fw.", |d| { send(d.as_ptr(), d.len()); sent += d.len() });
    sent
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}
