//! The monitor's handles go where the program goes: `'static`, `Send + Sync`, into plain
//! `std::thread::spawn`, structs and `static`s; after the monitor stops or is dropped they keep
//! working on its memory; registration errors convert into `io::Error`.

use mutornadomon_core::Meta;
use mutornadomon_std::{Counter, Gauge, Histogram, Monitor, RequestAccounting, ShardedCounter};
use std::io;
use std::sync::OnceLock;
use std::time::Duration;

fn is_static_send_sync<T: 'static + Send + Sync + Clone>() {}

#[test]
fn handles_are_static_send_sync_and_clone() {
    is_static_send_sync::<Counter>();
    is_static_send_sync::<Gauge>();
    is_static_send_sync::<Histogram>();
    is_static_send_sync::<ShardedCounter>();
    is_static_send_sync::<RequestAccounting>();
}

#[test]
fn handles_move_into_spawned_threads() -> io::Result<()> {
    let monitor = Monitor::builder().in_memory().start()?;
    let jobs = monitor.counter("jobs", Meta::new())?;
    let depth = monitor.gauge("depth", Meta::new())?;
    let took = monitor.histogram("took", Meta::new().unit("nanoseconds"))?;
    let hits = monitor.sharded_counter("hits", Meta::new(), 4)?;
    let workers: Vec<_> = (0..4)
        .map(|i| {
            let (jobs, depth, took, hits) =
                (jobs.clone(), depth.clone(), took.clone(), hits.clone());
            // Not scoped: the closure must be 'static.
            std::thread::spawn(move || {
                let shard = hits.claim().expect("a shard per worker");
                for _ in 0..1000 {
                    jobs.inc();
                    shard.inc();
                }
                depth.set(f64::from(i));
                took.record_duration(Duration::from_micros(5)).unwrap();
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(jobs.get(), 4000);
    assert_eq!(hits.get(), 4000);
    assert_eq!(took.count(), 4);
    assert_eq!(depth.max(), 3.0);
    let json = monitor.snapshot().to_json();
    assert!(json.contains(r#""jobs":4000"#), "{json}");
    Ok(())
}

/// A metric in a `static`, registered once and used from anywhere: the pattern of the
/// `metrics` crate's users.
static REQUESTS: OnceLock<Counter> = OnceLock::new();

#[test]
fn a_handle_lives_in_a_static() -> io::Result<()> {
    let monitor = Monitor::builder().in_memory().start()?;
    REQUESTS.get_or_init(|| monitor.counter("requests", Meta::new()).unwrap());
    std::thread::spawn(|| REQUESTS.get().unwrap().inc_by(2))
        .join()
        .unwrap();
    assert!(monitor.snapshot().to_json().contains(r#""requests":2"#));
    Ok(())
}

#[test]
fn handles_outlive_their_monitor() -> io::Result<()> {
    let dir = std::env::temp_dir().join(format!("mutornadomon-handles-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let monitor = Monitor::builder()
        .stats_dir(&dir)
        .program_name("handles")
        .start()?;
    let path = monitor.stats_file().unwrap().to_path_buf();
    let jobs = monitor.counter("jobs", Meta::new())?;
    let handle = monitor.handle();
    jobs.inc();

    monitor.stop(); // stopped, not dropped: the file stays, the handle still counts into it
    jobs.inc();
    assert!(path.exists());
    let image = std::fs::read(&path)?;
    let stats = mutornadomon_core::parse(&image).unwrap();
    let on_disk = stats
        .records()
        .map_while(Result::ok)
        .find(|r| r.name == "jobs");
    assert!(matches!(
        on_disk.map(|r| r.value),
        Some(mutornadomon_core::Value::Counter(2))
    ));

    drop(monitor); // the file goes; the handle still works on the memory it keeps
    assert!(!path.exists());
    jobs.inc();
    assert_eq!(jobs.get(), 3);
    assert!(handle.snapshot().to_json().contains(r#""jobs":3"#));
    // Registering through a handle's region still works too, and nothing crashes on drop.
    handle.region().count("late", 1).unwrap();
    drop(handle);
    jobs.inc();
    drop(jobs);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[test]
fn registration_errors_are_io_errors() {
    fn register(monitor: &Monitor) -> io::Result<Counter> {
        Ok(monitor.counter("9lives", Meta::new())?)
    }
    fn boxed(monitor: &Monitor) -> Result<Gauge, Box<dyn std::error::Error>> {
        monitor.counter("taken", Meta::new())?;
        Ok(monitor.gauge("taken", Meta::new())?)
    }
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let err = register(&monitor).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "invalid metric name: name must start with a letter or '_'"
    );
    let err = boxed(&monitor).unwrap_err();
    assert_eq!(
        err.to_string(),
        "name already registered as a counter, cannot register it as a gauge"
    );
}
