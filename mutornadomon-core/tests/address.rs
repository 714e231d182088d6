//! The address rules' table: the cases the endpoint filter must get right.

use mutornadomon_core::address::{check_local_only, classify, AddressClass, Refusal};
use std::net::IpAddr;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn x_forwarded_for_table() {
    let loopback = ip("127.0.0.1");
    let cases: &[(&str, bool)] = &[
        ("8.8.8.8", false),
        ("127.0.0.2", true),
        ("127.0.0.1, 8.8.8.8", false), // the Python original answers 500 here
        ("garbage", false),
        ("::1", true),
        ("fc00::1", false), // private is not local
        ("[::1]:8080", true),
        ("127.0.0.1:443", true),
        (" 127.0.0.1 ,  ::1 ", true),
        ("::ffff:127.0.0.1", true),
        ("::ffff:8.8.8.8", false),
        ("127.0.0.1,", false),
        ("", false),
        ("unknown", false),
        ("127.0.0.1:99999", false),
        ("[::1", false),
        ("10.0.0.1", false),
        ("169.254.1.1", false),
    ];
    for (value, allowed) in cases {
        let got = check_local_only(loopback, [(&b"X-Forwarded-For"[..], value.as_bytes())]);
        assert_eq!(got.is_ok(), *allowed, "XFF {value:?}: {got:?}");
    }
}

#[test]
fn forwarded_table() {
    let loopback = ip("::1");
    let cases: &[(&str, bool)] = &[
        (r#"for="[::1]:1234""#, true),
        ("for=127.0.0.1", true),
        ("For=127.0.0.1;proto=http;by=203.0.113.43", true),
        ("for=127.0.0.1, for=8.8.8.8", false),
        (r#"for="_hidden""#, false),
        ("for=unknown", false),
        ("proto=https", false), // a hop that does not say who it is
        ("for=127.0.0.1;for=127.0.0.1", false),
        (r#"for="[::1]:1234"#, false), // unterminated quote
        (r#"for="127.0.0.1", for="[::1]""#, true),
        ("for", false),
        (r#"for="127.0.0.1;x=\"a,b\"""#, false),
    ];
    for (value, allowed) in cases {
        let got = check_local_only(loopback, [(&b"Forwarded"[..], value.as_bytes())]);
        assert_eq!(got.is_ok(), *allowed, "Forwarded {value:?}: {got:?}");
    }
}

#[test]
fn peer_and_header_combinations() {
    assert_eq!(
        check_local_only(ip("8.8.8.8"), []),
        Err(Refusal::PeerNotLoopback(ip("8.8.8.8")))
    );
    assert_eq!(
        check_local_only(ip("10.1.2.3"), []),
        Err(Refusal::PeerNotLoopback(ip("10.1.2.3")))
    );
    assert_eq!(check_local_only(ip("::ffff:127.0.0.1"), []), Ok(()));
    let headers = [
        (&b"x-forwarded-for"[..], &b"127.0.0.1"[..]),
        (&b"Host"[..], &b"example.com"[..]),
        (&b"FORWARDED"[..], &b"for=8.8.4.4"[..]),
    ];
    assert_eq!(
        check_local_only(ip("127.0.0.1"), headers),
        Err(Refusal::HopNotLoopback(ip("8.8.4.4")))
    );
    let invalid = [(&b"X-Forwarded-For"[..], &[0xff, 0xfe][..])];
    assert!(matches!(
        check_local_only(ip("127.0.0.1"), invalid),
        Err(Refusal::BadHeader(_))
    ));
}

#[test]
fn classification_table() {
    let cases = [
        ("127.0.0.1", AddressClass::Loopback),
        ("127.255.0.9", AddressClass::Loopback),
        ("::1", AddressClass::Loopback),
        ("::ffff:127.0.0.1", AddressClass::Loopback),
        ("10.0.0.1", AddressClass::Private),
        ("172.16.5.4", AddressClass::Private),
        ("172.32.0.1", AddressClass::Public),
        ("192.168.1.1", AddressClass::Private),
        ("::ffff:192.168.1.1", AddressClass::Private),
        ("fc00::1", AddressClass::Private),
        ("fd12:3456::1", AddressClass::Private),
        ("169.254.0.1", AddressClass::LinkLocal),
        ("fe80::1", AddressClass::LinkLocal),
        ("8.8.8.8", AddressClass::Public),
        ("2001:db8::1", AddressClass::Public),
        ("0.0.0.0", AddressClass::Public),
    ];
    for (addr, want) in cases {
        assert_eq!(classify(ip(addr)), want, "{addr}");
    }
    assert!(AddressClass::Loopback.is_internal() && !AddressClass::Public.is_internal());
}
