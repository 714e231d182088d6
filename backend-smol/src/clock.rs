//! The monitor's clock: one thread that wakes the monitor's tasks at their deadlines.
//!
//! Why not async-io's `Timer`: on the project's VMs an async-io timer waking every 20 ms cost
//! 0.75% of a core with nothing else running, because every wake hands the reactor between
//! the `block_on` thread and async-io's own driver thread, which then backs off through ten
//! timed futex sleeps (`bench/probe_cost.sh` and BENCHMARKS.md have the numbers and the
//! strace). Here a wake is one timed sleep on this thread and one futex wake of the executor's
//! thread, and the reactor is not touched.
//!
//! What the probe measures is unchanged: the task is woken at its deadline and measures how
//! late its executor polls it.
//!
//! The clock learns each alarm's period (the gap between its last two deadlines) and sleeps
//! until the next one it expects, so that a task setting its next deadline one period on (the
//! probe's and the publisher's steady state) does not have to wake the thread to say so.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// Starts the clock's thread with `N` alarms; the thread ends when every alarm is dropped.
pub(crate) fn alarms<const N: usize>() -> std::io::Result<[Alarm; N]> {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            slots: std::array::from_fn::<_, N, _>(|_| Slot::default()).into(),
            alive: N,
            sleep: Sleep::Awake,
        }),
        changed: Condvar::new(),
    });
    let for_thread = Arc::clone(&shared);
    thread::Builder::new()
        .name("mutornadomon-clock".into())
        .spawn(move || for_thread.run())?;
    Ok(std::array::from_fn(|index| Alarm {
        shared: Arc::clone(&shared),
        index,
    }))
}

/// One task's deadline on the clock.
#[derive(Debug)]
pub(crate) struct Alarm {
    shared: Arc<Shared>,
    index: usize,
}

impl Alarm {
    /// Asks to be woken at `deadline` (replacing any earlier request; a fired alarm not yet
    /// collected by [`poll_fired`](Self::poll_fired) is forgotten).
    pub(crate) fn set(&self, deadline: Instant) {
        let mut state = self.shared.lock();
        let slot = &mut state.slots[self.index];
        slot.armed = Some(deadline);
        slot.fired = false;
        let wakes_in_time = match state.sleep {
            // The thread looks at every slot before it sleeps again.
            Sleep::Awake => true,
            Sleep::Until(until) => until <= deadline,
            Sleep::Forever => false,
        };
        if !wakes_in_time {
            state.sleep = Sleep::Awake;
            self.shared.changed.notify_one();
        }
    }

    /// Ready once the deadline last [`set`](Self::set) has passed.
    pub(crate) fn poll_fired(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.shared.lock();
        let slot = &mut state.slots[self.index];
        if slot.fired {
            slot.fired = false;
            return Poll::Ready(());
        }
        if !slot.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            slot.waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.slots[self.index] = Slot::default();
        state.alive -= 1;
        if state.alive == 0 {
            self.shared.changed.notify_one();
        }
    }
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// Wakes the thread: an earlier deadline, or the last alarm gone.
    changed: Condvar,
}

#[derive(Debug)]
struct State {
    slots: Box<[Slot]>,
    /// Alarms not yet dropped; the thread ends at zero.
    alive: usize,
    /// What the thread is doing, so that setting a deadline wakes it only when it must.
    sleep: Sleep,
}

#[derive(Debug, Clone, Copy)]
enum Sleep {
    /// Running: it will look at every slot before it sleeps.
    Awake,
    /// Sleeping until this instant.
    Until(Instant),
    /// Sleeping until told.
    Forever,
}

#[derive(Debug, Default)]
struct Slot {
    /// The deadline the task asked for, until it passes.
    armed: Option<Instant>,
    /// The deadline passed and the task has not seen it yet.
    fired: bool,
    waker: Option<Waker>,
    /// The last deadline that passed, and the gap before it: where the next one is expected.
    last: Option<Instant>,
    period: Option<Duration>,
}

impl Slot {
    /// Fires the slot if its deadline has passed, returning the waker to wake.
    fn fire_if_due(&mut self, now: Instant) -> Option<Waker> {
        let deadline = self.armed.filter(|&deadline| deadline <= now)?;
        self.armed = None;
        self.fired = true;
        self.period = self
            .last
            .map(|last| deadline.saturating_duration_since(last));
        self.last = Some(deadline);
        self.waker.take()
    }

