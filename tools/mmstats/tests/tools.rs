//! The `mmstats` binary against real writer processes: dump, clean, poll.

use mutornadomon_test_support as support;

use mutornadomon_core::Meta;
use mutornadomon_std::Monitor;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::Duration;

const CHILD_DIR: &str = "MUTORNADOMON_TOOLS_CHILD_DIR";
const CHILD_VALUE: &str = "MUTORNADOMON_TOOLS_CHILD_VALUE";

/// A writer process (this binary re-run): registers `work` = $CHILD_VALUE and waits.
#[test]
fn child_writer() {
    let (Ok(dir), Ok(value)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_VALUE)) else {
        return;
    };
    let monitor = Monitor::builder()
        .stats_dir(dir)
        .program_name("worker")
        .start()
        .unwrap();
    monitor
        .counter("work", Meta::new())
        .unwrap()
        .inc_by(value.parse().unwrap());
    println!("STATS {}", monitor.stats_file().unwrap().display());
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

struct Writer(Child, PathBuf);

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn writer(dir: &Path, value: u64) -> Writer {
    let envs = [
        (CHILD_DIR, dir.display().to_string()),
        (CHILD_VALUE, value.to_string()),
    ];
    let (child, path) = support::spawn_child("child_writer", &envs);
    Writer(child, path)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mmstats-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mmstats(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mmstats"))
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[test]
fn dump_lists_every_writer_and_reports_bad_files_one_line_each() {
    let dir = temp_dir("dump");
    let writers: Vec<Writer> = [3, 5, 7].iter().map(|v| writer(&dir, *v)).collect();
    std::fs::write(dir.join("mutornadomon-junk-1.stats"), b"not stats").unwrap();
    std::fs::create_dir(dir.join("mutornadomon-dir-2.stats")).unwrap();
    let d = dir.to_str().unwrap();

    let out = mmstats(&["dump", "--json", d]);
    assert_eq!(out.status.code(), Some(1), "bad files make the exit code 1");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    let mut works: Vec<u64> = files
        .iter()
        .map(|f| f["metrics"]["work"]["value"].as_u64().unwrap())
        .collect();
    works.sort_unstable();
    assert_eq!(works, [3, 5, 7]);
    for file in files {
        assert_eq!(file["liveness"], "alive");
        assert_eq!(file["program"], "worker");
        assert!(
            writers.iter().any(|w| file["pid"] == u64::from(w.0.id())),
            "{file}"
        );
    }
    assert_eq!(
        json["errors"].as_array().unwrap().len(),
        2,
        "{}",
        json["errors"]
    );

    let plain = mmstats(&["dump", d]);
    let stdout = text(&plain.stdout);
    for w in &writers {
        assert!(
            stdout.contains(&format!("pid {} (worker), alive", w.0.id())),
            "{stdout}"
        );
    }
    assert_eq!(
        text(&plain.stderr).lines().count(),
        2,
        "one line per bad file"
    );
    let glob = format!("{d}/mutornadomon-worker-*.stats");
    let globbed: serde_json::Value =
        serde_json::from_slice(&mmstats(&["dump", "--json", &glob]).stdout).unwrap();
    assert_eq!(globbed["files"].as_array().unwrap().len(), 3);
    assert_eq!(mmstats(&["dump", "--bogus"]).status.code(), Some(2));
    assert!(text(&mmstats(&["dump", "--help"]).stdout).contains("--json"));
    drop(writers);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes `ns` into the heartbeat word (header word 9) of the stats file at `path`.
fn set_heartbeat(path: &Path, ns: u64) {
    use std::os::unix::fs::FileExt;
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.write_all_at(&ns.to_ne_bytes(), 72).unwrap();
}

#[test]
fn clean_removes_dead_and_reused_pid_files_only() {
    let dir = temp_dir("clean");
    let live = writer(&dir, 1);
    let dead = writer(&dir, 2);
    let dead_path = dead.1.clone();
    drop(dead); // SIGKILL: the file stays, its pid is gone
    assert!(dead_path.exists());
    // Dead for a while: its last heartbeat long ago (a fresh one would mean "alive", as for a
    // writer in another pid namespace; see the test below).
    set_heartbeat(&dead_path, 1);
    // A file naming a live pid (this test process) with another start time and a stale
    // heartbeat: a reused pid.
    let mut image = std::fs::read(&live.1).unwrap();
    image[48..56].copy_from_slice(&u64::from(std::process::id()).to_ne_bytes());
    image[56..64].copy_from_slice(&12_345u64.to_ne_bytes());
    image[72..80].copy_from_slice(&1u64.to_ne_bytes());
    let reused = dir.join("mutornadomon-reused-1.stats");
    std::fs::write(&reused, &image).unwrap();
    let d = dir.to_str().unwrap();

    let dry = mmstats(&["clean", "--dry-run", d]);
    let said = text(&dry.stdout);
    assert!(
        said.contains("would remove") && said.contains("dead") && said.contains("pid reused"),
        "{said}"
    );
    assert!(
        said.contains("would remove 2 files, kept 1 live file"),
        "{said}"
    );
    assert!(
        dead_path.exists() && reused.exists(),
        "a dry run removes nothing"
    );

    let done = mmstats(&["clean", d]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    assert!(
        text(&done.stdout).contains("removed 2 files, kept 1 live file"),
        "{}",
        text(&done.stdout)
    );
    assert!(!dead_path.exists() && !reused.exists());
    assert!(live.1.exists(), "the live writer's file is kept");
    drop(live);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn poll_shows_counter_deltas_and_summed_gauges() {
    let dir = temp_dir("poll");
    let a = Monitor::builder()
        .stats_dir(&dir)
        .program_name("alpha")
        .start()
        .unwrap();
    let b = Monitor::builder()
        .stats_dir(&dir)
        .program_name("beta")
        .start()
        .unwrap();
    let (work_a, work_b) = (
        a.counter("work", Meta::new()).unwrap(),
        b.counter("work", Meta::new()).unwrap(),
    );
    work_a.inc_by(5);
    a.gauge("level", Meta::new()).unwrap().set(1.5);
    b.gauge("level", Meta::new()).unwrap().set(2.5);
    let d = dir.to_str().unwrap().to_owned();
    let poller = std::thread::spawn(move || {
        mmstats(&[
            "poll",
            "-c",
            "3",
            "-i",
            "0.5",
            "--header-every",
            "2",
            "work,level,absent",
            &d,
        ])
    });
    std::thread::sleep(Duration::from_millis(150));
    work_a.inc_by(7);
    work_b.inc_by(3);
    let out = poller.join().unwrap();
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    // header, row, row, header again (every 2 rows), row
    assert_eq!(lines.len(), 5, "{stdout}");
    assert!(
        lines[0].contains("work") && lines[3].contains("work"),
        "{stdout}"
    );
    let row = |i: usize| {
        lines[i]
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(row(1), ["5", "4", "-"], "{stdout}");
    let later: u64 = [row(2), row(4)]
        .iter()
        .map(|r| r[0].parse::<u64>().unwrap())
        .sum();
    assert_eq!(later, 10, "the increments appear as deltas: {stdout}");

    let only_beta = mmstats(&[
        "poll",
        "-c",
        "1",
        "--where",
        "sys.program=beta",
        "level",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(
        text(&only_beta.stdout).lines().nth(1).unwrap().trim(),
        "2.500000"
    );
    assert_eq!(
        mmstats(&["poll"]).status.code(),
        Some(2),
        "FIELDS is required"
    );
    drop((a, b));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn readers_survive_files_truncated_rewritten_and_removed_mid_read() {
    use std::os::unix::process::ExitStatusExt;
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = temp_dir("churn");
    let live = writer(&dir, 1);
    let image = std::fs::read(&live.1).unwrap();
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let churn = {
        let (dir, stop, image) = (dir.clone(), stop.clone(), image.clone());
        std::thread::spawn(move || {
            let mut i = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let path = dir.join(format!("mutornadomon-churn-{}.stats", i % 4));
                match i % 3 {
                    0 => drop(std::fs::write(&path, &image[..(i * 97) % image.len()])), // truncated
                    1 => drop(std::fs::write(&path, &image)), // rewritten whole
                    _ => drop(std::fs::remove_file(&path)),   // removed
                }
                i += 1;
            }
        })
    };
    let d = dir.to_str().unwrap();
    for round in 0..40 {
        for args in [
            &["dump", d][..],
            &["dump", "--json", d][..],
            &["clean", "--dry-run", d][..],
            &["poll", "-c", "1", "work", d][..],
        ] {
            let out = mmstats(args);
            assert_eq!(
                out.status.signal(),
                None,
                "round {round}: {args:?} killed by a signal"
            );
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "round {round}: {args:?}: {:?}",
                out.status
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
    churn.join().unwrap();
    drop(live);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Regression: a writer killed but not yet reaped (a zombie) was reported alive, and `clean`
/// kept its file. Once its heartbeat is stale it is dead.
#[test]
fn a_zombie_writer_with_a_stale_heartbeat_is_dead() {
    let dir = temp_dir("zombie");
    let mut zombie = writer(&dir, 1);
    zombie.0.kill().unwrap(); // SIGKILL, not reaped: a zombie until `Writer` is dropped
    let path = zombie.1.clone();
    std::thread::sleep(Duration::from_millis(200));
    set_heartbeat(&path, 1);
    let d = dir.to_str().unwrap();
    let said = text(&mmstats(&["dump", d]).stdout);
    assert!(said.contains("dead"), "{said}");
    let done = mmstats(&["clean", d]);
    assert!(
        text(&done.stdout).contains("removed 1 file"),
        "{}",
        text(&done.stdout)
    );
    assert!(!path.exists());
    drop(zombie);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Regression: a live writer in another pid namespace (a container sharing /dev/shm) was
/// reported "pid reused", and `clean` removed its file while it ran. Its pid names another
/// process here (or none); its heartbeat is fresh, so it is alive.
#[test]
fn a_writer_in_another_pid_namespace_is_alive_and_clean_keeps_it() {
    let dir = temp_dir("pidns");
    let envs = [
        (CHILD_DIR, dir.display().to_string()),
        (CHILD_VALUE, "1".to_string()),
    ];
    let probe = Command::new("unshare")
        .args(["--pid", "--fork", "true"])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: `unshare --pid --fork` is not available here (needs root)");
        return;
    }
    let (child, path) = support::spawn_child_with(
        &["unshare", "--pid", "--fork", "--kill-child"],
        "child_writer",
        &envs,
    );
    let inner = Writer(child, path.clone());
    let header = mmstats::reader::StatsFileCopy::read(&path).unwrap();
    let pid = header.stats().unwrap().header().pid;
    assert!(
        pid < 10,
        "the writer sees itself as pid {pid} in its namespace"
    );
    let d = dir.to_str().unwrap();
    let said = text(&mmstats(&["dump", d]).stdout);
    assert!(said.contains("alive"), "{said}");
    let done = mmstats(&["clean", d]);
    assert!(
        text(&done.stdout).contains("removed 0 files"),
        "{}",
        text(&done.stdout)
    );
    assert!(path.exists(), "clean removed a live writer's file");
    drop(inner);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Regression: file names with control characters (an escape sequence, a newline) were
/// printed raw, so a file planted in the stats directory could rewrite the reader's terminal
/// or forge a line of output.
#[test]
fn control_characters_in_file_names_are_escaped_in_text_output() {
    let dir = temp_dir("escape");
    let monitor = Monitor::builder().in_memory().start().unwrap();
    monitor.counter("work", Meta::new()).unwrap().inc();
    let evil = dir.join("mutornadomon-\u{1b}[2J\nforged line-1.stats");
    std::fs::write(&evil, monitor.snapshot().as_bytes()).unwrap();
    std::fs::write(dir.join("mutornadomon-\u{1b}]0;x\u{7}-2.stats"), b"junk").unwrap();
    let d = dir.to_str().unwrap();
    let dump = text(&mmstats(&["dump", d]).stdout);
    assert!(dump.contains("\\u{1b}[2J\\nforged line"), "{dump:?}");
    for args in [&["dump", d][..], &["clean", "--dry-run", d][..]] {
        let out = mmstats(args);
        let all = text(&out.stdout) + &text(&out.stderr);
        assert!(
            !all.contains('\u{1b}') && !all.contains('\u{7}'),
            "{args:?}: {all:?}"
        );
        assert!(
            !all.lines().any(|l| l.starts_with("forged line")),
            "{all:?}"
        );
        assert!(
            all.contains("\\u{1b}]0;x\\u{7}-2.stats"),
            "{args:?}: {all:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dump_and_poll_show_and_select_labelled_series() {
    let dir = temp_dir("labelled");
    let monitor = Monitor::builder()
        .stats_dir(&dir)
        .program_name("labelled")
        .start()
        .unwrap();
    let requests = monitor
        .counter_family("requests", Meta::new(), &["status", "method"], 8)
        .unwrap();
    let ok = requests.series(&["200", "GET"]).unwrap();
    ok.inc_by(4);
    requests.series(&["500", "GET"]).unwrap().inc();
    requests.series(&["500", "POST \"x\""]).unwrap().inc_by(2);
    let d = dir.to_str().unwrap();

    let json: serde_json::Value =
        serde_json::from_slice(&mmstats(&["dump", "--json", d]).stdout).unwrap();
    let metrics = &json["files"][0]["metrics"];
    let ok_json = &metrics[r#"requests{status="200",method="GET"}"#];
    assert_eq!(ok_json["value"], 4, "{metrics}");
    assert_eq!(ok_json["labels"]["method"], "GET");
    assert_eq!(ok_json["name"], "requests");
    let overflow = &metrics[r#"requests{otel_metric_overflow="true"}"#];
    assert_eq!(overflow["series_limit"], 8);
    assert_eq!(overflow["folded"], 0);
    assert_eq!(
        overflow["label_names"],
        serde_json::json!(["status", "method"])
    );
    let plain = text(&mmstats(&["dump", d]).stdout);
    let line = plain
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with(r#"requests{status="500",method="POST \"x\""}"#)
        })
        .unwrap_or_else(|| panic!("{plain}"));
    assert!(line.ends_with("counter    2"), "{line}");

    let poll = |fields: &str| {
        let out = mmstats(&["poll", "-c", "1", fields, d]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let row: Vec<String> = stdout
            .lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        row
    };
    assert_eq!(
        poll(
            r#"requests,requests{status="500"},requests{status="500",method="GET"},requests{method="PUT"}"#
        ),
        ["7", "3", "1", "-"]
    );
    let bad = mmstats(&["poll", "-c", "1", "requests{status=500}", d]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "a malformed selector is a usage error"
    );
    drop(monitor);
    std::fs::remove_dir_all(&dir).unwrap();
}
