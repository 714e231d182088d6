//! Labelled series in the tools: a series' display name (`requests{status="200"}`) and
//! selectors that pick series by name and label values, for `poll`'s fields and `serve`'s
//! `label` parameter.
//!
//! ```
//! use mmstats::series::Selector;
//! let ok = Selector::parse(r#"requests{status="200"}"#)?;
//! assert!(ok.matches("requests", [("status", "200"), ("method", "GET")]));
//! assert!(!ok.matches("requests", [("status", "404"), ("method", "GET")]));
//! assert!(Selector::parse("requests")?.matches("requests", [("status", "404")]));
//! # Ok::<(), String>(())
//! ```

use mutornadomon_core::Record;

/// The name a series is shown and selected by: the metric's name, then its labels as the
/// Prometheus text format writes them (values escaped: `\\`, `\"`, `\n`).
pub fn series_name(record: &Record<'_>) -> String {
    if record.labels.is_empty() {
        return record.name.to_owned();
    }
    let pairs: Vec<String> = record
        .labels
        .iter()
        .map(|(name, value)| format!("{name}=\"{}\"", escape(value)))
        .collect();
    format!("{}{{{}}}", record.name, pairs.join(","))
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A metric name with optional label matchers: `name`, or `name{a="x",b="y"}`. It matches
/// every series of that name whose labels include each matcher (an unlabelled metric only
/// without matchers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    name: String,
    matchers: Vec<(String, String)>,
}

impl Selector {
    /// Parses a selector; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let Some((name, rest)) = text.split_once('{') else {
            return Ok(Selector {
                name: text.to_owned(),
                matchers: Vec::new(),
            });
        };
        let mut matchers = Vec::new();
        let mut rest = rest;
        loop {
            rest = rest.trim_start_matches([' ', ',']);
            if let Some(after) = rest.strip_prefix('}') {
                if !after.is_empty() {
                    return Err(format!("text after the labels of {text:?}"));
                }
                break;
            }
            let (label, after) = rest
                .split_once("=\"")
                .ok_or_else(|| format!("expected label=\"value\" in {text:?}"))?;
            let (value, after) =
                unquote(after).ok_or_else(|| format!("unterminated value in {text:?}"))?;
            matchers.push((label.trim().to_owned(), value));
            rest = after;
        }
        Ok(Selector {
            name: name.to_owned(),
            matchers,
        })
    }

    /// The metric name it selects.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether a series of `name` with these labels is selected.
    pub fn matches<'l>(
        &self,
        name: &str,
        labels: impl IntoIterator<Item = (&'l str, &'l str)> + Clone,
    ) -> bool {
        name == self.name
            && self.matchers.iter().all(|(k, v)| {
                labels
                    .clone()
                    .into_iter()
                    .any(|(lk, lv)| lk == k && lv == v)
            })
    }

    /// Whether `record` is selected.
    pub fn selects(&self, record: &Record<'_>) -> bool {
        self.matches(record.name, record.labels.iter())
    }
}

/// Splits a comma-separated list of selectors, keeping the commas between a selector's label
/// matchers (inside `{...}`, quoted values included).
///
/// ```
/// use mmstats::series::split_fields;
/// assert_eq!(split_fields(r#"a,b{x="1",y=","},c"#), ["a", r#"b{x="1",y=","}"#, "c"]);
/// ```
pub fn split_fields(list: &str) -> Vec<&str> {
    let (mut fields, mut start) = (Vec::new(), 0);
    let (mut braces, mut quoted, mut escaped) = (false, false, false);
    for (i, c) in list.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' if braces => quoted = !quoted,
            '{' if !quoted => braces = true,
            '}' if !quoted => braces = false,
            ',' if !braces => {
                fields.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(&list[start..]);
    fields
}

/// The value of a quoted label value up to its closing quote, unescaped, and what follows.
fn unquote(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &text[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => value.push('\n'),
                other => value.push(other),
            },
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_and_match() {
        let s = Selector::parse(r#"req{a="x \"q\" \\", b="" }"#).unwrap();
        assert_eq!(s.name(), "req");
        assert!(s.matches("req", [("a", "x \"q\" \\"), ("b", "")]));
        assert!(!s.matches("req", [("a", "x")]));
        assert!(Selector::parse("req{a=x}").is_err());
        assert!(Selector::parse(r#"req{a="x"#).is_err());
        assert!(Selector::parse(r#"req{a="x"}z"#).is_err());
        let plain = Selector::parse("req").unwrap();
        assert!(plain.matches("req", []));
    }
}
