//! Renderer output read back: for a region built by arbitrary operations (odd help text and
//! units included), the JSON must parse as JSON and agree with the model's counters, and the
//! Prometheus and OpenMetrics text must be well formed line by line.
#![no_main]

mod common;

use common::ops::{run, snapshot, Expected, Script};
use libfuzzer_sys::fuzz_target;
use mutornadomon_core::{parse, render_json, render_prometheus, RenderError, Stats, TextFormat};

fn render(stats: &Stats<'_>, f: impl Fn(&Stats<'_>, &mut [u8]) -> Result<usize, RenderError>) -> String {
    let mut out = vec![0u8; 64];
    loop {
        match f(stats, &mut out) {
            Ok(n) => return String::from_utf8(out[..n].to_vec()).expect("renderers write UTF-8"),
            Err(RenderError::BufferTooSmall { needed }) => {
                assert!(needed > out.len(), "asked for {needed} with {} given", out.len());
                out.resize(needed, 0);
            }
            Err(e) => panic!("a region's own snapshot failed to render: {e}"),
        }
    }
}

/// A metric name as the exposition formats allow it.
fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Checks `name="value",...}` (escapes: \\, \", \n) and returns what follows `} `.
fn check_labels<'t>(mut labels: &'t str, line: &str) -> &'t str {
    loop {
        let (name, rest) = labels.split_once("=\"").unwrap_or_else(|| panic!("label in {line:?}"));
        assert!(is_metric_name(name), "label name in {line:?}");
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => {
                    let escaped = chars.next().map(|(_, c)| c);
                    assert!(matches!(escaped, Some('\\' | '"' | 'n')), "escape in {line:?}");
                }
                Some((i, '"')) => break i,
                Some((_, '\n')) | None => panic!("unterminated label value in {line:?}"),
                Some(_) => {}
            }
        };
        let after = &rest[end + 1..];
        if let Some(value) = after.strip_prefix("} ") {
            return value;
        }
        labels = after.strip_prefix(',').unwrap_or_else(|| panic!("label list in {line:?}"));
    }
}

fn check_exposition(text: &str, open_metrics: bool) {
    // An empty Prometheus page (no metrics) is valid; anything else ends with a newline.
    assert!(text.is_empty() || text.ends_with('\n'), "ends with a newline");
    if open_metrics {
        assert!(text.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    }
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let keyword = parts.next().unwrap_or("");
            if keyword == "EOF" {
                continue;
            }
            assert!(matches!(keyword, "HELP" | "TYPE" | "UNIT"), "comment {line:?}");
            let name = parts.next().unwrap_or("");
            assert!(is_metric_name(name), "name in {line:?}");
            if keyword == "TYPE" {
                let kind = parts.next().unwrap_or("");
                assert!(
                    matches!(kind, "counter" | "gauge" | "histogram" | "info" | "untyped" | "summary"),
                    "type in {line:?}"
                );
            }
            continue;
        }
        // A sample: name, optional {labels}, a space, a value.
        let name_end = line.find(['{', ' ']).unwrap_or_else(|| panic!("sample {line:?}"));
        assert!(is_metric_name(&line[..name_end]), "sample name in {line:?}");
        let rest = &line[name_end..];
        let value = match rest.strip_prefix('{') {
            Some(labels) => check_labels(labels, line),
            None => &rest[1..],
        };
        let ok = value.parse::<f64>().is_ok() || matches!(value, "NaN" | "+Inf" | "-Inf");
        assert!(ok, "value {value:?} in {line:?}");
    }
}

fuzz_target!(|script: Script| {
    let (words, model) = run(&script);
    let bytes = snapshot(&words);
    let stats = parse(&bytes).expect("a region's own snapshot parses");

    let json = render(&stats, |s, out| render_json(s, None, out));
    let value: serde_json::Value = serde_json::from_str(&json).expect("render_json writes JSON");
    for (name, expected) in &model {
        if let Expected::Counter(n) = expected {
            assert_eq!(value["counters"][name].as_u64(), Some(*n), "{name} in {json}");
        }
    }

    for (format, open) in [(TextFormat::Prometheus, false), (TextFormat::OpenMetrics, true)] {
        let text = render(&stats, |s, out| render_prometheus(s, None, format, out));
        check_exposition(&text, open);
    }
});
