#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_report.py FORMAT ENTRIES ARCHIVES < report - validate a stats report.

json    every line parses; one per archive (+1 total line for a batch), each
        with a stats member; ENTRIES entries in all
ndjson  every line parses; ENTRIES "entry" lines, ARCHIVES "summary" lines
csv     RFC 4180: a header and ENTRIES rows of the header's width
html    tags balance (void elements aside), 4 SVG charts per section; a
        batch opens with an overview table of ARCHIVES rows; every size
        cell's "1.5 MiB" agrees with its exact data-v bytes; the size
        chart's labels are the text report's ("empty", "512 B+", "1 KiB+")
Exits 0 when the report is valid, prints what is wrong otherwise.
"""
import csv
import html.parser
import io
import json
import re
import sys

VOID = {"meta", "br", "hr", "img", "input", "link", "rect", "text", "title"}
UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
BUCKET = re.compile(r"^(empty|(1|2|4|8|16|32|64|128|256|512) (%s)\+)$"
                    % "|".join(UNITS))


def human_ok(text, exact):
    """Does "1.5 MiB" (one decimal below 100, none above) say exact bytes?"""
    m = re.fullmatch(r"(\d+)(\.\d)? (%s)" % "|".join(UNITS), text)
    if not m:
        return False
    shown, unit = float(m[1] + (m[2] or "")), UNITS.index(m[3])
    if unit == 0:
        return m[2] is None and int(shown) == exact
    if (m[2] is not None) != (shown < 100):
        return False
    value = exact / 1024 ** unit
    return abs(value - shown) <= (0.05 if m[2] else 0.5) + 1e-9


class Balance(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.svgs, self.sections, self.errors = [], 0, 0, []
        self.overviews, self.overview_rows, self.in_overview = 0, 0, False
        self.sizes, self.cell, self.caption, self.labels = [], None, "", []
        self.in_text = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svgs += 1
        if tag == "section":
            self.sections += 1
        if tag == "table" and "overview" in a.get("class", "").split():
            self.overviews += 1
            self.in_overview = True
        if tag == "tr" and self.in_overview and "tbody" in self.stack:
            self.overview_rows += 1
        if tag == "td" and "data-v" in a:
            self.cell = [int(a["data-v"]), ""]
        if tag == "figcaption":
            self.caption = ""
        if tag == "text" and a.get("text-anchor") == "end":
            self.in_text = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data
        if self.stack and self.stack[-1] == "figcaption":
            self.caption += data
        if self.in_text and self.caption.startswith("Uncompressed size"):
            self.labels.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.sizes.append(tuple(self.cell))
            self.cell = None
        if tag == "table":
            self.in_overview = False
        if tag == "text":
            self.in_text = False
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def main():
    fmt, entries, archives = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    data = sys.stdin.read()
    if fmt == "json":
        objs = [json.loads(l) for l in data.splitlines()]
        want = archives + (1 if archives > 1 else 0)
        assert len(objs) == want, (len(objs), want)
        n = sum(len(o["entries"]) for o in objs if "entries" in o)
        assert n == entries, (n, entries)
        for o in objs:
            st = o["stats"] if "stats" in o else o["total"]["stats"]
            for key in ("entries", "methods", "ratio_percentiles",
                        "ratio_histogram", "size_histogram_log2", "largest",
                        "least_compressible", "most_compressible",
                        "extensions", "top_dirs", "duplicates", "names",
                        "anomalies"):
                assert key in st, key
    elif fmt == "ndjson":
        objs = [json.loads(l) for l in data.splitlines()]
        kinds = [o["type"] for o in objs]
        assert kinds.count("entry") == entries, kinds.count("entry")
        assert kinds.count("summary") == archives, kinds.count("summary")
        assert kinds.count("total") == (1 if archives > 1 else 0)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(data, newline="")))
        assert rows[0][:3] == ["archive", "name", "method"], rows[0]
        assert len(rows) == entries + 1, (len(rows), entries + 1)
        assert all(len(r) == len(rows[0]) for r in rows), "ragged rows"
    elif fmt == "html":
        p = Balance()
        p.feed(data)
        p.close()
        assert not p.errors, p.errors[:3]
        assert p.stack == [], p.stack
        assert data.startswith("<!DOCTYPE html>")
        assert "http://" not in data.replace("http://www.w3.org/2000/svg", ""), \
            "the page must not load anything"
        assert p.svgs == 4 * p.sections, (p.svgs, p.sections)
        assert p.sections == archives + (1 if archives > 1 else 0)
        assert p.overviews == (1 if archives > 1 else 0), p.overviews
        if archives > 1:
            assert p.overview_rows == archives, p.overview_rows
        assert p.sizes, "no size cells"
        bad = [c for c in p.sizes if not human_ok(c[1], c[0])]
        assert not bad, bad[:3]
        assert p.labels or entries == 0, "no size histogram labels"
        bad = [l for l in p.labels if not BUCKET.match(l)]
        assert not bad, bad[:3]
    else:
        sys.exit(f"unknown format {fmt}")


if __name__ == "__main__":
    main()
