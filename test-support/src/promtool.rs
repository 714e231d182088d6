//! `promtool check metrics` on a text.

use std::io::Write;
use std::process::{Command, ExitStatus, Stdio};

/// Runs `promtool check metrics` on `text`: its exit status and what it said.
fn run(text: &str) -> (ExitStatus, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool on PATH");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status, said)
}

/// Runs `promtool check metrics` on `text`; panics with what it said unless it passed silently.
pub fn promtool_check(text: &str) {
    let (status, said) = run(text);
    assert!(
        status.success(),
        "promtool failed:\n{said}\n--- input ---\n{text}"
    );
    assert!(said.trim().is_empty(), "promtool complained:\n{said}");
}

/// Runs `promtool check metrics` on `text`; panics unless the page parses. Unlike
/// [`promtool_check`], lint findings about how metrics are named (a gauge called `x_count`,
/// exit status 3) are accepted: the page is valid, the names are the writers' choice.
pub fn promtool_parses(text: &str) {
    let (status, said) = run(text);
    let lint_only = status.code() == Some(3) && !said.contains("error");
    assert!(
        status.success() || lint_only,
        "promtool refused the page:\n{said}\n--- input ---\n{text}"
    );
}
