//! The names a metric takes on a Prometheus or OpenMetrics page, and whether two metrics'
//! names meet there.
//!
//! A metric renders as a family name built from its own name (`.` and `:` become `_`, a
//! counter's `_total` and an info's `_info` are dropped, a unit suffix is folded into the
//! unit) and its unit in base units (`nanoseconds` renders as `seconds`), and then as sample
//! names: a counter `F` and `F_total`; a gauge `F`, `F_min`, `F_max` (the infix goes before the
//! unit: `latency_min_seconds`); a histogram `F`, `F_bucket`, `F_sum`, `F_count`; an info `F`
//! and `F_info`. Two metrics whose names share any of these cannot both be on one page: the
//! text format would get a second HELP line for one name. Registration refuses such a name
//! ([`RegisterError::NameClash`](crate::RegisterError::NameClash)); a page over several
//! regions groups metrics by [`same_family`](ExposedName::same_family).

#[cfg(feature = "prometheus")]
use crate::layout::{fnv, FNV_OFFSET};
use crate::Kind;
use core::fmt;

/// How a metric's family turns into sample names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Counter,
    Gauge,
    Histogram,
    Info,
    /// One name exactly (the process metrics every page may carry).
    Single,
}

impl Shape {
    /// The (infix, suffix) pairs of the names this shape renders.
    fn parts(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Shape::Counter => &[("", ""), ("", "_total")],
            Shape::Gauge => &[("", ""), ("_min", ""), ("_max", "")],
            Shape::Histogram => &[("", ""), ("", "_bucket"), ("", "_sum"), ("", "_count")],
            Shape::Info => &[("", ""), ("", "_info")],
            Shape::Single => &[("", "")],
        }
    }
}

/// A metric's names on a Prometheus or OpenMetrics page (see the module docs).
///
/// ```
/// use mutornadomon_core::{ExposedName, Kind};
/// let dotted = ExposedName::new("http.requests", "", Kind::Counter);
/// let plain = ExposedName::new("http_requests_total", "", Kind::Counter);
/// assert!(dotted.same_family(&plain)); // both render `http_requests_total`
/// assert_eq!(dotted.to_string(), "http_requests");
///
/// let histogram = ExposedName::new("q", "", Kind::Histogram);
/// let gauge = ExposedName::new("q_count", "", Kind::Gauge);
/// assert!(histogram.collides(&gauge)); // `q_count` is one of the histogram's samples
/// assert!(!histogram.same_family(&gauge));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ExposedName<'n> {
    /// The name with the dropped suffix and the unit suffix taken off (not yet sanitised).
    base: &'n [u8],
    /// The unit in base units (`seconds` for `nanoseconds`), or empty.
    unit: &'n [u8],
    shape: Shape,
}

/// The family the renderers add for labelled families: the lookups each folded into its
/// overflow series (`mutornadomon_series_folded_total{family="requests"}`).
pub(crate) const FOLDED_FAMILY: &str = "mutornadomon_series_folded";

/// The names the process metrics take on every page that carries process stats, and the
/// folded-series family of pages with labelled families.
const PROCESS_NAMES: [ExposedName<'static>; 8] = [
    ExposedName {
        base: FOLDED_FAMILY.as_bytes(),
        unit: b"",
        shape: Shape::Counter,
    },
    ExposedName {
        base: b"process_cpu",
        unit: b"seconds",
        shape: Shape::Counter,
    },
    ExposedName::single("process_resident_memory_bytes"),
    ExposedName::single("process_virtual_memory_bytes"),
    ExposedName::single("process_open_fds"),
    ExposedName::single("process_max_fds"),
    ExposedName::single("process_start_time_seconds"),
    ExposedName::single("process_threads"),
];

impl<'n> ExposedName<'n> {
    /// The names of a metric called `name` with `unit`, of `kind`.
    pub fn new(name: &'n str, unit: &'n str, kind: Kind) -> Self {
        Self::from_bytes(name.as_bytes(), unit.as_bytes(), kind)
    }

