//! `mmstats`: read the stats files every mutornadomon-rs writer on this host keeps.
//!
//! ```text
//! mmstats dump  [--json] [PATH|DIR|GLOB...]     every writer and its metrics (slurpstats)
//! mmstats poll  [options] FIELDS [PATH...]      vmstat-like deltas per interval (pollstats)
//! mmstats clean [--dry-run] [PATH|DIR...]       remove files of dead writers (cleanstats)
//! mmstats serve [--addr HOST:PORT] [DIR]        web page, JSON API, /metrics for all (mmash)
//! ```
//!
//! Without paths, each reads the default directory (`$MMSTATS_PATH`, else `/dev/shm`, else
//! the temp dir), as writers do. Exit codes: 0 success; 1 some file could not be read or
//! parsed, or could not be removed (the rest was still processed); 2 usage error.

mod clean;
mod dump;
mod poll;
mod serve;

use std::process::ExitCode;

const USAGE: &str = "\
mmstats: read the stats files of mutornadomon-rs writers on this host

usage:
  mmstats dump  [--json] [PATH|DIR|GLOB...]   every writer with its liveness, then its metrics
  mmstats poll  [options] FIELDS [PATH...]    a vmstat-like view: counters as deltas per interval
  mmstats clean [--dry-run] [PATH|DIR...]     remove files whose writer is dead or whose pid was reused
  mmstats serve [--addr HOST:PORT] [DIR]      a web page with live graphs, a JSON API, /metrics for every writer
  mmstats help | SUBCOMMAND --help

Without paths: $MMSTATS_PATH, else /dev/shm, else the temp dir (where writers put files).
Exit codes: 0 success, 1 some file unreadable, corrupt or not removable, 2 usage error.
";

/// A usage error: the message, and the help to show with it.
pub struct Usage(pub String, pub &'static str);

impl From<lexopt::Error> for Usage {
    fn from(e: lexopt::Error) -> Self {
        Usage(e.to_string(), USAGE)
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let command = args
        .next()
        .and_then(|a| a.into_string().ok())
        .unwrap_or_default();
    let rest: Vec<_> = args.collect();
    let parser = lexopt::Parser::from_args(rest);
    let result = match command.as_str() {
        "dump" => dump::run(parser),
        "poll" => poll::run(parser),
        "clean" => clean::run(parser),
        "serve" => serve::run(parser),
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(0)
        }
        "" => Err(Usage("no subcommand".into(), USAGE)),
        other => Err(Usage(format!("unknown subcommand {other:?}"), USAGE)),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Usage(message, help)) => {
            eprintln!("mmstats: {message}\n\n{help}");
            ExitCode::from(2)
        }
    }
}

/// Reads a value argument as a UTF-8 string.
pub fn string(value: std::ffi::OsString) -> Result<String, Usage> {
    value
        .into_string()
        .map_err(|v| Usage(format!("not UTF-8: {v:?}"), USAGE))
}
