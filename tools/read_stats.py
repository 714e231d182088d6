#!/usr/bin/env python3
"""Read mutornadomon-rs stats files, written from FORMAT.md alone (standard library only).

    python3 tools/read_stats.py FILE [FILE...]

Prints one JSON document per file: {"path", "header": {...}, "metrics": {name: {...}}}.
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
KINDS = {1: "counter", 2: "gauge", 3: "histogram", 4: "info", 5: "sharded_counter", 6: "gauge"}
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

    metrics = {}
    at = records_start
    while at < committed:
        if at + 16 > committed:
            raise BadFile("record head past the committed end at %d" % at)
        frame, lengths = word(at), word(at + 8)
        length, kind, name_len = frame & 0xFFFFFFFF, (frame >> 32) & 0xFF, frame >> 48
        help_len, unit_len, param = lengths & 0xFFFF, (lengths >> 16) & 0xFFFF, lengths >> 32
        if length < 16 or length % 8 or at + length > committed:
            raise BadFile("bad record length at %d" % at)
        text_len = name_len + help_len + unit_len
        value_at = 16 + (text_len + 7) // 8 * 8
        if value_at > length:
            raise BadFile("record text overruns its record at %d" % at)
        if kind not in KINDS:
            at += length  # a kind from a newer writer: skipped by its length
            continue
        text = data[at + 16 : at + 16 + text_len]
        name = text[:name_len]
        if not NAME.match(name):
            raise BadFile("bad metric name at %d" % at)
        help_text = text_field(text[name_len : name_len + help_len], "help", at)
        unit = text[name_len + help_len :]
        if not UNIT.match(unit):
            raise BadFile("bad unit at %d" % at)
        unit = unit.decode("ascii")
        values = at + value_at
        words = (length - value_at) // 8
        kind_name = KINDS[kind]
        if kind_name == "counter" and words == 1:
            metric = {"kind": "counter", "value": word(values)}
        elif kind_name == "sharded_counter" and 1 <= param <= 256 and words == 16 * param:
            total = sum(word(values + 128 * s) for s in range(param)) % (1 << 64)
            metric = {"kind": "counter", "value": total}
        elif kind_name == "gauge" and (param, words) == GAUGE_LAYOUT[kind]:
            lo, hi = f64(values + 8), f64(values + 16)
            if kind == 6:
                lo, hi = extreme(min, lo, f64(values + 24)), extreme(max, hi, f64(values + 32))
            metric = {"kind": "gauge", "value": f64(values), "min": lo, "max": hi}
        elif kind_name == "histogram" and 1 <= param <= 976 and words == 3 + param:
            buckets = [word(values + 24 + 8 * i) for i in range(param)]
            count = sum(buckets) % (1 << 64)
            lo, hi = word(values + 8), word(values + 16)
            empty = count == 0 or lo > hi
            metric = {
                "kind": "histogram",
                "count": count,
                "sum": word(values),
                "min": None if empty else lo,
                "max": None if empty else hi,
                "buckets": {str(i): n for i, n in enumerate(buckets) if n},
            }
        elif kind_name == "info" and param <= 1024 and words == (param + 7) // 8:
            metric = {"kind": "info", "value": text_field(data[values : values + param], "info text", at)}
        else:
            raise BadFile("value area does not fit its kind at %d" % at)
        metric["help"], metric["unit"] = help_text, unit
        metrics[name.decode("ascii")] = metric
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
        print(json.dumps(result))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