    /// [`new`](Self::new) over the bytes of a name and unit (registration reads them out of
    /// the region's words).
    pub(crate) fn from_bytes(name: &'n [u8], unit: &'n [u8], kind: Kind) -> Self {
        let (shape, drop_suffix, unit): (_, &[u8], _) = match kind {
            Kind::Counter | Kind::ShardedCounter => (Shape::Counter, b"_total", unit),
            Kind::Gauge => (Shape::Gauge, b"", unit),
            Kind::Histogram => (Shape::Histogram, b"", unit),
            Kind::Info => (Shape::Info, b"_info", b""),
        };
        let (base, unit) = family_base_bytes(name, unit, drop_suffix);
        ExposedName { base, unit, shape }
    }

    const fn single(name: &'static str) -> ExposedName<'static> {
        ExposedName {
            base: name.as_bytes(),
            unit: b"",
            shape: Shape::Single,
        }
    }

    /// Whether the two render the same family (the same family name and kind of samples): on
    /// a page over several regions, such metrics go under one HELP/TYPE.
    pub fn same_family(&self, other: &ExposedName<'_>) -> bool {
        self.shape == other.shape && same_bytes(self.name(("", "")), other.name(("", "")))
    }

    /// Whether any name one renders is also a name the other renders.
    pub fn collides(&self, other: &ExposedName<'_>) -> bool {
        self.shape.parts().iter().any(|&mine| {
            other
                .shape
                .parts()
                .iter()
                .any(|&theirs| same_bytes(self.name(mine), other.name(theirs)))
        })
    }

    /// The process metric whose names this one's collide with (`process_threads`, ...), if
    /// any: a page with process stats carries those names already.
    pub fn process_collision(&self) -> Option<&'static str> {
        PROCESS_NAMES
            .iter()
            .find(|reserved| self.collides(reserved))
            .map(|reserved| match (reserved.shape, reserved.unit) {
                (Shape::Single, _) => core::str::from_utf8(reserved.base).unwrap_or("process"),
                (_, b"") => "mutornadomon_series_folded_total",
                _ => "process_cpu_seconds_total",
            })
    }

    /// An 8-bit hash of the sanitised family base (the "stem"), never 0: stored in each
    /// record's framing word so that registration reads only the names of records that may
    /// clash (FORMAT.md, "name key").
    #[cfg(feature = "prometheus")]
    pub(crate) fn stem_key(&self) -> u8 {
        key_of(
            self.base
                .iter()
                .fold(FNV_OFFSET, |h, &b| fnv(h, sanitised(b))),
        )
    }

    /// The name keys of every stem a clashing metric can have, as a 256-bit set. Two metrics
    /// clash only if one stem extends the other: by a piece of this one's tails (`_total`,
    /// `_min`, `_seconds`, ...) cut where the other's tail starts (at a `_` or the end), or, the
    /// other way, this stem ends in `_` and a piece of the other's tail. So the other's stem is
    /// this stem plus such a piece, or this stem cut before one of its `_`.
    #[cfg(feature = "prometheus")]
    pub(crate) fn clash_keys(&self) -> KeySet {
        let mut keys = KeySet::default();
        let mut h = FNV_OFFSET;
        for (i, &b) in self.base.iter().enumerate() {
            let b = sanitised(b);
            if b == b'_' && i > 0 {
                keys.insert(key_of(h));
            }
            h = fnv(h, b);
        }
        keys.insert(key_of(h));
        for &(infix, suffix) in self.shape.parts() {
            let unit_sep: &[u8] = if self.unit.is_empty() { b"" } else { b"_" };
            let tail = [infix.as_bytes(), unit_sep, self.unit, suffix.as_bytes()];
            let mut t = h;
            for &b in tail.iter().flat_map(|part| part.iter()) {
                if b == b'_' {
                    keys.insert(key_of(t));
                }
                t = fnv(t, b);
            }
            keys.insert(key_of(t));
        }
        keys
    }

    /// The bytes of one rendered name: sanitised base, infix, `_unit`, suffix.
    #[cfg_attr(not(feature = "perf"), inline(never))] // smaller, slower: see `perf`
    fn name(&self, (infix, suffix): (&'static str, &'static str)) -> NameBytes<'_> {
        NameBytes {
            base: self.base,
            infix: infix.as_bytes(),
            unit: self.unit,
            suffix: suffix.as_bytes(),
        }
    }
}

impl fmt::Display for ExposedName<'_> {
    /// The family name (as OpenMetrics writes it on `# TYPE`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name(("", ""));
        for i in 0..name.len() {
            fmt::Write::write_char(f, char::from(name.byte(i)))?;
        }
        Ok(())
    }
}

