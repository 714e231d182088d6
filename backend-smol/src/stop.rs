//! The stop signal shared by the monitor's tasks: closing a channel wakes every waiter at once.

use async_channel::{Receiver, Sender};
use async_io::Timer;
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
    pub(crate) fn is_stopped(&self) -> bool {
        self.receiver.is_closed()
    }

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

    /// Runs `tick` at each deadline it returns until the monitor stops. One timer and one stop
    /// listener serve the whole loop, so a wake costs no allocation.
    pub(crate) async fn every(&self, first: Instant, mut tick: impl FnMut(Instant) -> Instant) {
        let mut timer = Timer::at(first);
        let mut stopped = pin!(self.stopped());
        loop {
            let woke = future::or(async { Some((&mut timer).await) }, async {
                stopped.as_mut().await;
                None
            })
            .await;
            let Some(_) = woke else { return };
            timer.set_at(tick(Instant::now()));
        }
    }
}
