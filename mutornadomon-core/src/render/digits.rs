//! Integers as decimal text, eight digits at a time in one 64-bit word.
//!
//! A page is full of integers (a `/metrics` page has ~150: counts, cumulative bucket lines),
//! each copied into the page right after it is formatted. itoa formats through a buffer it
//! fills two digits (two bytes) at a time; the page writer then copies the digits with 4- and
//! 8-byte loads, and a load spanning several smaller stores still in flight cannot be
//! forwarded from them: it waits for them to reach the cache. `perf annotate` put ~30% of the
//! page filler's samples on that copy. Here up to sixteen digits are computed in registers
//! (SWAR: each byte of a `u64` is one digit) and stored straight into the page, one 8-byte
//! store per eight digits: no buffer, no copy. Near the end of the page's buffer they go
//! through a small array whose loads each sit inside one store. Larger numbers (17 digits
//! and more, rare on a page) go through itoa.

use super::BufWriter;
use core::fmt::{self, Write};

/// Writes `n` in decimal through itoa (two digits per step, no formatting machinery): for
/// writers other than a page's [`BufWriter`].
#[inline]
pub(crate) fn write_u64(w: &mut impl fmt::Write, n: u64) -> fmt::Result {
    w.write_str(itoa::Buffer::new().format(n))
}

/// A writer of a page's numbers: integers go in as digits computed in registers where the
/// writer can take them (a [`BufWriter`]), else as text.
pub(crate) trait WriteInt: fmt::Write {
    /// Writes `n` in decimal.
    fn write_int(&mut self, n: u64) -> fmt::Result;

    /// Writes `n` in decimal, with a '-' if negative.
    fn write_i64(&mut self, n: i64) -> fmt::Result {
        if n < 0 {
            self.write_char('-')?;
        }
        self.write_int(n.unsigned_abs())
    }
}

impl WriteInt for BufWriter<'_> {
    /// Stores the digits as one or two 8-byte words where 16 bytes are free past the end of
    /// the text (bytes after the digits are overwritten by the next write or lie past the
    /// page); else through a small array.
    #[inline]
    fn write_int(&mut self, n: u64) -> fmt::Result {
        if n < 10 {
            // The most common number on a page (empty buckets, idle counters): one byte.
            self.write_bytes(&[b'0' + n as u8]);
            return Ok(());
        }
        if n >= 10_000_000_000_000_000 {
            return self.write_str(itoa::Buffer::new().format(n));
        }
        // The words in reading order: the first holds 1-8 digits (leading zeros dropped),
        // the second, for numbers of 9-16 digits, the last eight.
        let (first, first_len, second) = if n < 100_000_000 {
            let (word, len) = significant(eight_digits(n as u32));
            (word, len, None)
        } else {
            let (high, low) = ((n / 100_000_000) as u32, (n % 100_000_000) as u32);
            let (word, len) = significant(eight_digits(high));
            (word, len, Some(eight_digits(low) | ASCII_ZEROS))
        };
        let len = first_len + if second.is_some() { 8 } else { 0 };
        let end = self.len.saturating_add(16);
        match self.buf.get_mut(self.len..end) {
            Some(room) => {
                if let Some(dst) = room.first_chunk_mut::<8>() {
                    *dst = first.to_le_bytes();
                }
                if let (Some(low), Some(dst)) = (second, room[first_len..].first_chunk_mut::<8>()) {
                    *dst = low.to_le_bytes();
                }
                self.len += len;
            }
            None => {
                // Near the end of the buffer (or counting past it): the same bytes, copied.
                let mut bytes = [0u8; 16];
                bytes[..8].copy_from_slice(&first.to_le_bytes());
                if let Some(low) = second {
                    bytes[first_len..first_len + 8].copy_from_slice(&low.to_le_bytes());
                }
                self.write_bytes(&bytes[..len]);
            }
        }
        Ok(())
    }
}

/// The ASCII digits of `digits` (as from [`eight_digits`]) without leading zeros (one digit
/// kept for zero), first digit in the lowest byte; and how many there are.
#[inline]
fn significant(digits: u64) -> (u64, usize) {
    // The first nonzero digit is the lowest nonzero byte.
    let zeros = (digits.trailing_zeros() / 8).min(7);
    ((digits | ASCII_ZEROS) >> (8 * zeros), 8 - zeros as usize)
}

