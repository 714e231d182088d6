//! The smol endpoint's request handling on arbitrary bytes: the head parser within limits, then
//! the endpoint's answer. Refusals are 400, 414 or 431; a parsed head lies within the input;
//! the monitor's paths answer 200, 403 or 405, and never 200 to a peer that is not loopback.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutornadomon_smol::{parse_head, AsyncMonitor, Head, Limits, Monitor, MAX_HEADERS};
use mutornadomon_std::MetricsPage;
use std::net::IpAddr;
use std::sync::OnceLock;

fn monitor() -> &'static AsyncMonitor {
    static MONITOR: OnceLock<AsyncMonitor> = OnceLock::new();
    MONITOR.get_or_init(|| {
        let (monitor, _tasks) =
            AsyncMonitor::start(Monitor::builder().in_memory()).expect("monitor starts");
        monitor.count("requests", 1).expect("registers");
        monitor
    })
}

fuzz_target!(|input: &[u8]| {
    let Some((&choice, bytes)) = input.split_first() else {
        return;
    };
    let peer: IpAddr = match choice % 4 {
        0 => [127, 0, 0, 1].into(),
        1 => [8, 8, 8, 8].into(),
        2 => [10, 0, 0, 1].into(),
        _ => "::1".parse().expect("an address"),
    };
    let limits = Limits::default()
        .max_head_bytes(256 + usize::from(choice) * 32)
        .max_target_bytes(1 + usize::from(choice) * 8);
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let full = choice & 0x80 != 0;
    match parse_head(bytes, full, &mut headers, Some(peer), &limits) {
        Head::Refused(status) => assert!(matches!(status, 400 | 414 | 431), "refused {status}"),
        Head::Partial => assert!(!full, "a full buffer is never partial"),
        Head::Complete { request, len, .. } => {
            assert!(len <= bytes.len(), "head of {len} bytes in {}", bytes.len());
            assert!(request.target().starts_with('/') || request.target() == "*");
            let endpoint = monitor().endpoint();
            match endpoint.respond(&request) {
                None => assert!(MetricsPage::for_path(request.path()).is_none()),
                Some(response) => {
                    let status = response.status();
                    assert!(matches!(status, 200 | 403 | 405), "status {status}");
                    if status == 200 {
                        assert!(peer.is_loopback(), "metrics served to {peer}");
                        assert!(!response.body().is_empty());
                    }
                }
            }
        }
    }
});
