//! Refusing a name that would render like one already registered (see [`ExposedName`]).
//!
//! The refusal keeps a Prometheus page valid, so it is compiled with the page (feature
//! `prometheus`). A build without the page (a firmware sending statsd or JSON) registers any
//! valid name and writes the name key 0, "not given" (FORMAT.md): a writer with the check
//! that shares the region reads such records' names, and mmstats' host page leaves out what
//! clashes on it.

#[cfg(feature = "prometheus")]
use crate::exposed_name::ExposedName;
use crate::register_error::RegisterError;
use crate::{Kind, Region};

/// The check of one registration: the scan of what was committed before the registration
/// lock, then of what others committed while it waited.
#[cfg(feature = "prometheus")]
pub(crate) struct ClashCheck<'n> {
    name: &'n str,
    exposed: ExposedName<'n>,
    scanned: usize,
}

#[cfg(feature = "prometheus")]
impl<'n> ClashCheck<'n> {
    /// Scans the committed records (before taking the lock, so the scan does not hold it).
    pub(crate) fn before_lock(
        region: &Region<'_>,
        name: &'n str,
        unit: &'n str,
        kind: Kind,
    ) -> Result<Self, RegisterError> {
        let exposed = ExposedName::new(name, unit, kind);
        let scanned = region.check_name_clash(name, &exposed, 0)?;
        Ok(ClashCheck {
            name,
            exposed,
            scanned,
        })
    }

    /// Scans what was committed since [`before_lock`](Self::before_lock); the caller holds
    /// the lock.
    pub(crate) fn under_lock(&self, region: &Region<'_>) -> Result<(), RegisterError> {
        region
            .check_name_clash(self.name, &self.exposed, self.scanned)
            .map(|_| ())
    }

    /// The name key to store in the record's framing word.
    pub(crate) fn name_key(&self) -> u8 {
        self.exposed.stem_key()
    }
}

/// Without a Prometheus page to keep valid: no scan, and no name key.
#[cfg(not(feature = "prometheus"))]
pub(crate) struct ClashCheck;

#[cfg(not(feature = "prometheus"))]
impl ClashCheck {
    pub(crate) fn before_lock(
        _: &Region<'_>,
        _: &str,
        _: &str,
        _: Kind,
    ) -> Result<Self, RegisterError> {
        Ok(ClashCheck)
    }

    pub(crate) fn under_lock(&self, _: &Region<'_>) -> Result<(), RegisterError> {
        Ok(())
    }

    pub(crate) fn name_key(&self) -> u8 {
        0
    }
}

/// The scan itself: records read by their framing, names compared as rendered.
#[cfg(feature = "prometheus")]
mod scan {
    use crate::exposed_name::ExposedName;
    use crate::layout::{
        self, frame_name_key, kind_code, unpack_family_param, unpack_frame, unpack_lengths,
        MAX_UNIT_LEN, RECORD_HEAD_WORDS,
    };
    use crate::name::MAX_NAME_LEN;
    use crate::record_words::unit_of;
    use crate::register_error::{ClashingName, RegisterError};
    use crate::sync::{AtomicU64, Ordering};
    use crate::{Kind, Region};

    impl<'a> Region<'a> {
        /// Checks `new` (the names of a metric called `name`) against the process metrics' names
        /// and every record committed from word `from` on, but for a record called `name` itself
        /// (found, or refused as another kind, by the index lookup under the lock: a registrant
        /// can see a record committed before it is in the index). Returns the word where the
        /// committed records ended, for a second call (under the registration lock) to check only
        /// what was committed since.
        ///
        /// Most records are passed over on their framing word alone: its name key (a hash of the
        /// record's stem) is not one a clashing metric could have. Only the rest have their names
        /// read and compared.
        pub(crate) fn check_name_clash(
            &self,
            name: &str,
            new: &ExposedName<'_>,
            from: usize,
        ) -> Result<usize, RegisterError> {
            if let Some(process) = new.process_collision() {
                return Err(RegisterError::NameClash {
                    existing: ClashingName::new(process.as_bytes()),
                });
            }
            let keys = new.clash_keys();
            let end = self.committed() / 8;
            let mut at = from.max(layout::HEADER_WORDS);
            let (mut name_buf, mut unit_buf) = ([0u8; MAX_NAME_LEN], [0u8; MAX_UNIT_LEN]);
            while at < end {
                // Relaxed: committed records are immutable and were made visible by the Acquire
                // load in `committed()`.
                let frame = self.words[at].load(Ordering::Relaxed);
                let (len, code, _) = unpack_frame(frame);
                let Some(record) = self.words.get(at..at + len as usize / 8) else {
                    return Err(RegisterError::Corrupt);
                };
                if record.len() < RECORD_HEAD_WORDS {
                    return Err(RegisterError::Corrupt);
                }
                at += record.len();
                if !keys.may_hold(frame_name_key(frame)) {
                    continue;
                }
                let Some(kind) = value_kind(code, record[1].load(Ordering::Relaxed)) else {
                    continue; // a series (its family is checked), or a kind this version does not render
                };
                let (stored, unit) = (
                    name_of(record, &mut name_buf),
                    unit_of(record, &mut unit_buf),
                );
                if stored == name.as_bytes() {
                    continue;
                }
                if ExposedName::from_bytes(stored, unit, kind).collides(new) {
                    return Err(RegisterError::NameClash {
                        existing: ClashingName::new(stored),
                    });
                }
            }
            Ok(end)
        }
    }

    /// The kind of value a record renders as: its own, or a family's series' kind.
    fn value_kind(code: u8, lengths: u64) -> Option<Kind> {
        if cfg!(feature = "labels") && code == kind_code::FAMILY {
            let (_, _, param) = unpack_lengths(lengths);
            return Kind::from_code(unpack_family_param(param).1);
        }
        Kind::from_code(code)
    }

    /// A record's name, copied out of its words.
    fn name_of<'b>(record: &[AtomicU64], buf: &'b mut [u8; MAX_NAME_LEN]) -> &'b [u8] {
        // Relaxed: see `check_name_clash`.
        let word = |i: usize| record.get(i).map_or(0, |w| w.load(Ordering::Relaxed));
        let (_, _, name_len) = unpack_frame(word(0));
        let name_len = usize::from(name_len).min(MAX_NAME_LEN);
        for (i, chunk) in buf[..name_len].chunks_mut(8).enumerate() {
            chunk.copy_from_slice(&word(RECORD_HEAD_WORDS + i).to_ne_bytes()[..chunk.len()]);
        }
        &buf[..name_len]
    }
}

#[cfg(test)]
mod tests {
    use crate::layout::{unpack_frame, HEADER_WORDS};
    use crate::{Meta, Storage};

    /// With the page (`prometheus`), `a.b` and `a_b` render alike and the second is refused;
    /// without it, both register and the records carry no name key.
    #[test]
    fn names_that_render_alike_are_refused_only_with_the_prometheus_page() {
        static STATS: Storage<512> = Storage::new();
        let region = STATS.region();
        region.counter("a.b", Meta::new()).unwrap();
        let second = region.counter("a_b", Meta::new());
        let frame = region.words[HEADER_WORDS].load(crate::sync::Ordering::Relaxed);
        let (_, _, name_len) = unpack_frame(frame);
        assert_eq!(name_len, 3);
        let key = (frame >> 40) as u8;
        if cfg!(feature = "prometheus") {
            assert!(matches!(
                second,
                Err(crate::RegisterError::NameClash { .. })
            ));
            assert_ne!(key, 0);
        } else {
            assert!(second.is_ok());
            assert_eq!(key, 0);
        }
    }
}
