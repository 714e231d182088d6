//! The monitor's pages over HTTP: `/mutornadomon` (mutornadomon's JSON) and `/metrics`
//! (Prometheus text or OpenMetrics, by `Accept`), loopback-only by default.
//!
//! One sans-IO layer that every server of the project drives: request heads parsed by
//! httparse within [`Limits`] (400, 414, 431, 408), the [`Exchange`] state machine of one
//! connection (keep-alive, pipelining, deadlines), [`Response`] serialisation, the access rule
//! (loopback only by default, networks by [`Endpoint::allow_networks`], a `Host` allowlist;
//! [`AccessRule`] alone for other servers), and the one endpoint builder, [`Endpoint`]: the
//! monitor's paths, the program's own routes ([`Endpoint::fallback`]) and request accounting,
//! for any server.
//! The refusal policy ([`policy`]: 503 past the connection cap, linger, accept retry) is
//! shared too. Servers on top of it:
//!
//! - [`Endpoint::serve`] (feature `server`, on by default): a bounded blocking server, an
//!   accept thread and a thread per connection, up to [`Limits::max_connections`]; the same
//!   server for a handler of your own with no monitor behind it: [`serve`];
//! - `Endpoint::handle` (feature `tiny-http`): answers inside a tiny-http server of the
//!   program's, which itself bounds nothing (below);
//! - `mutornadomon-smol`'s `EndpointServer`: the same layer on async-io sockets.
//!
//! ```
//! use mutornadomon_http::Endpoint;
//! use mutornadomon_std::Monitor;
//!
//! let monitor = Monitor::builder().in_memory().start()?;
//! monitor.count("jobs", 1)?;
//! let server = Endpoint::new(&monitor).serve("127.0.0.1:0")?;
//! println!("curl http://{}/metrics", server.local_addr());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # tiny-http: what it does not bound
//!
//! tiny-http reads request heads without limits. Measured on the
//! sample application (`--tiny-http`, tiny-http 0.12, loopback): a client streaming one
//! header line took 300 MiB in 31 s and the process's resident memory from 4 MiB to 304 MiB
//! (it grows with whatever the client sends); a 1 MiB header line and 10,000 headers were
//! answered 200; invalid UTF-8 in the path, a header value or `X-Forwarded-For` closed the
//! connection with no answer at all; 4 KiB without a line end was neither answered nor
//! closed after 6 s. The same app on the endpoint's bounded server ([`Endpoint::serve`], the
//! app's routes in [`Endpoint::fallback`]; the sample application's default): the endless
//! header was cut off after 2 MiB had left the client (the kernel's buffers; 8 KiB read, 431)
//! with resident memory +0.1 MiB; 431 for the 1 MiB line and the 10,000 headers, 400 for the
//! bad path, 200 for the bad header value, 403 for the bad `X-Forwarded-For` on the monitor's
//! page, 408 after the 4 s head timeout it sets. So use the adapter for a program already on
//! tiny-http behind something that bounds its clients, and [`Endpoint::serve`] where clients
//! are untrusted.
//!
//! # Crate features
//!
//! - `server` (on by default): [`Endpoint::serve`], [`serve`] and [`EndpointServer`].
//! - `tiny-http`: `Endpoint::handle` for a tiny-http server, `http_server` (a tiny-http server
//!   with TCP_NODELAY), and `RequestAccounting::start_request` in `mutornadomon-std`.
//! - `profiler`: `Endpoint::profiler` serves `GET /profiler`, a CPU profile of the process
//!   (top-N text or flamegraph SVG) taken with pprof, as the original's profiler endpoint did.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod access;
mod date;
mod endpoint;
mod exchange;
mod head;
pub mod policy;
mod profile_request;
#[cfg(feature = "profiler")]
mod profiler;
mod query;
mod request;
mod response;
#[cfg(feature = "server")]
mod server;
#[cfg(feature = "tiny-http")]
#[allow(unsafe_code)]
mod sys;
#[cfg(feature = "tiny-http")]
mod tiny;

pub use access::{host_allowed, is_local_request, AccessFilter, AccessRule, NetworkError};
pub use endpoint::{Endpoint, Fallback};
pub use exchange::{Exchange, Step};
pub use head::{parse_head, Head, Limits, MAX_HEADERS};
pub use profile_request::{ProfileFormat, ProfileRequest, MAX_PROFILE};
pub use query::{percent_decode, query_pairs};
pub use request::Request;
pub use response::Response;
#[cfg(feature = "server")]
pub use server::{serve, EndpointServer};
#[cfg(feature = "tiny-http")]
pub use tiny::{http_server, Handled};
