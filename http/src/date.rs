//! The `Date` header every response carries (RFC 9110 §6.6.1: an origin server with a clock
//! must send one on 2xx, 3xx and 4xx responses), formatted at most once a second per thread.

use std::cell::Cell;
use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Length of an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
pub(crate) const HTTP_DATE_LEN: usize = 29;

thread_local! {
    /// The second last formatted on this thread and its text.
    static LAST: Cell<(u64, [u8; HTTP_DATE_LEN])> = const { Cell::new((u64::MAX, [0; HTTP_DATE_LEN])) };
}

/// Now as an IMF-fixdate (the `Date` header's value). A request costs a clock read and a
/// 37-byte copy; the text is formatted again only when the second changes.
pub(crate) fn http_date_now() -> [u8; HTTP_DATE_LEN] {
    http_date(SystemTime::now())
}

/// The last second httpdate formats (it panics past it, and before 1970).
const LAST_SECOND: u64 = 253_402_300_799;

fn http_date(now: SystemTime) -> [u8; HTTP_DATE_LEN] {
    // A clock set before 1970 or past 9999 gets the nearest date there is, not a panic.
    let second = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs().min(LAST_SECOND));
    LAST.with(|last| {
        let (cached_second, text) = last.get();
        if cached_second == second {
            return text;
        }
        let text = format(UNIX_EPOCH + Duration::from_secs(second));
        last.set((second, text));
        text
    })
}

fn format(time: SystemTime) -> [u8; HTTP_DATE_LEN] {
    let mut text = [b' '; HTTP_DATE_LEN];
    // An IMF-fixdate is always 29 bytes, so the write cannot run out of room; if it ever
    // did, the spaces left are still a well-formed header value rather than a panic.
    let _ = write!(&mut text[..], "{}", httpdate::HttpDate::from(time));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_imf_fixdates_and_change_with_the_second() {
        let epoch = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(&http_date(epoch), b"Sun, 06 Nov 1994 08:49:37 GMT");
        // Same second: the cached text; next second: new text.
        assert_eq!(
            &http_date(epoch + Duration::from_millis(999)),
            b"Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(
            &http_date(epoch + Duration::from_secs(1)),
            b"Sun, 06 Nov 1994 08:49:38 GMT"
        );
        // Back in time (the clock was set back): formatted again, not stuck.
        assert_eq!(&http_date(epoch), b"Sun, 06 Nov 1994 08:49:37 GMT");
        // Clocks outside httpdate's range get its nearest date instead of its panic.
        assert_eq!(
            &http_date(UNIX_EPOCH - Duration::from_secs(5)),
            b"Thu, 01 Jan 1970 00:00:00 GMT"
        );
        assert_eq!(
            &http_date(UNIX_EPOCH + Duration::from_secs(LAST_SECOND * 2)),
            b"Fri, 31 Dec 9999 23:59:59 GMT"
        );
    }

    #[test]
    fn now_parses_back_to_within_a_second() {
        let text = http_date_now();
        let parsed = httpdate::parse_http_date(std::str::from_utf8(&text).unwrap()).unwrap();
        let now = SystemTime::now();
        let off = now.duration_since(parsed).unwrap_or_default();
        assert!(off < Duration::from_secs(2), "{off:?}");
    }
}