/// The family's base and unit, as the renderers write them: `drop_suffix` (a counter's
/// `_total`) and then a suffix naming the unit (`_seconds`, `.seconds`) are taken off, unless
/// that would leave nothing; the unit is put in base units.
#[cfg(feature = "prometheus")]
pub(crate) fn family_base<'n>(
    name: &'n str,
    unit: &'n str,
    drop_suffix: &str,
) -> (&'n str, &'n str) {
    let (base, _) = family_base_bytes(name.as_bytes(), unit.as_bytes(), drop_suffix.as_bytes());
    let (unit, _) = crate::render::base_unit(unit);
    // `base` is a prefix of `name`, cut after an ASCII byte.
    (name.get(..base.len()).unwrap_or(name), unit)
}

fn family_base_bytes<'n>(
    name: &'n [u8],
    unit: &'n [u8],
    drop_suffix: &[u8],
) -> (&'n [u8], &'n [u8]) {
    let unit: &[u8] = match crate::metrics::subsecond_nanos(unit) {
        Some(_) => b"seconds",
        None => unit,
    };
    let mut base = name;
    if !drop_suffix.is_empty() {
        base = base
            .strip_suffix(drop_suffix)
            .filter(|b| !b.is_empty())
            .unwrap_or(base);
    }
    if !unit.is_empty() {
        if let Some(stripped) = base
            .strip_suffix(unit)
            .and_then(|b| b.strip_suffix(b"_").or_else(|| b.strip_suffix(b".")))
        {
            base = if stripped.is_empty() { base } else { stripped };
        }
    }
    (base, unit)
}

#[cfg(feature = "prometheus")]
/// The key of an FNV-1a hash: its top byte after MurmurHash3's finaliser (FNV alone leaves
/// the last bytes of a name out of its top bits), 0 made 1 (0 means "no key").
#[cfg_attr(not(feature = "perf"), inline(never))] // smaller, slower: see `perf`
fn key_of(h: u64) -> u8 {
    let mut h = h ^ (h >> 33);
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    ((h >> 56) as u8).max(1)
}

/// A set of name keys.
#[cfg(feature = "prometheus")]
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct KeySet([u64; 4]);

#[cfg(feature = "prometheus")]
impl KeySet {
    fn insert(&mut self, key: u8) {
        self.0[usize::from(key >> 6)] |= 1 << (key & 63);
    }

    /// Whether a record with this key may clash: it is in the set, or it has none (0).
    pub(crate) fn may_hold(&self, key: u8) -> bool {
        key == 0 || self.0[usize::from(key >> 6)] & (1 << (key & 63)) != 0
    }
}

/// One rendered name, in parts, compared without building it.
struct NameBytes<'a> {
    base: &'a [u8],
    infix: &'a [u8],
    unit: &'a [u8],
    suffix: &'a [u8],
}

impl NameBytes<'_> {
    #[cfg_attr(not(feature = "perf"), inline(never))] // smaller, slower: see `perf`
    fn len(&self) -> usize {
        let unit = if self.unit.is_empty() {
            0
        } else {
            1 + self.unit.len()
        };
        self.base.len() + self.infix.len() + unit + self.suffix.len()
    }

    /// Byte `i` of the name (0 past its end). By index rather than through chained
    /// iterators: one small function where the adapters' `next_back` chains cost a kilobyte
    /// of a firmware's flash. Names are ASCII (validated), so sanitising is byte for byte.
    fn byte(&self, i: usize) -> u8 {
        let mut i = i;
        if let Some(&b) = self.base.get(i) {
            return sanitised(b);
        }
        i -= self.base.len();
        if let Some(&b) = self.infix.get(i) {
            return b;
        }
        i -= self.infix.len();
        if !self.unit.is_empty() {
            if i == 0 {
                return b'_';
            }
            i -= 1;
            if let Some(&b) = self.unit.get(i) {
                return b;
            }
            i -= self.unit.len();
        }
        self.suffix.get(i).copied().unwrap_or(0)
    }
}

/// A name byte as the renderers write it: what is not a letter, a digit or `_` becomes `_`
/// (`:` is legal but reserved for recording rules). Names are ASCII, so this is byte for byte.
fn sanitised(b: u8) -> u8 {
    if b.is_ascii_alphanumeric() || b == b'_' {
        b
    } else {
        b'_'
    }
}

