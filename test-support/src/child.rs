//! Child writer processes: the test binary re-run as a writer of its own.

/// Re-runs this test binary as a child process running only the test `name` (which acts as
/// a writer when `envs` are set), and waits for it to print `STATS <path>`.
pub fn spawn_child(
    name: &str,
    envs: &[(&str, String)],
) -> (std::process::Child, std::path::PathBuf) {
    spawn_child_with(&[], name, envs)
}

/// [`spawn_child`] run through a launcher, e.g. `["unshare", "--pid", "--fork"]`.
pub fn spawn_child_with(
    launcher: &[&str],
    name: &str,
    envs: &[(&str, String)],
) -> (std::process::Child, std::path::PathBuf) {
    use std::io::{BufRead, BufReader};
    let exe = std::env::current_exe().unwrap();
    let mut command = match launcher.split_first() {
        Some((program, args)) => {
            let mut command = std::process::Command::new(program);
            command.args(args).arg(&exe);
            command
        }
        None => std::process::Command::new(&exe),
    };
    let mut child = command
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    // The harness prints "test <name> ... " on the same line first.
    let path = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.split_once("STATS ").map(|(_, p)| p.into()))
        .unwrap();
    (child, path)
}
