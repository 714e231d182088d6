//! Histogram bucket edges as `le` label values, written from integers where exact.

use crate::render::digits::write_u64;
use crate::render::numbers::write_f64_debug;
use core::fmt::{self, Display, Write};

/// A number as a label value (`le`).
/// A bucket's upper edge, `value / divisor`, as `{:?}` writes the float (the `le` label is
/// part of a series' identity, so its text stays what it has always been). Edges in
/// nanoseconds shown in seconds are written from integers (no float formatting) while the
/// result is exact, which is the common case and a good part of a `/metrics` page.
pub(super) struct BucketEdge {
    pub(super) value: u64,
    pub(super) divisor: f64,
}

impl BucketEdge {
    /// Writes the edge as `{:?}` would, from integers where the result is exact.
    pub(super) fn write(&self, w: &mut impl Write) -> fmt::Result {
        const NANOS: u64 = 1_000_000_000;
        // Below 2^50 every such decimal has at most 15 significant digits, so it is also the
        // shortest representation `{:?}` would choose.
        if self.divisor != 1e9 || self.value >= 1 << 50 {
            let v = self.value as f64 / self.divisor;
            return if v == (v as i64) as f64 && (0.0..1e15).contains(&v) {
                write_u64(w, v as u64)
            } else {
                write_f64_debug(w, v)
            };
        }
        let (whole, frac) = (self.value / NANOS, self.value % NANOS);
        if frac == 0 {
            return write_u64(w, whole);
        }
        // The fraction's digits without trailing zeros: `digits` of them, as an integer.
        let (mut frac_digits, mut digits) = (frac, 9u32);
        while frac_digits % 10 == 0 {
            frac_digits /= 10;
            digits -= 1;
        }
        if whole > 0 || self.value >= 100_000 {
            // At least 1e-4: `{:?}` writes plain decimals, the fraction zero-padded.
            write_u64(w, whole)?;
            w.write_char('.')?;
            for _ in decimal_len(frac_digits)..digits {
                w.write_char('0')?;
            }
            return write_u64(w, frac_digits);
        }
        // Below 1e-4: `{:?}` writes scientific notation, `d.ddde-N`.
        let len = decimal_len(frac_digits);
        let exponent = digits - len + 1; // the value is frac_digits * 10^-digits
        let leading = 10u64.pow(len - 1);
        write_u64(w, frac_digits / leading)?;
        let rest = frac_digits % leading;
        if len > 1 {
            w.write_char('.')?;
            for _ in decimal_len(rest)..len - 1 {
                w.write_char('0')?;
            }
            write_u64(w, rest)?;
        }
        w.write_str("e-")?;
        write_u64(w, u64::from(exponent))
    }
}

/// Decimal digits of `n` (1 for 0).
fn decimal_len(n: u64) -> u32 {
    n.checked_ilog10().map_or(1, |l| l + 1)
}

impl Display for BucketEdge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

#[cfg(test)]
mod edge_tests {
    use super::BucketEdge;
    use core::fmt::Write;

    struct Text([u8; 64], usize);

    impl Write for Text {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            self.0[self.1..self.1 + s.len()].copy_from_slice(s.as_bytes());
            self.1 += s.len();
            Ok(())
        }
    }

    /// The integer path must write exactly what `{:?}` writes (integers without a point),
    /// for every edge.
    #[test]
    fn bucket_edges_match_float_formatting() {
        let edges = (0..64u32).flat_map(|k| {
            let e = 1u64 << k;
            [e - 1, e, e + 1, e.wrapping_mul(10), 999_999_999 % e.max(1)]
        });
        for value in edges.chain([1, 10, 99_999, 100_000, 123_456_789, 1_000_000_000]) {
            for divisor in [1.0, 1e9] {
                let (mut fast, mut slow) = (Text([0; 64], 0), Text([0; 64], 0));
                write!(fast, "{}", BucketEdge { value, divisor }).unwrap();
                let v = value as f64 / divisor;
                if v.abs() < 1e15 && v == (v as i64) as f64 {
                    write!(slow, "{}", v as i64).unwrap();
                } else {
                    write!(slow, "{v:?}").unwrap();
                }
                assert_eq!(&fast.0[..fast.1], &slow.0[..slow.1], "{value} / {divisor}");
            }
        }
    }
}
