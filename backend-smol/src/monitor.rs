//! The async monitor: the std backend's monitor without threads, its probe and publisher run
//! as one future on the program's executor, and a stop that ends them at once.

use crate::clock::{self, Alarm};
use crate::probe::BusyRatio;
use crate::stop::every;
use crate::timing::TimingState;
use futures_lite::future;
use mutornadomon_http::Endpoint;
use mutornadomon_std::{Drivers, Monitor, MonitorBuilder, MonitorHandle};
use std::future::Future;
use std::io;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A monitor for a smol (async-executor / async-io) program.
///
/// It is a [`mutornadomon_std::Monitor`] (the stats file, process stats and the whole
/// metrics API, through `Deref`) whose latency probe and publisher are not threads but a
/// future, [`MonitorTasks`], that you spawn on your executor. [`stop`](Self::stop) (or drop)
/// ends that future, the endpoint and its connections promptly; dropping it removes the stats
/// file.
///
/// ```
/// use mutornadomon_smol::{AsyncMonitor, Monitor};
///
/// let ex = async_executor::Executor::new();
/// let (monitor, tasks) = AsyncMonitor::start(Monitor::builder().in_memory())?;
/// let tasks = ex.spawn(tasks);
/// monitor.count("jobs", 1)?; // the std monitor's API
/// monitor.stop();
/// futures_lite::future::block_on(ex.run(tasks)); // ends at once
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "dropping the monitor stops it and removes its stats file: bind it"]
pub struct AsyncMonitor {
    monitor: Monitor,
    pub(crate) timing: Arc<TimingState>,
}

impl AsyncMonitor {
    /// Starts the monitor `builder` describes (its stats file and built-in metrics) and returns
    /// it with its periodic work, which runs once you spawn it (or `block_on` it).
    pub fn start(builder: MonitorBuilder) -> io::Result<(AsyncMonitor, MonitorTasks)> {
        let (monitor, drivers) = builder.start_undriven()?;
        let timing = Arc::new(TimingState::default());
        let tasks = MonitorTasks::new(
            drivers,
            clock::alarms()?,
            monitor.handle(),
            Arc::clone(&timing),
        );
        Ok((AsyncMonitor { monitor, timing }, tasks))
    }

    /// Ends the monitor's tasks, its endpoint servers and their connections, each at its next
    /// poll (which the stop wakes): [`Monitor::stop`], for a monitor whose periodic work is a
    /// future. It takes `&self` so that tasks borrowing the monitor can be run to their end
    /// after it; the metrics stay usable. Dropping the monitor stops too, and removes the
    /// stats file once its last handle is gone.
    pub fn stop(&self) {
        self.monitor.stop();
    }

    /// The HTTP endpoint for this monitor's pages (the one builder of `mutornadomon-http`):
    /// serve it with [`EndpointServer::bind`](crate::EndpointServer::bind).
    pub fn endpoint(&self) -> Endpoint<'static> {
        Endpoint::new(&self.monitor)
    }
}

impl Deref for AsyncMonitor {
    type Target = Monitor;

    fn deref(&self) -> &Monitor {
        &self.monitor
    }
}

impl std::fmt::Debug for AsyncMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncMonitor")
            .field("monitor", &self.monitor)
            .finish_non_exhaustive()
    }
}

/// The monitor's periodic work as one future: the executor lag probe (waking every 20 ms by
/// default, reporting each 100 ms; it also writes the heartbeat and refreshes process stats), the task
/// timing busy ratio, and the publisher. It completes when the monitor stops.
///
/// Spawn it on the executor whose lag you want measured: the monitor's clock thread (one per
/// monitor, named `mutornadomon-clock`, ending with this future) wakes the probe at each
/// deadline, and the probe measures how late that executor polls it after the wake, which is
/// how long the executor's thread was busy with other tasks.
#[must_use = "the monitor's probe and publisher only run when this future is polled"]
pub struct MonitorTasks {
    inner: Pin<Box<dyn Future<Output = ()> + Send + 'static>>,
}

impl MonitorTasks {
    fn new(
        drivers: Drivers,
        [probe_alarm, publish_alarm]: [Alarm; 2],
        handle: MonitorHandle,
        timing: Arc<TimingState>,
    ) -> MonitorTasks {
        let Drivers {
            mut probe,
            mut publisher,
        } = drivers;
        // Both loops end on the monitor's stop (`Monitor::stop`, or its drop).
        let (probe_stop, publish_stop) = (handle.stopped(), handle.stopped());
        let probe_task = async move {
            let now = std::time::Instant::now();
            probe.begin(now);
            let mut busy = BusyRatio::new(handle, timing, now);
            let deadline = probe.deadline();
            every(probe_stop, probe_alarm, deadline, |now| {
                if probe.wake(now).is_some() {
                    busy.report(now);
                }
                probe.deadline()
            })
            .await;
        };
        let publish_task = async move {
            publisher.begin(std::time::Instant::now());
            let deadline = publisher.deadline();
            every(publish_stop, publish_alarm, deadline, |now| {
                publisher.wake(now);
                publisher.deadline()
            })
            .await;
        };
        MonitorTasks {
            inner: Box::pin(async move {
                future::zip(probe_task, publish_task).await;
            }),
        }
    }
}

impl Future for MonitorTasks {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.inner.as_mut().poll(cx)
    }
}

impl std::fmt::Debug for MonitorTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonitorTasks").finish_non_exhaustive()
    }
}
