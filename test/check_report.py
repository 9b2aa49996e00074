#!/usr/bin/env python3
"""check_report.py FORMAT ENTRIES ARCHIVES < report - validate a stats report.

json    every line parses; one per archive (+1 total line for a batch), each
        with a stats member; ENTRIES entries in all
ndjson  every line parses; ENTRIES "entry" lines, ARCHIVES "summary" lines
csv     RFC 4180: a header and ENTRIES rows of the header's width
html    tags balance (void elements aside), 4 SVG charts per section
Exits 0 when the report is valid, prints what is wrong otherwise.
"""
import csv
import html.parser
import io
import json
import sys

VOID = {"meta", "br", "hr", "img", "input", "link", "rect", "text", "title"}


class Balance(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.svgs, self.sections, self.errors = [], 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svgs += 1
        if tag == "section":
            self.sections += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
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
    else:
        sys.exit(f"unknown format {fmt}")


if __name__ == "__main__":
    main()
