//! The async HTTP endpoint: the shared [`Endpoint`](mutornadomon_http::Endpoint) (the monitor's
//! paths, the program's fallback routes, request accounting) served over HTTP/1.1 on async-io
//! sockets, with `mutornadomon-http`'s head parser, limits and refusal policy; bounded in
//! every dimension a client controls.

mod conn;
mod server;

pub use server::{Connection, EndpointServer};
