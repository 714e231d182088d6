//! The encoder's previous counts: a vector in the order counters were first met, looked up
//! from where the last lookup ended, against a map that forgets nothing.

use super::lines::decimal;
use super::StatsdEncoder;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::vec::Vec;

proptest! {
    /// The digit-at-a-time decimal (builds without `perf`) writes what itoa writes.
    #[test]
    fn decimal_writes_what_itoa_writes(n in any::<u64>(), digits in 0u32..20) {
        for n in [n, n % 10u64.pow(digits)] {
            let (mut buf, mut itoa) = ([0u8; 20], itoa::Buffer::new());
            prop_assert_eq!(decimal(n, &mut buf), itoa.format(n).as_bytes());
        }
    }

    /// Whatever order the keys come in (a walk's increasing order, a second region's keys
    /// between the first's, repeats), each delta is `now` less the key's previous value, a
    /// key first seen gives its whole value, and a key first seen when `COUNTERS` are held
    /// is refused (and still refused later, its value not kept).
    #[test]
    fn deltas_are_those_of_a_map_whatever_the_order_of_keys(
        encodes in proptest::collection::vec(
            proptest::collection::vec((0u32..24, any::<u64>()), 0..20),
            1..6,
        ),
    ) {
        let mut encoder = StatsdEncoder::<8>::new();
        let mut model: BTreeMap<u32, u64> = BTreeMap::new();
        for lookups in encodes {
            encoder.next = 0; // what each encode does first (`begin`)
            for (key, now) in lookups {
                let full = model.len() == 8;
                let want = match model.get_mut(&key) {
                    Some(before) => Some(now.wrapping_sub(core::mem::replace(before, now))),
                    None if full => None,
                    None => {
                        model.insert(key, now);
                        Some(now)
                    }
                };
                prop_assert_eq!(encoder.delta(key, now), want, "key {}", key);
            }
            let held: Vec<(u32, u64)> = model.iter().map(|(&k, &v)| (k, v)).collect();
            let mut kept = encoder.previous.to_vec();
            kept.sort_unstable();
            prop_assert_eq!(&kept[..], &held[..]);
        }
    }
}

#[test]
fn decimal_digits_at_the_edges() {
    for n in [0, 9, 10, 99, 100, u64::MAX / 10, u64::MAX] {
        let mut buf = [0u8; 20];
        assert_eq!(decimal(n, &mut buf), std::format!("{n}").as_bytes());
    }
}

#[test]
fn a_walk_in_the_entries_order_finds_each_at_the_next_place() {
    let mut encoder = StatsdEncoder::<4>::new();
    for key in [8, 16, 24] {
        assert_eq!(encoder.delta(key, 5), Some(5));
    }
    encoder.next = 0;
    for (i, key) in [8, 16, 24].into_iter().enumerate() {
        assert_eq!(encoder.next, i);
        assert_eq!(encoder.delta(key, 7), Some(2));
    }
}
