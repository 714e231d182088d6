#!/usr/bin/env python3
"""Read mutornadomon-rs stats files, written from FORMAT.md alone (standard library only).

    python3 tools/read_stats.py FILE [FILE...]

Prints one JSON document per file: {"path", "header": {...}, "metrics": {name: {...}}}. A
labelled series is keyed name{label="value",...} and has "labels"; a family's overflow series
is keyed name{otel_metric_overflow="true"} and also has "label_names", "limit" and "folded".
Exits 1 if a file is not a valid stats file (the error goes to stderr), 0 otherwise.
This exists to keep the format honestly language-independent: tests compare its output with
the Rust parser's.
"""
import json
import os
import re
import stat
import struct
import sys

MAGIC = b"MUTMSTAT"
MARKER = 0x0102030405060708
NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_.:]{0,127}\Z")
UNIT = re.compile(rb"[a-z_]{0,32}\Z")
MAX_TEXT = 1024


def text_field(raw, what, at):
    """Help or info text: at most 1024 bytes of UTF-8 without control characters (Unicode
    category Cc: U+0000-U+001F and U+007F-U+009F)."""
    if len(raw) > MAX_TEXT:
        raise BadFile("%s longer than %d bytes at %d" % (what, MAX_TEXT, at))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadFile("%s is not UTF-8 at %d" % (what, at)) from None
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text):
        raise BadFile("control character in %s at %d" % (what, at))
    return text


LABEL_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]{0,63}\Z")
RESERVED_LABELS = (b"le", b"otel_metric_overflow")
MAX_LABELS = 8
MAX_LABEL_VALUE = 256


def label_names(raw, at):
    """A family's label names: 1 to 8 NUL-separated names, each [A-Za-z_][A-Za-z0-9_]{0,63},
    none reserved (le, otel_metric_overflow, __*), no two alike."""
    names = raw.split(b"\0") if raw else []
    if not names or len(names) > MAX_LABELS:
        raise BadFile("a family needs 1 to 8 label names at %d" % at)
    for i, name in enumerate(names):
        if not LABEL_NAME.match(name) or name in RESERVED_LABELS or name.startswith(b"__"):
            raise BadFile("bad label name at %d" % at)
        if name in names[:i]:
            raise BadFile("label name twice at %d" % at)
    return [n.decode("ascii") for n in names]


