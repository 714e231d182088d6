//! The parameters of `GET /profiler` (feature `profiler` serves it): parsed and bounded here,
//! without the feature, so they are tested and fuzzed on every build.

use crate::query_pairs;
use std::time::Duration;

/// Longest profile a request may ask for.
pub const MAX_PROFILE: Duration = Duration::from_secs(60);

/// What a profile is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileFormat {
    /// A flat/cumulative top-N table.
    Text,
    /// A flamegraph.
    Svg,
}

/// A `/profiler` request: `profiletime` in milliseconds (default 2000, at most 60000),
/// `format` (`text`, the default, or `svg`), `top` (rows of the text report, 1-10000, default
/// 30). Anything else is refused with a message saying what is accepted.
///
/// ```
/// use mutornadomon_http::{ProfileFormat, ProfileRequest};
/// let request = ProfileRequest::from_query("profiletime=250&format=svg")?;
/// assert_eq!(request.duration, std::time::Duration::from_millis(250));
/// assert_eq!(request.format, ProfileFormat::Svg);
/// assert!(ProfileRequest::from_query("profiletime=0").is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProfileRequest {
    /// How long to sample.
    pub duration: Duration,
    /// The answer's format.
    pub format: ProfileFormat,
    /// Rows of the text report.
    pub top: usize,
}

impl ProfileRequest {
    /// Parses a query string (percent-decoded).
    pub fn from_query(query: &str) -> Result<ProfileRequest, String> {
        let mut request = ProfileRequest {
            duration: Duration::from_millis(2000),
            format: ProfileFormat::Text,
            top: 30,
        };
        for (name, value) in query_pairs(query) {
            match name.as_str() {
                "profiletime" => {
                    let millis: u64 = value
                        .parse()
                        .map_err(|_| format!("profiletime must be milliseconds, got {value:?}"))?;
                    request.duration = Duration::from_millis(millis);
                    if request.duration > MAX_PROFILE || millis == 0 {
                        return Err(format!(
                            "profiletime must be 1 to {} ms",
                            MAX_PROFILE.as_millis()
                        ));
                    }
                }
                "format" => {
                    request.format = match value.as_str() {
                        "text" => ProfileFormat::Text,
                        "svg" => ProfileFormat::Svg,
                        _ => return Err(format!("format must be text or svg, got {value:?}")),
                    }
                }
                "top" => {
                    request.top = value
                        .parse()
                        .ok()
                        .filter(|n| (1..=10_000).contains(n))
                        .ok_or_else(|| format!("top must be 1 to 10000, got {value:?}"))?;
                }
                other => {
                    return Err(format!(
                        "unknown parameter {other:?} (profiletime, format, top)"
                    ))
                }
            }
        }
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_table() {
        let ok = |q: &str| ProfileRequest::from_query(q).unwrap();
        assert_eq!(
            ok(""),
            ProfileRequest {
                duration: Duration::from_secs(2),
                format: ProfileFormat::Text,
                top: 30
            }
        );
        assert_eq!(
            ok("profiletime=250&format=svg").duration,
            Duration::from_millis(250)
        );
        assert_eq!(ok("format=svg").format, ProfileFormat::Svg);
        assert_eq!(ok("top=5").top, 5);
        assert_eq!(
            ok("format=%73vg").format,
            ProfileFormat::Svg,
            "percent-decoded"
        );
        for bad in [
            "profiletime=0",
            "profiletime=60001",
            "profiletime=abc",
            "format=pdf",
            "top=0",
            "sortby=time",
            "top=-1",
        ] {
            assert!(ProfileRequest::from_query(bad).is_err(), "{bad} accepted");
        }
    }
}
