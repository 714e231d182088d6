//! Readers read what a file's header commits, not what the file claims. Regression: a valid
//! header truncated out to 1 GiB (`truncate -s 1G`, which anyone can do in /dev/shm) cost
//! `mmstats` and `tools/read_stats.py` 1 GiB of memory each; under `ulimit -v 524288` dump
//! aborted ("memory allocation of 1073741824 bytes failed") and the other files' output was
//! lost. Both readers now read the header, then at most what it commits.

use mutornadomon_core::{Meta, HEADER_BYTES};
use mutornadomon_std::Monitor;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    max_rss_kib: i64,
}

/// Runs `program args` under a 512 MiB address-space limit, with its peak RSS.
#[allow(clippy::zombie_processes)] // reaped by `wait4` below, which also gives its rusage
fn limited(program: &str, args: &[&Path]) -> Run {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 524288 && exec \"$@\"")
        .arg("sh")
        .arg(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        err.read_to_string(&mut text).unwrap();
        text
    });
    let mut stdout = String::new();
    out.read_to_string(&mut stdout).unwrap();
    let stderr = err_reader.join().unwrap();
    let pid = i32::try_from(child.id()).unwrap();
    let mut status = 0;
    // SAFETY: all-zero bytes are a valid `rusage` (integers and timevals).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not reaped yet (`Child::wait` is never called; dropping a
    // `Child` does not wait); `status` and `usage` are valid for writes for the call.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Run {
        code,
        stdout,
        stderr,
        max_rss_kib: usage.ru_maxrss,
    }
}

/// A directory with a good stats file (a copy of a live writer's) and, if `sparse`, a file
/// holding that file's header and then nothing, 1 GiB long.
fn files(name: &str, sparse: bool) -> (PathBuf, PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("mmstats-bounded-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let monitor = Monitor::builder().in_memory().start().unwrap();
    monitor.counter("work", Meta::new()).unwrap().inc_by(5);
    let good = dir.join(format!("mutornadomon-good-{}.stats", std::process::id()));
    std::fs::write(&good, monitor.snapshot().as_bytes()).unwrap();
    let bad = dir.join("mutornadomon-sparse-1.stats");
    if sparse {
        let snapshot = monitor.snapshot();
        std::fs::write(&bad, &snapshot.as_bytes()[..HEADER_BYTES]).unwrap();
        let file = std::fs::OpenOptions::new().write(true).open(&bad).unwrap();
        file.set_len(1 << 30).unwrap();
    }
    (dir, good, bad)
}

/// What both readers must do next to the sparse file: exit 1, name the bad file on stderr,
/// print the good one (`good_mark` in its output), and cost under 16 MiB more than without it.
fn assert_bounded(plain: &Run, run: &Run, bad: &Path, good_mark: &str) {
    assert_eq!(plain.code, Some(0), "{}", plain.stderr);
    assert_eq!(run.code, Some(1), "exit 1 for the bad file: {}", run.stderr);
    assert!(run.stdout.contains(good_mark), "{}", run.stdout);
    let bad = bad.display().to_string();
    assert!(run.stderr.contains(&bad), "{}", run.stderr);
    let extra = run.max_rss_kib - plain.max_rss_kib;
    assert!(
        extra < 16 * 1024,
        "the sparse file cost {extra} KiB ({} then {})",
        plain.max_rss_kib,
        run.max_rss_kib
    );
}

#[test]
fn mmstats_dump_reads_what_a_header_commits_and_prints_every_good_file() {
    let mmstats = env!("CARGO_BIN_EXE_mmstats");
    let (dir, _, _) = files("dump-plain", false);
    let plain = limited(mmstats, &[Path::new("dump"), &dir]);
    let (sparse_dir, good, bad) = files("dump-sparse", true);
    let run = limited(mmstats, &[Path::new("dump"), &sparse_dir]);
    assert_bounded(&plain, &run, &bad, &good.display().to_string());
    assert!(run.stdout.contains("work"), "{}", run.stdout);
    let _ = (
        std::fs::remove_dir_all(&dir),
        std::fs::remove_dir_all(&sparse_dir),
    );
}

#[test]
fn the_python_reader_reads_what_a_header_commits_and_prints_every_good_file() {
    let script = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../read_stats.py"));
    let (dir, good, _) = files("python-plain", false);
    let plain = limited("python3", &[script, &good]);
    let (sparse_dir, good, bad) = files("python-sparse", true);
    let run = limited("python3", &[script, &bad, &good]);
    assert_bounded(&plain, &run, &bad, "\"work\"");
    let _ = (
        std::fs::remove_dir_all(&dir),
        std::fs::remove_dir_all(&sparse_dir),
    );
}

#[test]
fn the_python_reader_refuses_what_is_not_a_regular_file() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../read_stats.py");
    let run = limited("python3", &[Path::new(script), Path::new("/dev/zero")]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    let fifo = std::env::temp_dir().join(format!("mmstats-fifo-{}", std::process::id()));
    let _ = std::fs::remove_file(&fifo);
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let run = limited("python3", &[Path::new(script), &fifo]); // must not block
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let _ = std::fs::remove_file(&fifo);
}
