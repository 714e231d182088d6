//! Proves that polling an instrumented future allocates nothing (the one box is made when the
//! future is wrapped). No test harness (see Cargo.toml), so nothing else allocates while we
//! count.

use mutornadomon_smol::{AsyncMonitor, Monitor};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake};

use mutornadomon_test_support::counting_alloc::{self, Counting};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Pending `left` times, then ready.
struct Countdown {
    left: usize,
}

impl Future for Countdown {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.left == 0 {
            return Poll::Ready(());
        }
        self.left -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

struct NoWake;

impl Wake for NoWake {
    fn wake(self: Arc<Self>) {}
}

fn main() {
    counting_alloc::assert_installed();

    // The tasks future is never polled, and the monitor's clock thread has nothing to wake:
    // once it has started and gone to sleep, nothing else runs while we count.
    let (monitor, _tasks) = AsyncMonitor::start(Monitor::builder().in_memory()).unwrap();
    wait_for_the_clock_to_sleep();
    let timing = monitor.task_timing().unwrap();
    let waker = Arc::new(NoWake).into();
    let mut cx = Context::from_waker(&waker);
    let mut future = timing.instrument(Countdown { left: 10_000 });

    let before = counting_alloc::allocations();
    let mut polls = 0u64;
    while Pin::new(&mut future).poll(&mut cx).is_pending() {
        polls += 1;
    }
    let allocations = counting_alloc::allocations() - before;
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in {polls} instrumented polls"
    );
    let counted = monitor
        .counter("callbacks_processed", Default::default())
        .unwrap()
        .get();
    assert_eq!(counted, polls + 1, "every poll was counted");
    println!(
        "zero_alloc: {} instrumented polls, 0 allocations",
        polls + 1
    );
}

/// Waits until the monitor's clock thread (named `mutornadomon-clock`, which Linux keeps as
/// its first 15 bytes) sleeps: its start-up allocations are over.
fn wait_for_the_clock_to_sleep() {
    let start = std::time::Instant::now();
    loop {
        let sleeping = std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("stat")).ok())
            .any(|stat| stat.contains("(mutornadomon-cl) S"));
        if sleeping {
            return;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "the clock thread never slept"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}
