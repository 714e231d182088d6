//! Process stats against `ps` and /proc for the same process. Alone in its own test binary:
//! tests running beside it would start and stop threads (stacks, malloc arenas) and move VSZ
//! and the thread count between our reading and `ps`'s.

use std::process::Command;

#[test]
fn process_stats_agree_with_ps() {
    let ours = mutornadomon_std::process_stats();
    let out = Command::new("ps")
        .args([
            "-o",
            "rss=,vsz=,nlwp=,etimes=",
            "-p",
            &std::process::id().to_string(),
        ])
        .output()
        .expect("ps");
    let fields: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|f| f.parse().unwrap())
        .collect();
    let (rss, vsz, threads, elapsed) =
        (fields[0] * 1024.0, fields[1] * 1024.0, fields[2], fields[3]);
    let near = |a: f64, b: f64, what: &str| {
        assert!(
            (a - b).abs() <= b * 0.2 + 4096.0 * 256.0,
            "{what}: ours {a}, ps {b}"
        )
    };
    near(ours.rss_bytes as f64, rss, "rss");
    near(ours.vsz_bytes as f64, vsz, "vsz");
    assert!(
        (ours.num_threads as f64 - threads).abs() <= 4.0,
        "threads: ours {}, ps {threads}",
        ours.num_threads
    );
    assert!(
        (ours.uptime_seconds - elapsed).abs() <= 2.0,
        "uptime: ours {}, ps {elapsed}",
        ours.uptime_seconds
    );
    let fds = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64 - 1;
    assert!(
        ours.num_fds.abs_diff(fds) <= 2,
        "fds: ours {}, /proc {fds}",
        ours.num_fds
    );
    let limit = std::fs::read_to_string("/proc/self/limits").unwrap();
    let soft = limit
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap()
        .split_whitespace()
        .nth(3)
        .unwrap()
        .parse()
        .ok();
    assert_eq!(ours.max_fds, soft);
    assert!(ours.user_time_seconds + ours.system_time_seconds >= 0.0);
}