const ASCII_ZEROS: u64 = 0x3030_3030_3030_3030;

/// The eight decimal digits of `n` (below 10^8, leading zeros included), one a byte as values
/// 0-9, the most significant in the lowest byte (first in memory on a little-endian store:
/// `to_le_bytes` puts them in reading order on any target).
#[inline]
fn eight_digits(n: u32) -> u64 {
    debug_assert!(n < 100_000_000);
    // Two 4-digit halves in the two 32-bit lanes, the high half first.
    let x = u64::from(n / 10_000) | (u64::from(n % 10_000) << 32);
    // Each lane (below 10^4) into hundreds and the rest: v / 100 == (v * 10486) >> 20 for
    // v < 10^4 (the products stay inside their 32-bit lanes; tested for every v).
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007F_0000_007F;
    let x = hundreds | ((x - hundreds * 100) << 16);
    // Each 16-bit lane (below 100) into tens and ones: v / 10 == (v * 103) >> 10 for v < 100.
    let tens = ((x * 103) >> 10) & 0x000F_000F_000F_000F;
    tens | ((x - tens * 10) << 8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    /// `n` through a [`BufWriter`] over `room` bytes (`None` if they were too few).
    fn decimal(n: u64, room: usize) -> ([u8; 40], usize) {
        let mut buf = [b'#'; 40];
        let mut w = BufWriter::new(&mut buf[..room]);
        w.write_str("x").unwrap();
        w.write_int(n).unwrap();
        let len = w.len;
        (buf, len)
    }

    fn assert_decimal(n: u64) {
        let mut expected = itoa::Buffer::new();
        let expected = expected.format(n).as_bytes();
        // Room for the 16-byte stores, and exactly enough room (the copying path).
        for room in [40, 1 + expected.len()] {
            let (buf, len) = decimal(n, room);
            assert_eq!(len, 1 + expected.len(), "{n}");
            assert_eq!(&buf[1..len], expected, "{n} with {room} bytes");
            assert_eq!(buf[0], b'x');
            assert!(
                buf[room..].iter().all(|&b| b == b'#'),
                "{n}: past the buffer"
            );
        }
        // Too little room: counted, as every BufWriter write.
        let mut short = [0u8; 2];
        let mut w = BufWriter::new(&mut short);
        w.write_int(n).unwrap();
        assert_eq!(w.len, expected.len());
    }

    #[test]
    fn negative_numbers_get_a_minus() {
        for n in [-1i64, -42, -123_456_789_012, i64::MIN, 0, i64::MAX] {
            let mut buf = [0u8; 24];
            let mut w = BufWriter::new(&mut buf);
            w.write_i64(n).unwrap();
            let len = w.len;
            let mut expected = itoa::Buffer::new();
            assert_eq!(&buf[..len], expected.format(n).as_bytes());
        }
    }

    #[test]
    fn the_lane_divisions_are_exact_over_their_whole_ranges() {
        for v in 0..10_000u64 {
            assert_eq!((v * 10_486) >> 20, v / 100, "{v}");
        }
        for v in 0..100u64 {
            assert_eq!((v * 103) >> 10, v / 10, "{v}");
        }
    }

    #[test]
    fn every_number_below_two_million_and_every_width_edge_matches_itoa() {
        for n in 0..2_000_000 {
            assert_decimal(n);
        }
        let mut power = 1u64;
        while let Some(next) = power.checked_mul(10) {
            for n in [power - 1, power, power + 1, next - 1] {
                assert_decimal(n);
            }
            power = next;
        }
        for n in [
            u64::MAX,
            u64::MAX - 1,
            10_000_000_000_000_000,
            99_999_999_999_999_999,
        ] {
            assert_decimal(n);
        }
    }

    #[test]
    fn spread_numbers_match_itoa() {
        // A multiplicative walk over the whole range: every digit position sees every digit.
        let mut n = 1u64;
        for _ in 0..200_000 {
            assert_decimal(n);
            assert_decimal(n / 7);
            n = n
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
        }
    }
}
