//! A server's stop signal (closing a channel wakes every one of its connections at once), and
//! the loop of the monitor's tasks, which ends on the monitor's own stop.

use crate::clock::Alarm;
use async_channel::{Receiver, Sender};
use futures_lite::future;
use std::future::Future;
use std::pin::pin;
use std::time::Instant;

/// Ends the tasks: dropping or [`stop`](Self::stop)ping it closes the channel.
#[derive(Debug)]
pub(crate) struct Stopper {
    sender: Sender<()>,
    receiver: Receiver<()>,
}

impl Stopper {
    pub(crate) fn new() -> Stopper {
        let (sender, receiver) = async_channel::bounded(1);
        Stopper { sender, receiver }
    }

    pub(crate) fn listener(&self) -> StopListener {
        StopListener {
            receiver: self.receiver.clone(),
        }
    }

    pub(crate) fn stop(&self) {
        self.sender.close();
    }
}

impl Drop for Stopper {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits for the stop signal.
#[derive(Debug, Clone)]
pub(crate) struct StopListener {
    receiver: Receiver<()>,
}

impl StopListener {
    /// Completes when the monitor stops.
    pub(crate) async fn stopped(&self) {
        // Nothing is ever sent: `recv` only returns once the channel is closed.
        let _ = self.receiver.recv().await;
    }

    /// Runs `work` until it completes (`Some`) or the monitor stops (`None`).
    pub(crate) async fn or_stopped<T>(&self, work: impl Future<Output = T>) -> Option<T> {
        future::or(async { Some(work.await) }, async {
            self.stopped().await;
            None
        })
        .await
    }
}

/// Runs `tick` at each deadline it returns, woken by `alarm`, until `stopped` completes (the
/// monitor's stop). One alarm and one stop future serve the whole loop, so a wake costs no
/// allocation.
pub(crate) async fn every(
    stopped: impl Future<Output = ()>,
    alarm: Alarm,
    first: Instant,
    mut tick: impl FnMut(Instant) -> Instant,
) {
    alarm.set(first);
    let mut stopped = pin!(stopped);
    loop {
        let fired = future::or(
            async {
                future::poll_fn(|cx| alarm.poll_fired(cx)).await;
                true
            },
            async {
                stopped.as_mut().await;
                false
            },
        )
        .await;
        if !fired {
            return;
        }
        alarm.set(tick(Instant::now()));
    }
}
