//! Why a registration was refused: [`RegisterError`], and the name it clashed with.

use crate::metrics::Kind;
use crate::name::TextError;
use core::fmt;

/// Why a registration was refused. Every refusal is also counted in the header
/// ([`Region::refused`](crate::Region::refused)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterError {
    /// The name breaks the naming rules (see [`validate_name`](crate::validate_name)).
    InvalidName(TextError),
    /// The help text is too long, not UTF-8, or holds control characters.
    InvalidHelp(TextError),
    /// The unit is not lowercase letters and `_`, or too long.
    InvalidUnit(TextError),
    /// The info text is too long, not UTF-8, or holds control characters.
    InvalidInfo(TextError),
    /// The name is taken by a metric of another kind.
    KindMismatch {
        /// The kind registered under this name.
        existing: Kind,
        /// The kind asked for.
        requested: Kind,
    },
    /// The name renders on a Prometheus or OpenMetrics page like a metric already registered
    /// (`a.b` and `a_b`, `requests` and `requests_total`, a histogram `q` and a gauge
    /// `q_count`), or like a process metric (`process_threads`): the page would name two
    /// families alike. See [`ExposedName`](crate::ExposedName). Checked only when the
    /// Prometheus page is compiled (feature `prometheus`).
    NameClash {
        /// The metric already registered (or the process metric) it clashes with.
        existing: ClashingName,
    },
    /// Not enough free space left for the record.
    Full {
        /// Bytes the record needs.
        needed: usize,
        /// Bytes still free.
        available: usize,
    },
    /// The region holds as many metrics as its index allows.
    TooManyMetrics {
        /// The most metrics this region can hold.
        max: usize,
    },
    /// The label names of a family break the label rules (see `LabelError`, feature
    /// `labels`).
    #[cfg(feature = "labels")]
    InvalidLabels(crate::LabelError),
    /// The name is registered with other label names, or labelled where unlabelled was asked
    /// for (or the reverse).
    LabelsMismatch,
    /// A sharded counter needs between 1 and 255 writer shards.
    InvalidShardCount,
    /// The region's memory was changed by something other than this library: the record
    /// under this name, or the committed end, is malformed.
    Corrupt,
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName(e) => write!(f, "invalid metric name: {e}"),
            Self::InvalidHelp(e) => write!(f, "invalid help text: {e}"),
            Self::InvalidUnit(e) => write!(f, "invalid unit: {e}"),
            Self::InvalidInfo(e) => write!(f, "invalid info text: {e}"),
            Self::KindMismatch { existing, requested } => write!(
                f,
                "name already registered as a {existing}, cannot register it as a {requested}"
            ),
            Self::NameClash { existing } => write!(
                f,
                "name renders on the Prometheus page like the metric \"{existing}\"; choose another name"
            ),
            Self::Full { needed, available } => write!(
                f,
                "stats region full: the record needs {needed} bytes, {available} are free; give the region more words"
            ),
            Self::TooManyMetrics { max } => {
                write!(f, "stats region holds its maximum of {max} metrics; give it more words")
            }
            #[cfg(feature = "labels")]
            Self::InvalidLabels(e) => write!(f, "invalid labels: {e}"),
            Self::LabelsMismatch => f.write_str(
                "name already registered with other label names (or with labels where none were asked for, or the reverse)",
            ),
            Self::InvalidShardCount => f.write_str("a sharded counter needs 1 to 255 writer shards"),
            Self::Corrupt => f.write_str("the stats region was corrupted by another writer"),
        }
    }
}

impl core::error::Error for RegisterError {}

/// The longest part of a clashing name an error keeps (errors stay small: a `Result` of a
/// registration is returned by value).
const KEPT: usize = 62;

/// The name of the metric a refused name clashes with (in [`RegisterError::NameClash`]):
/// its first 62 bytes, and whether it was longer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ClashingName {
    bytes: [u8; KEPT],
    len: u8,
    cut: bool,
}

impl ClashingName {
    #[cfg(feature = "prometheus")]
    pub(crate) fn new(name: &[u8]) -> Self {
        let mut bytes = [0; KEPT];
        let len = name.len().min(KEPT);
        bytes[..len].copy_from_slice(&name[..len]);
        ClashingName {
            bytes,
            len: len as u8,
            cut: name.len() > KEPT,
        }
    }

    /// The name, as registered (or the process metric's name), cut to 62 bytes.
    pub fn as_str(&self) -> &str {
        // Names are validated ASCII before they are stored; a region scribbled on by another
        // process could hold anything, so fall back rather than trust it.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("?")
    }

    /// Whether the name was longer than what is kept.
    pub fn is_cut(&self) -> bool {
        self.cut
    }
}

/// The name, with `...` after it if it was cut.
impl fmt::Display for ClashingName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        if self.cut {
            f.write_str("...")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ClashingName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)?;
        if self.cut {
            f.write_str("...")?;
        }
        Ok(())
    }
}