def label_values(raw, count, at):
    """A series' label values: `count` NUL-separated values, each text of at most 256 bytes."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadFile("label values are not UTF-8 at %d" % at) from None
    values = text.split("\0")
    if len(values) != count:
        raise BadFile("%d label values for %d names at %d" % (len(values), count, at))
    for v in values:
        if len(v.encode("utf-8")) > MAX_LABEL_VALUE or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in v):
            raise BadFile("bad label value at %d" % at)
    return values


def series_key(name, labels):
    """How a labelled series is keyed in the output: name{a="x",b="y"}."""
    escaped = ('%s="%s"' % (k, v.replace("\\", "\\\\").replace('"', '\\"')) for k, v in labels)
    return "%s{%s}" % (name, ",".join(escaped))


KINDS = {1: "counter", 2: "gauge", 3: "histogram", 4: "info", 5: "sharded_counter", 6: "gauge"}
FAMILY, SERIES = 7, 8
# The kinds a family's series may be: counter, gauge (1.1 layout), histogram.
SERIES_KINDS = (1, 6, 3)
# A gauge record's (parameter, value words) by kind: 1.0's one-window gauge (kind 2: value, min,
# max) and 1.1's two-window gauge (kind 6: value, two windows' min and max, epoch).
GAUGE_LAYOUT = {2: (0, 3), 6: (2, 6)}


def extreme(pick, a, b):
    """min or max of two window slots, passing over a NaN slot (as f64::min/max do)."""
    if a != a:
        return b
    if b != b:
        return a
    return pick(a, b)


class BadFile(Exception):
    pass


def parse(data):
    if len(data) < 128:
        raise BadFile("shorter than the 128-byte header")
    if data[:8] != MAGIC:
        raise BadFile("bad magic")
    (marker_le,) = struct.unpack_from("<Q", data, 8)
    if marker_le == MARKER:
        order = "<"
    elif marker_le == int.from_bytes(MARKER.to_bytes(8, "little"), "big"):
        order = ">"
    else:
        raise BadFile("bad endianness marker")

    def word(offset):
        return struct.unpack_from(order + "Q", data, offset)[0]

    def f64(offset):
        return struct.unpack_from(order + "d", data, offset)[0]

    header = [word(8 * i) for i in range(16)]
    major, minor = header[2] & 0xFFFFFFFF, header[2] >> 32
    if major != 1:
        raise BadFile("unsupported major version %d" % major)
    header_len, capacity, committed, records_start = header[3], header[4], header[5], header[13]
    if any(v % 8 for v in (header_len, capacity, committed, records_start)):
        raise BadFile("unaligned header lengths")
    if not (128 <= header_len <= capacity and header_len <= records_start <= committed <= capacity):
        raise BadFile("inconsistent header lengths")
    if committed > len(data):
        raise BadFile("truncated: %d bytes committed, %d present" % (committed, len(data)))

    def read_value(kind, param, values, words, at):
        """A value of `kind` (a kind code) from `words` words at byte `values`."""
        kind_name = KINDS[kind]
        if kind_name == "counter" and words == 1:
            return {"kind": "counter", "value": word(values)}
        if kind_name == "sharded_counter" and 1 <= param <= 256 and words == 16 * param:
            total = sum(word(values + 128 * s) for s in range(param)) % (1 << 64)
            return {"kind": "counter", "value": total}
        if kind_name == "gauge" and (param, words) == GAUGE_LAYOUT[kind]:
            lo, hi = f64(values + 8), f64(values + 16)
            if kind == 6:
                lo, hi = extreme(min, lo, f64(values + 24)), extreme(max, hi, f64(values + 32))
                # Both windows NaN: nothing set in them; the value stands for its extremes.
                lo, hi = (f64(values) if x != x else x for x in (lo, hi))
            return {"kind": "gauge", "value": f64(values), "min": lo, "max": hi}
        if kind_name == "histogram" and 1 <= param <= 976 and words == 3 + param:
            buckets = [word(values + 24 + 8 * i) for i in range(param)]
            count = sum(buckets) % (1 << 64)
            lo, hi = word(values + 8), word(values + 16)
            empty = count == 0 or lo > hi
            return {
                "kind": "histogram",
                "count": count,
                "sum": word(values),
                "min": None if empty else lo,
                "max": None if empty else hi,
                "buckets": {str(i): n for i, n in enumerate(buckets) if n},
            }
        if kind_name == "info" and param <= 1024 and words == (param + 7) // 8:
            return {"kind": "info", "value": text_field(data[values : values + param], "info text", at)}
        raise BadFile("value area does not fit its kind at %d" % at)

    def head(at):
        """A record's framing: (length, kind, name, help, unit, param) lengths, checked to fit."""
        if at + 16 > committed:
            raise BadFile("record head past the committed end at %d" % at)
        frame, lengths = word(at), word(at + 8)
        length, kind, name_len = frame & 0xFFFFFFFF, (frame >> 32) & 0xFF, frame >> 48
        help_len, unit_len, param = lengths & 0xFFFF, (lengths >> 16) & 0xFFFF, lengths >> 32
        if length < 16 or length % 8 or at + length > committed:
            raise BadFile("bad record length at %d" % at)
        return length, kind, name_len, help_len, unit_len, param

    def texts(at, name_len, help_len, unit_len):
        """A record's name, help and unit, checked."""
        text = data[at + 16 : at + 16 + name_len + help_len + unit_len]
        name = text[:name_len]
        if not NAME.match(name):
            raise BadFile("bad metric name at %d" % at)
        help_text = text_field(text[name_len : name_len + help_len], "help", at)
        unit = text[name_len + help_len :]
        if not UNIT.match(unit):
            raise BadFile("bad unit at %d" % at)
        return name.decode("ascii"), help_text, unit.decode("ascii")

    def family(at):
        """The family record at `at` (FORMAT.md, "Labelled families"), its overflow series read."""
        length, kind, name_len, help_len, unit_len, param = head(at)
        if kind != FAMILY:
            raise BadFile("a series' family is not a family record at %d" % at)
        labels_len, value_kind = param & 0xFFFF, (param >> 16) & 0xFF
        text_len = name_len + help_len + unit_len + labels_len
        value_at = 16 + (text_len + 7) // 8 * 8
        if value_at > length:
            raise BadFile("record text overruns its record at %d" % at)
        name, help_text, unit = texts(at, name_len, help_len, unit_len)
        start = at + 16 + name_len + help_len + unit_len
        names = label_names(data[start : start + labels_len], at)
        if value_kind not in SERIES_KINDS:
            raise BadFile("value area does not fit its kind at %d" % at)
        words = (length - value_at) // 8
        if words < 4:
            raise BadFile("value area does not fit its kind at %d" % at)
        values = at + value_at
        value_param, limit, folded = word(values), word(values + 8), word(values + 16)
        overflow = read_value(value_kind, value_param, values + 32, words - 4, at)
        return {
            "name": name, "help": help_text, "unit": unit, "labels": names, "kind": value_kind,
            "param": value_param, "limit": limit, "folded": folded, "overflow": overflow,
        }

    metrics = {}
    at = records_start
    while at < committed:
        length, kind, name_len, help_len, unit_len, param = head(at)
        text_len = name_len + help_len + unit_len
        if kind == FAMILY:
            text_len += param & 0xFFFF
        value_at = 16 + (text_len + 7) // 8 * 8
        if value_at > length:
            raise BadFile("record text overruns its record at %d" % at)
        if kind == FAMILY:
            f = family(at)
            metric = f["overflow"]
            metric["labels"] = {"otel_metric_overflow": "true"}
            metric["label_names"], metric["limit"], metric["folded"] = f["labels"], f["limit"], f["folded"]
            metric["help"], metric["unit"] = f["help"], f["unit"]
            metrics[series_key(f["name"], [("otel_metric_overflow", "true")])] = metric
            at += length
            continue
        if kind == SERIES:
            family_at = param * 8
            if help_len or unit_len or family_at >= at:
                raise BadFile("a series' family is not a valid family record before it at %d" % at)
            f = family(family_at)
            values = label_values(data[at + 16 : at + 16 + name_len], len(f["labels"]), at)
            labels = list(zip(f["labels"], values))
            metric = read_value(f["kind"], f["param"], at + value_at, (length - value_at) // 8, at)
            metric["labels"] = dict(labels)
            metric["help"], metric["unit"] = f["help"], f["unit"]
            metrics[series_key(f["name"], labels)] = metric
            at += length
            continue
        if kind not in KINDS:
            at += length  # a kind from a newer writer: skipped by its length
            continue
        name, help_text, unit = texts(at, name_len, help_len, unit_len)
        metric = read_value(kind, param, at + value_at, (length - value_at) // 8, at)
        metric["help"], metric["unit"] = help_text, unit
        metrics[name] = metric
        at += length

    return {
        "header": {
            "version": [major, minor],
            "big_endian": order == ">",
            "capacity": capacity,
            "committed": committed,
            "pid": header[6],
            "start_time_ns": header[7],
            "creation_time_ns": header[8],
            "heartbeat_ns": header[9],
            "refused": header[10],
        },
        "metrics": metrics,
    }


# The largest region a writer makes (FORMAT.md): no file is read past it.
MAX_BYTES = 1 << 30


def read_committed(path):
    """The file's header, then at most what that header commits (never its whole length:
    a file truncated to 1 GiB after a valid header costs what it commits). Only regular files:
    a FIFO would block the reader and /dev/zero would never end."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BadFile("not a regular file")
        want = 128
        data = b""
        for _ in range(4):  # the writer may commit more between two reads
            f.seek(0)
            data = f.read(want)
            committed = committed_of(data)
            if committed is None or committed <= want:
                break
            want = min(committed, MAX_BYTES)
        return data


def committed_of(data):
    """The committed end a header claims, or None if `data` is not a stats header."""
    if len(data) < 128 or data[:8] != MAGIC:
        return None
    (marker_le,) = struct.unpack_from("<Q", data, 8)
    order = "<" if marker_le == MARKER else ">"
    return struct.unpack_from(order + "Q", data, 40)[0]


def finite_or_null(value):
    """`value` with every NaN or infinity as None: JSON has neither (as the JSON page writes)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: finite_or_null(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite_or_null(v) for v in value]
    return value


def main(paths):
    status = 0
    for path in paths:
        try:
            result = parse(read_committed(path))
        except (OSError, BadFile, UnicodeDecodeError) as e:
            print("%s: %s" % (path, e), file=sys.stderr)
            status = 1
            continue
        result["path"] = path
        print(json.dumps(finite_or_null(result)))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
