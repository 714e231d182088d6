//! Task timing, mutornadomon's callback stats for an async program: every poll of an
//! instrumented future is timed.
//!
//! | mutornadomon (Tornado)      | here                                                        |
//! |-----------------------------|-------------------------------------------------------------|
//! | `callbacks_processed`       | `callbacks_processed`: polls of instrumented futures         |
//! | `callback_duration` (sum)   | `callback_duration`: histogram of poll times (its sum is the original's counter), ns |
//! | —                           | `slow_callbacks`: polls longer than the slow threshold (1 ms by default) |
//! | —                           | `executor_busy_ratio`: poll time per probe interval over the interval's length |
//!
//! A Tornado callback runs from start to end on the loop; a future runs in polls, each from a
//! wake to its next `.await` that is not ready, so a poll is the unit that holds the executor.

use mutornadomon_core::{Meta, RegisterError};
use mutornadomon_std::{Counter, Histogram};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The poll counter's name.
pub const POLLS: &str = "callbacks_processed";
/// The poll duration histogram's name (nanoseconds).
pub const POLL_DURATION: &str = "callback_duration";
/// The slow poll counter's name.
pub const SLOW_POLLS: &str = "slow_callbacks";
/// The busy ratio gauge's name.
pub const BUSY_RATIO: &str = "executor_busy_ratio";

pub(crate) const POLL_DURATION_META: Meta<'static> = Meta::new()
    .help("Time each poll of an instrumented future took")
    .unit("nanoseconds");

/// Whether any task timing was asked for (the probe only then reports the busy ratio).
#[derive(Debug, Default)]
pub(crate) struct TimingState {
    pub(crate) used: AtomicBool,
}

/// Times polls of futures: see the [module docs](self) for the metrics. `'static` and cheap to
/// clone (like the monitor's other handles); one [`instrument`](Self::instrument) per task,
/// which works for `smol::spawn` as well as a borrowed executor.
///
/// ```
/// use mutornadomon_smol::{AsyncMonitor, Monitor};
///
/// let (monitor, _tasks) = AsyncMonitor::start(Monitor::builder().in_memory())?;
/// let timing = monitor.task_timing()?;
/// let answer = futures_lite::future::block_on(timing.instrument(async {
///     async_io::Timer::after(std::time::Duration::from_millis(1)).await;
///     42
/// }));
/// assert_eq!(answer, 42);
/// assert!(monitor.counter("callbacks_processed", Default::default())?.get() >= 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TaskTiming {
    polls: Counter,
    slow: Counter,
    durations: Histogram,
    slow_threshold: Duration,
}

impl crate::AsyncMonitor {
    /// Registers the task timing metrics and returns the handle that instruments futures.
    pub fn task_timing(&self) -> Result<TaskTiming, RegisterError> {
        let timing = TaskTiming {
            polls: self.counter(POLLS, Meta::new().help("Polls of instrumented futures"))?,
            slow: self.counter(
                SLOW_POLLS,
                Meta::new().help("Polls of instrumented futures over the slow threshold"),
            )?,
            durations: self.histogram(POLL_DURATION, POLL_DURATION_META)?,
            slow_threshold: Duration::from_millis(1),
        };
        // Relaxed: a flag read by the probe at its next window; nothing else depends on it.
        self.timing.used.store(true, Ordering::Relaxed);
        Ok(timing)
    }
}

impl TaskTiming {
    /// Polls longer than `threshold` count as slow (default 1 ms: longer, and other tasks on
    /// the thread wait noticeably).
    pub fn slow_poll_threshold(mut self, threshold: Duration) -> Self {
        self.slow_threshold = threshold;
        self
    }

    /// Wraps `future` so that each of its polls is counted and timed. Allocates once (the
    /// future is pinned in a box, so the wrapper is `Unpin`); polls do not allocate.
    pub fn instrument<F: Future>(&self, future: F) -> Instrumented<F> {
        Instrumented {
            future: Box::pin(future),
            timing: self.clone(),
        }
    }

    /// Records one poll (or one callback of your own) that took `duration`.
    pub fn record_poll(&self, duration: Duration) {
        self.polls.inc();
        self.durations
            .record(u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX));
        if duration > self.slow_threshold {
            self.slow.inc();
        }
    }
}

/// A future whose polls are timed: see [`TaskTiming::instrument`].
#[must_use = "futures do nothing unless polled"]
pub struct Instrumented<F> {
    future: Pin<Box<F>>,
    timing: TaskTiming,
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let started = Instant::now();
        let result = self.future.as_mut().poll(cx);
        self.timing.record_poll(started.elapsed());
        result
    }
}

impl<F> std::fmt::Debug for Instrumented<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instrumented")
            .field("timing", &self.timing)
            .finish_non_exhaustive()
    }
}
