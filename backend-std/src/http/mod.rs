//! HTTP for the monitor's pages: request heads parsed by httparse within limits, the
//! server-independent [`Responder`], the endpoint on a blocking server of its own, and (feature
//! `tiny-http`) inside a tiny-http server. The smol backend builds on the same pieces.

mod date;
mod endpoint;
mod exchange;
mod head;
mod profile_request;
mod query;
mod request;
mod responder;
mod response;
mod server;
#[cfg(feature = "tiny-http")]
mod tiny;

pub use endpoint::{Endpoint, EndpointServer};
pub use exchange::{Exchange, Step};
pub use head::{parse_head, Head, Limits, MAX_HEADERS};
pub use profile_request::{ProfileFormat, ProfileRequest, MAX_PROFILE};
pub use query::{percent_decode, query_pairs};
pub use request::Request;
pub use responder::{is_local_request, AccessFilter, Responder};
pub use response::Response;
#[cfg(feature = "tiny-http")]
pub use tiny::{http_server, Handled};
