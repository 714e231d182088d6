//! Proves that polling an instrumented future allocates nothing (the one box is made when the
//! future is wrapped). No test harness (see Cargo.toml), so nothing else allocates while we
//! count.

use mutornadomon_smol::AsyncMonitor;
use mutornadomon_std::Monitor;
use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: defers every call to `System` unchanged; counting has no effect on the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

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
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    drop(std::hint::black_box(vec![0u8; 64]));
    assert!(
        ALLOCATIONS.load(Ordering::Relaxed) > before,
        "the counting allocator is not installed"
    );

    // The tasks future is never polled: nothing else runs while we count.
    let (monitor, _tasks) = AsyncMonitor::start(Monitor::builder().in_memory()).unwrap();
    let timing = monitor.task_timing().unwrap();
    let waker = Arc::new(NoWake).into();
    let mut cx = Context::from_waker(&waker);
    let mut future = timing.instrument(Countdown { left: 10_000 });

    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut polls = 0u64;
    while Pin::new(&mut future).poll(&mut cx).is_pending() {
        polls += 1;
    }
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
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
