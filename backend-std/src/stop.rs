//! The monitor's stop signal: threads sleep on it, futures wait for it, and one `stop` ends
//! them all at once.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// Stopped or not, with the threads and tasks waiting for it.
#[derive(Debug, Default)]
pub(crate) struct StopSignal {
    state: Mutex<State>,
    /// Wakes the threads sleeping in [`StopSignal::sleep_until`].
    wake: Condvar,
}

#[derive(Debug, Default)]
struct State {
    stopped: bool,
    /// The waiting futures' wakers, by slot; a free slot is `None` and listed in `free`.
    wakers: Vec<Option<Waker>>,
    free: Vec<usize>,
}

impl StopSignal {
    /// Stops: every sleeping thread and waiting future wakes, and later waits end at once.
    pub(crate) fn stop(&self) {
        let wakers = {
            let mut state = self.lock();
            state.stopped = true;
            state.free.clear();
            std::mem::take(&mut state.wakers)
        };
        self.wake.notify_all();
        wakers.into_iter().flatten().for_each(Waker::wake);
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.lock().stopped
    }

    /// Sleeps until `deadline` or until stopped; returns `true` if stopped.
    pub(crate) fn sleep_until(&self, deadline: Instant) -> bool {
        let mut state = self.lock();
        loop {
            if state.stopped {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self
                .wake
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays valid after a panic elsewhere: shrug off poisoning.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A future that completes when the monitor stops (from
/// [`MonitorHandle::stopped`](crate::MonitorHandle::stopped)). It holds the monitor's memory
/// alive, not its threads; dropping it before then costs nothing more.
#[must_use = "a future does nothing unless polled"]
#[derive(Debug)]
pub struct Stopped {
    signal: Arc<StopSignal>,
    slot: Option<usize>,
}

impl Stopped {
    pub(crate) fn new(signal: Arc<StopSignal>) -> Stopped {
        Stopped { signal, slot: None }
    }
}

impl Future for Stopped {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let mut state = this.signal.lock();
        if state.stopped {
            return Poll::Ready(());
        }
        match this.slot {
            Some(slot) => match &mut state.wakers[slot] {
                Some(waker) if waker.will_wake(cx.waker()) => {}
                entry => *entry = Some(cx.waker().clone()),
            },
            None => {
                let waker = Some(cx.waker().clone());
                let slot = match state.free.pop() {
                    Some(slot) => {
                        state.wakers[slot] = waker;
                        slot
                    }
                    None => {
                        state.wakers.push(waker);
                        state.wakers.len() - 1
                    }
                };
                this.slot = Some(slot);
            }
        }
        Poll::Pending
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        let Some(slot) = self.slot else { return };
        let mut state = self.signal.lock();
        // After a stop the slots were cleared: nothing to give back.
        if !state.stopped {
            if let Some(entry) = state.wakers.get_mut(slot) {
                *entry = None;
                state.free.push(slot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Wake;

    struct Count(std::sync::atomic::AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn stop_wakes_every_waiting_future_and_dropped_ones_free_their_slot() {
        let signal = Arc::new(StopSignal::default());
        let count = Arc::new(Count(Default::default()));
        let waker = Waker::from(Arc::clone(&count));
        let mut cx = Context::from_waker(&waker);
        let mut a = Box::pin(Stopped::new(Arc::clone(&signal)));
        let mut b = Box::pin(Stopped::new(Arc::clone(&signal)));
        assert!(a.as_mut().poll(&mut cx).is_pending());
        assert!(b.as_mut().poll(&mut cx).is_pending());
        drop(b);
        assert_eq!(signal.lock().free, [1]);
        let mut c = Box::pin(Stopped::new(Arc::clone(&signal)));
        assert!(c.as_mut().poll(&mut cx).is_pending());
        assert_eq!(signal.lock().wakers.len(), 2, "the freed slot is reused");
        signal.stop();
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert!(a.as_mut().poll(&mut cx).is_ready());
        assert!(c.as_mut().poll(&mut cx).is_ready());
        assert!(signal.sleep_until(Instant::now() + std::time::Duration::from_secs(60)));
    }
}