/// Compared from the end: names that differ usually differ there (`route_1`, `route_2`).
#[cfg_attr(not(feature = "perf"), inline(never))] // smaller, slower: see `perf`
fn same_bytes(a: NameBytes<'_>, b: NameBytes<'_>) -> bool {
    let len = a.len();
    len == b.len() && (0..len).rev().all(|i| a.byte(i) == b.byte(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clash(a: (&str, &str, Kind), b: (&str, &str, Kind)) -> bool {
        let x = ExposedName::new(a.0, a.1, a.2);
        let y = ExposedName::new(b.0, b.1, b.2);
        assert_eq!(x.collides(&y), y.collides(&x), "{a:?} {b:?}: not symmetric");
        x.collides(&y)
    }

    #[test]
    fn names_that_render_alike_collide() {
        use Kind::*;
        let table = [
            (("a.b", "", Counter), ("a_b", "", Counter), true),
            (("a:b", "", Gauge), ("a_b", "", Gauge), true),
            (
                ("requests", "", Counter),
                ("requests_total", "", Counter),
                true,
            ),
            (
                ("requests", "", Counter),
                ("requests_total", "", ShardedCounter),
                true,
            ),
            (
                ("requests", "", Gauge),
                ("requests_total", "", Counter),
                true,
            ),
            (("requests", "", Gauge), ("requests", "", Counter), true),
            (("q", "", Histogram), ("q_count", "", Gauge), true),
            (("q", "", Histogram), ("q_bucket", "", Info), true),
            (("q", "", Histogram), ("q_sum", "", Counter), true),
            (("t", "", Gauge), ("t_max", "", Gauge), true),
            (("lat", "seconds", Gauge), ("lat_seconds", "", Gauge), true),
            (
                ("lat", "seconds", Gauge),
                ("lat_min_seconds", "", Gauge),
                true,
            ),
            (
                ("lat", "nanoseconds", Histogram),
                ("lat", "seconds", Gauge),
                true,
            ),
            (
                ("lat", "nanoseconds", Histogram),
                ("lat_seconds", "", Histogram),
                true,
            ),
            (("build", "", Info), ("build_info", "", Gauge), true),
            (("build", "", Info), ("build", "", Info), true),
            // Different names on every line.
            (("a", "", Counter), ("b", "", Counter), false),
            (
                ("requests", "", Counter),
                ("requests_ok", "", Counter),
                false,
            ),
            (("lat", "seconds", Gauge), ("lat", "bytes", Gauge), false),
            (("q", "", Histogram), ("q_p99", "", Gauge), false),
            (("t", "", Gauge), ("t_total", "", Gauge), false),
            (("x", "", Gauge), ("x_total", "", Counter), true), // OpenMetrics: family `x`
            (("x_min", "", Gauge), ("x", "", Counter), false),
        ];
        for (a, b, expected) in table {
            assert_eq!(clash(a, b), expected, "{a:?} against {b:?}");
        }
    }

    #[test]
    fn families_match_by_rendered_name_and_shape() {
        let a = ExposedName::new("requests", "", Kind::Counter);
        let b = ExposedName::new("requests_total", "", Kind::ShardedCounter);
        let c = ExposedName::new("requests", "", Kind::Gauge);
        assert!(a.same_family(&b));
        assert!(!a.same_family(&c));
        let ms = ExposedName::new("lat", "milliseconds", Kind::Gauge);
        let s = ExposedName::new("lat_seconds", "seconds", Kind::Gauge);
        assert!(ms.same_family(&s));
        assert_eq!(std::format!("{ms}"), "lat_seconds");
    }

    #[test]
    fn process_names_are_reserved() {
        let taken = |name, unit, kind| ExposedName::new(name, unit, kind).process_collision();
        assert_eq!(
            taken("process_threads", "", Kind::Gauge),
            Some("process_threads")
        );
        assert_eq!(
            taken("process.cpu", "seconds", Kind::Counter),
            Some("process_cpu_seconds_total")
        );
        assert_eq!(
            taken("process_open_fds", "", Kind::Counter),
            Some("process_open_fds")
        );
        assert_eq!(taken("process_queue", "", Kind::Gauge), None);
        assert_eq!(
            taken("mutornadomon_series_folded", "", Kind::Gauge),
            Some("mutornadomon_series_folded_total")
        );
    }
}
