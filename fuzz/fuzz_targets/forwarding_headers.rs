//! The access decision on hostile headers: arbitrary peer, header names and values through
//! `check_local_only`, `forwarded_for` and `forwarded`. Beyond not crashing, checks the rule's
//! two invariants: a non-loopback peer is always refused, and an allowed request had every
//! parsed hop loopback.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutornadomon_core::address::{check_local_only, classify, forwarded, forwarded_for, AddressClass};
use std::net::{IpAddr, Ipv6Addr};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let peer = if rest.len() >= 16 {
        let octets: [u8; 16] = rest[..16].try_into().unwrap();
        let v6 = Ipv6Addr::from(octets);
        if selector & 1 == 0 { IpAddr::V6(v6) } else { v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4) }
    } else {
        IpAddr::from([127, 0, 0, 1])
    };
    let value = rest.get(16..).unwrap_or(&[]);
    let name: &[u8] = match selector >> 1 & 3 {
        0 => b"X-Forwarded-For",
        1 => b"Forwarded",
        2 => b"forwarded",
        _ => b"x-other",
    };
    let decision = check_local_only(peer, [(name, value)]);
    if classify(peer) != AddressClass::Loopback {
        assert!(decision.is_err(), "a non-loopback peer was allowed");
    }
    let hops_xff: Vec<_> = forwarded_for(value).collect();
    let hops_fwd: Vec<_> = forwarded(value).collect();
    if decision.is_ok() {
        let hops = if name.eq_ignore_ascii_case(b"x-forwarded-for") { &hops_xff } else if name.eq_ignore_ascii_case(b"forwarded") { &hops_fwd } else { return };
        for hop in hops {
            let hop = hop.expect("an allowed request had an unparseable hop");
            assert_eq!(classify(hop), AddressClass::Loopback, "an allowed request had a non-loopback hop");
        }
    }
});
