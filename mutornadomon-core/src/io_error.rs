//! Every error of the crate as a `std::io::Error` (feature `std`), so `?` works in
//! `fn main() -> std::io::Result<()>` and in `Result<(), Box<dyn Error>>` alike.
//!
//! ```
//! use mutornadomon_core::{Meta, Storage};
//! fn register() -> std::io::Result<()> {
//!     static STATS: Storage<256> = Storage::new();
//!     STATS.region().counter("9lives", Meta::new())?; // an invalid name
//!     Ok(())
//! }
//! let err = register().unwrap_err();
//! assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
//! assert!(err.to_string().starts_with("invalid metric name"));
//! ```

use crate::address::{AddressError, Refusal};
#[cfg(feature = "statsd")]
use crate::StatsdError;
#[cfg(feature = "templates")]
use crate::TemplateError;
use crate::{
    BufferTooSmall, DurationUnitError, FormatError, ParseError, RegisterError, RenderError,
    TextError,
};
use std::io::{Error, ErrorKind};

macro_rules! into_io_error {
    ($($error:ty => $kind:expr),* $(,)?) => {$(
        impl From<$error> for Error {
            fn from(e: $error) -> Error {
                let kind: fn(&$error) -> ErrorKind = $kind;
                Error::new(kind(&e), e)
            }
        }
    )*};
}

into_io_error! {
    RegisterError => |e| match e {
        RegisterError::Full { .. } | RegisterError::TooManyMetrics { .. } => ErrorKind::StorageFull,
        RegisterError::Corrupt => ErrorKind::InvalidData,
        _ => ErrorKind::InvalidInput,
    },
    TextError => |_| ErrorKind::InvalidInput,
    DurationUnitError => |_| ErrorKind::InvalidInput,
    FormatError => |_| ErrorKind::InvalidInput,
    AddressError => |_| ErrorKind::InvalidInput,
    ParseError => |_| ErrorKind::InvalidData,
    RenderError => |_| ErrorKind::Other,
    BufferTooSmall => |_| ErrorKind::Other,
    Refusal => |_| ErrorKind::PermissionDenied,
}

#[cfg(feature = "labels")]
into_io_error! {
    crate::LabelError => |_| ErrorKind::InvalidInput,
}

#[cfg(feature = "templates")]
into_io_error! {
    TemplateError => |_| ErrorKind::InvalidData,
}

#[cfg(feature = "statsd")]
into_io_error! {
    StatsdError => |_| ErrorKind::Other,
}
