//! The stats parser past its header checks: a valid header (for the input's length) is
//! prepended, so the fuzzer spends its time on records rather than on finding the magic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutornadomon_core::{parse, AtomicU64, Region};

fuzz_target!(|records: &[u8]| {
    // A real header from a real (empty) region, committed up to the end of the fuzz input.
    let words: Vec<AtomicU64> = (0..64).map(|_| AtomicU64::new(0)).collect();
    let region = Region::format(&words).expect("64 words is the minimum");
    let mut file = vec![0u8; region.snapshot_len()];
    let header_len = region.snapshot(&mut file).expect("sized from snapshot_len");
    let records = &records[..records.len() / 8 * 8];
    file.extend_from_slice(records);
    let end = (header_len + records.len()) as u64;
    file[32..40].copy_from_slice(&end.to_ne_bytes()); // capacity
    file[40..48].copy_from_slice(&end.to_ne_bytes()); // committed
    let stats = parse(&file).expect("the prepended header is valid");
    let mut ok = 0usize;
    for record in stats.records() {
        match record {
            Ok(_) => ok += 1,
            Err(e) => {
                assert!(e.offset() >= header_len && e.offset() < file.len(), "error offset {e:?}");
                break;
            }
        }
    }
    assert!(ok * 16 <= records.len(), "more records than bytes allow");
});
