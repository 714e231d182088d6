//! `mmstats clean`: remove the files of writers that are gone.

use crate::{string, Usage};
use mmstats::printable::{printable, printable_path};
use mmstats::reader::{expand, liveness, Liveness, StatsFileCopy};

const HELP: &str = "\
mmstats clean [--dry-run] [PATH|DIR...]

Removes stats files whose writer is dead, or whose pid now belongs to another process (its
start time differs). Never removes the file of a live writer, stalled or not, nor a file it
cannot read or parse. Prints what it removed and how many live files it kept.

  --dry-run  say what would be removed, remove nothing
  -h, --help this help
";

pub fn run(mut parser: lexopt::Parser) -> Result<u8, Usage> {
    use lexopt::Arg::{Long, Short, Value as Free};
    let (mut dry_run, mut args) = (false, Vec::new());
    while let Some(arg) = parser.next()? {
        match arg {
            Long("dry-run") => dry_run = true,
            Long("help") | Short('h') => {
                print!("{HELP}");
                return Ok(0);
            }
            Free(v) => args.push(string(v)?),
            other => return Err(Usage(other.unexpected().to_string(), HELP)),
        }
    }
    let (paths, errors) = expand(&args);
    let mut failed = !errors.is_empty();
    for (path, error) in &errors {
        eprintln!("{}: {}", printable(path), printable(error));
    }
    let (mut kept, mut removed, mut unknown) = (0, 0, 0);
    for path in paths {
        let copy = match StatsFileCopy::read(&path) {
            Ok(copy) => copy,
            Err(e) => {
                eprintln!("skipped {}: {e}", printable_path(&path));
                failed = true;
                continue;
            }
        };
        let state = match copy.stats() {
            Ok(stats) => liveness(stats.header()),
            Err(e) => {
                eprintln!("skipped {}: {e}", printable_path(&path));
                failed = true;
                continue;
            }
        };
        let pid = copy.stats().map(|s| s.header().pid).unwrap_or(0);
        match state {
            Liveness::Dead | Liveness::PidReused => {
                let verb = if dry_run { "would remove" } else { "removed" };
                if !dry_run {
                    if let Err(e) = std::fs::remove_file(&path) {
                        eprintln!("could not remove {}: {e}", printable_path(&path));
                        failed = true;
                        continue;
                    }
                }
                removed += 1;
                println!(
                    "{verb} {} (writer pid {pid}: {state})",
                    printable_path(&path)
                );
            }
            Liveness::Alive | Liveness::Stalled => kept += 1,
            Liveness::Unknown => unknown += 1,
        }
    }
    let verb = if dry_run { "would remove" } else { "removed" };
    println!(
        "{verb} {removed} file{}, kept {kept} live file{}",
        plural(removed),
        plural(kept)
    );
    if unknown > 0 {
        println!(
            "kept {unknown} file{} naming no writer pid",
            plural(unknown)
        );
    }
    Ok(u8::from(failed))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
