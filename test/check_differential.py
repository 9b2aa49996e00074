#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_differential.py ZIPSCAN - show that scripts/differential.py fails
when it should.

differential.py passes when zipscan agrees with Python and unzip; this
checks that it does not pass otherwise.  It builds a few small archives
with zipfile in a temporary directory, then runs differential.py on them
through a wrapper around the real zipscan that lies in one way at a time
(renames an entry, drops one from `list` only, warns where nothing is
wrong, breaks the JSON, exits with an undefined status, writes a sanitizer
report) and requires each lie to fail the run with the matching message.
With the honest zipscan the same archives must pass.  It also names the
temporary directory `fixtures` and puts in it a clean `trailing.zip`, so
that EXPLAINED's entries for the real fixtures are stale or missing, which
must fail too.
"""
import os
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DIFFERENTIAL = os.path.join(HERE, "..", "scripts", "differential.py")

# The lying zipscan: runs the real one, then changes its answer as LIE says.
WRAPPER = r'''#!/usr/bin/python3
"""A zipscan that lies, for check_differential.py."""
import json, os, subprocess, sys
lie, real = os.environ["LIE"], os.environ["REAL_ZIPSCAN"]
p = subprocess.run([real] + sys.argv[1:], capture_output=True, text=True)
out, status, cmd = p.stdout, p.returncode, sys.argv[1]
if "--json" in sys.argv and out:
    obj = json.loads(out)
    if lie == "rename" and obj["entries"]:
        obj["entries"][0]["name"] += "x"
    if lie == "drop" and cmd == "list" and obj["entries"]:
        obj["entries"].pop()
    if lie == "warn" and status == 0:
        status = obj["summary"]["status"] = 1
    out = json.dumps(obj) + "\n"
if lie == "badjson":
    out = out[:-5] + "\n"
if lie == "status":
    status = 7
if lie == "sanitizer":
    sys.stderr.write("==1==ERROR: AddressSanitizer: heap-buffer-overflow\n")
sys.stdout.write(out)
sys.exit(status)
'''

LIES = {
    "rename": "unexplained disagreement: zipscan ok, python ok, unzip ok, "
              "lists zipscan\u2260python, zipscan\u2260unzip",
    "drop": "test and list show different entries",
    "warn": "unexplained disagreement: zipscan warning, python ok, unzip ok",
    "badjson": "JSON does not parse",
    "status": "undefined exit status 7",
    "sanitizer": "sanitizer: ==1==ERROR: AddressSanitizer",
}


def run(zipscan, folder, env=None):
    p = subprocess.run([sys.executable, DIFFERENTIAL, zipscan, "--archives",
                        folder], capture_output=True, text=True, env=env)
    return p.returncode, p.stdout + p.stderr


def main():
    real = os.path.abspath(sys.argv[1])
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "plain")
        os.mkdir(plain)
        with zipfile.ZipFile(os.path.join(plain, "a.zip"), "w",
                             zipfile.ZIP_DEFLATED) as z:
            z.writestr("a.txt", b"hello\n" * 100)
            z.writestr("dir/caf\u00e9.txt", b"x")
            z.writestr("dir/", b"")
        wrapper = os.path.join(tmp, "lying-zipscan")
        with open(wrapper, "w") as f:
            f.write(WRAPPER)
        os.chmod(wrapper, 0o755)

        status, out = run(real, plain)
        if status != 0:
            print(f"FAIL  honest zipscan does not pass:\n{out}")
            failures += 1
        for lie, message in LIES.items():
            env = dict(os.environ, LIE=lie, REAL_ZIPSCAN=real)
            status, out = run(wrapper, plain, env)
            if status != 1 or message not in out:
                print(f"FAIL  a zipscan that lies ({lie}) is not caught: "
                      f"exit {status}, no {message!r} in:\n{out}")
                failures += 1

        # A directory named like the fixtures: its clean trailing.zip makes
        # that EXPLAINED entry stale, the other fixtures are missing.
        fake = os.path.join(tmp, "fixtures")
        os.mkdir(fake)
        os.link(os.path.join(plain, "a.zip"),
                os.path.join(fake, "trailing.zip"))
        status, out = run(real, fake)
        for message in ("fixtures/trailing.zip: listed as explained "
                        "(trailing) but zipscan now agrees",
                        "fixtures/desc-bad.zip: in EXPLAINED but not found"):
            if status != 1 or message not in out:
                print(f"FAIL  no {message!r} (exit {status}):\n{out}")
                failures += 1
    print(f"check_differential: {len(LIES) + 3 - failures} passed, "
          f"{failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