    /// When the thread should next look at this slot: its deadline, or (when the task has not
    /// set the next one yet) one period after the last.
    fn next_look(&self, now: Instant) -> Option<Instant> {
        self.armed.or_else(|| {
            let expected = self.last? + self.period?;
            (expected > now).then_some(expected)
        })
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; a poisoned state is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn run(&self) {
        let mut due: Vec<Waker> = Vec::new();
        let mut state = self.lock();
        while state.alive > 0 {
            let now = Instant::now();
            due.extend(
                state
                    .slots
                    .iter_mut()
                    .filter_map(|slot| slot.fire_if_due(now)),
            );
            if !due.is_empty() {
                // Wake outside the lock: a waker may run executor code.
                drop(state);
                due.drain(..).for_each(Waker::wake);
                state = self.lock();
                continue;
            }
            let next = state.slots.iter().filter_map(|s| s.next_look(now)).min();
            state.sleep = next.map_or(Sleep::Forever, Sleep::Until);
            state = match next {
                Some(until) => {
                    let wait = until.saturating_duration_since(now);
                    let (state, _) = self
                        .changed
                        .wait_timeout(state, wait)
                        .unwrap_or_else(PoisonError::into_inner);
                    state
                }
                None => self
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
            };
            state.sleep = Sleep::Awake;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_lite::future;

    struct NoWake;

    impl std::task::Wake for NoWake {
        fn wake(self: Arc<Self>) {}
    }

    fn fired(alarm: &Alarm) {
        future::block_on(future::poll_fn(|cx| alarm.poll_fired(cx)));
    }

    #[test]
    fn an_alarm_fires_at_its_deadline_and_not_before() {
        let [alarm] = alarms::<1>().unwrap();
        let mut deadline = Instant::now();
        for _ in 0..10 {
            deadline += Duration::from_millis(7);
            alarm.set(deadline);
            fired(&alarm);
            assert!(Instant::now() >= deadline);
        }
    }

    #[test]
    fn an_earlier_deadline_wakes_the_sleeping_thread() {
        let [alarm] = alarms::<1>().unwrap();
        let start = Instant::now();
        alarm.set(start + Duration::from_secs(3600));
        // Let the thread go to sleep until the hour is up.
        thread::sleep(Duration::from_millis(20));
        alarm.set(Instant::now() + Duration::from_millis(5));
        fired(&alarm);
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "waited for the old deadline"
        );
    }

    #[test]
    fn a_late_next_deadline_is_not_fired_at_the_expected_one() {
        // The clock expects period 10 ms; the task asks for 50 ms instead.
        let [alarm] = alarms::<1>().unwrap();
        let mut deadline = Instant::now();
        for gap in [10, 10, 10, 50, 10] {
            deadline += Duration::from_millis(gap);
            alarm.set(deadline);
            fired(&alarm);
            assert!(
                Instant::now() >= deadline,
                "fired before a {gap} ms deadline"
            );
        }
    }

    #[test]
    fn alarms_are_independent() {
        let [slow, fast] = alarms::<2>().unwrap();
        let start = Instant::now();
        slow.set(start + Duration::from_secs(3600));
        fast.set(start + Duration::from_millis(5));
        fired(&fast);
        let waker = Waker::from(Arc::new(NoWake));
        let mut cx = Context::from_waker(&waker);
        assert!(slow.poll_fired(&mut cx).is_pending());
    }

    #[test]
    fn the_thread_ends_when_every_alarm_is_dropped() {
        let [a, b] = alarms::<2>().unwrap();
        let shared = Arc::downgrade(&a.shared);
        a.set(Instant::now() + Duration::from_secs(3600));
        drop(a);
        thread::sleep(Duration::from_millis(20));
        assert!(shared.upgrade().is_some(), "one alarm is still alive");
        drop(b);
        let start = Instant::now();
        while shared.upgrade().is_some() {
            assert!(
                start.elapsed() < Duration::from_secs(600),
                "the thread kept running"
            );
            thread::sleep(Duration::from_millis(1));
        }
    }
}
