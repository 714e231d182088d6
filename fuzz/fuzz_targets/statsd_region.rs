//! The statsd encoder reading a live region in place (`encode_region`) over records the fuzzer
//! writes straight into the region's words, as a process sharing the memory could: it never
//! panics, and whenever the parser accepts a snapshot of those words, the live region sends
//! the same datagrams as `encode` of that snapshot.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutornadomon_core::{parse, AtomicU64, Region, StatsdEncoder};

fuzz_target!(|records: &[u8]| {
    // A region with room for the input and its index; its records are the fuzz bytes.
    let records = &records[..records.len().min(64 * 1024) / 8 * 8];
    let n = (2 * (16 + records.len() / 8)).max(64);
    let words: Vec<AtomicU64> = (0..n).map(|_| AtomicU64::new(0)).collect();
    Region::format(&words).expect("at least 64 words");
    for (word, bytes) in words[16..].iter().zip(records.chunks_exact(8)) {
        word.store(u64::from_ne_bytes(bytes.try_into().unwrap()), std::sync::atomic::Ordering::Relaxed);
    }
    words[5].store(128 + records.len() as u64, std::sync::atomic::Ordering::Relaxed); // committed
    let region = Region::attach(&words).expect("the header is ours");

    let mut live = Vec::new();
    let live_result = StatsdEncoder::<64>::new().encode_region::<512>(&region, "fuzz.", |d| {
        assert!(d.len() <= 512);
        live.push(d.to_vec());
    });

    let mut file = vec![0u8; region.snapshot_len()];
    let len = region.snapshot(&mut file).expect("sized from snapshot_len");
    let Ok(stats) = parse(&file[..len]) else { return };
    let mut parsed = Vec::new();
    let parsed_result =
        StatsdEncoder::<64>::new().encode::<512>(&stats, "fuzz.", |d| parsed.push(d.to_vec()));
    if parsed_result.is_ok() {
        assert_eq!(live_result, parsed_result, "the two walks disagree");
        assert_eq!(live, parsed, "the two walks sent different datagrams");
    }
});
