//! What the workspace's tests share, so that no test reaches into another crate's files:
//!
//! - [`counting_alloc`]: a counting global allocator for the zero-allocation proofs;
//! - [`promtool`]: `promtool check metrics` on a page;
//! - [`exposition`]: names built to collide, and a check that a page names families once;
//! - [`http_client`]: a raw HTTP/1.1 client, a slowloris client and a keep-alive client;
//! - [`child`]: the test binary re-run as a writer process.
//!
//! `publish = false`: a dev-dependency of the workspace's crates only.
#![allow(missing_docs)]

pub mod child;
pub mod counting_alloc;
pub mod exposition;
pub mod http_client;
pub mod promtool;

pub use child::{spawn_child, spawn_child_with};
pub use http_client::*;
pub use promtool::{promtool_check, promtool_parses};
