//! A monitor's labelled families: `'static`, `Send + Sync`, cheap to clone, like its other
//! handles (see [`Counter`]). A series found by its label values is a [`Counter`], [`Gauge`]
//! or [`Histogram`] handle of its own: keep it for hot paths.

use crate::handles::{Counter, Gauge, Histogram};
use crate::shared::Shared;
use crate::Monitor;
use mutornadomon_core as core_metrics;
use mutornadomon_core::{LabelError, Meta, RegisterError};
use std::fmt;
use std::sync::Arc;

macro_rules! family {
    ($(#[$doc:meta])* $name:ident, $series:ident, $register:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            family: core_metrics::$name<'static>,
            memory: Arc<Shared>,
        }

        impl $name {
            /// The series with these label values (one per label name, in order): found, or
            /// registered on first use; past the family's series limit (or with the stats
            /// file full), the overflow series, and the fold is counted. Values that break
            /// the label rules (control characters, over 256 bytes, a wrong count) are
            /// refused.
            pub fn series(&self, values: &[&str]) -> Result<$series, LabelError> {
                Ok($series::kept(self.family.series(values)?, &self.memory))
            }

            /// The overflow series (`otel_metric_overflow="true"`).
            pub fn overflow(&self) -> $series {
                $series::kept(self.family.overflow(), &self.memory)
            }

            /// Label sets folded into the overflow series so far.
            pub fn folded(&self) -> u64 {
                self.family.folded()
            }

            /// Labelled series registered so far (the overflow series not counted).
            pub fn series_count(&self) -> u64 {
                self.family.series_count()
            }

            /// The core's handle, borrowed from this one.
            pub fn as_core(&self) -> core_metrics::$name<'_> {
                self.family
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.family.fmt(f)
            }
        }

        impl Monitor {
            /// Registers (or finds) a labelled family with these label names and at most
            /// `limit` series; see [`mutornadomon_core::Region::counter_family`].
            pub fn $register(
                &self,
                name: &str,
                meta: Meta<'_>,
                labels: &[&str],
                limit: usize,
            ) -> Result<$name, RegisterError> {
                let memory = Arc::clone(self.shared());
                let region = crate::sys::kept_region(&memory);
                Ok($name {
                    family: region.$register(name, meta, labels, limit)?,
                    memory,
                })
            }
        }
    };
}

family!(
    /// A family of labelled counters registered with a [`Monitor`].
    ///
    /// ```
    /// use mutornadomon_core::Meta;
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let meta = Meta::new().help("Requests served");
    /// let requests = monitor.counter_family("requests", meta, &["status", "method"], 64)?;
    /// let ok = requests.series(&["200", "GET"])?; // a Counter: keep it for hot paths
    /// std::thread::spawn(move || ok.inc()).join().unwrap();
    /// assert_eq!(requests.series(&["200", "GET"])?.get(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    CounterFamily,
    Counter,
    counter_family
);

family!(
    /// A family of labelled gauges registered with a [`Monitor`] (see [`CounterFamily`]).
    GaugeFamily,
    Gauge,
    gauge_family
);

family!(
    /// A family of labelled histograms registered with a [`Monitor`] (see [`CounterFamily`]),
    /// with the default range (values up to 2^40 - 1).
    HistogramFamily,
    Histogram,
    histogram_family
);
