# SPDX-License-Identifier: MIT
"""python -m zipscan ARCHIVE...: test each archive and print one JSON line
per archive (its path, exit status, totals and bad entries); the exit
status is the worst one, as `zipscan test`'s."""
import json
import sys

import zipscan


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print("usage: python -m zipscan ARCHIVE...\n"
              "Test each archive; one JSON line per archive (zipscan %s)."
              % zipscan.__version__, file=sys.stderr if not args else
              sys.stdout)
        return zipscan.EXIT_USAGE if not args else 0
    if args[0] in ("-V", "--version"):
        print("zipscan %s (Python module)" % zipscan.__version__)
        return 0
    worst = 0
    for path in args:
        try:
            with zipscan.open(path) as z:
                r = z.test()
                line = {"archive": path, "status": r.status,
                        "totals": r.totals,
                        "bad": [{"name": e.name, "offset": e.local_offset,
                                 "error": e.error} for e in r.bad],
                        "findings": [f.text for f in z.findings]}
                status = r.status
        except zipscan.Error as e:
            print(str(e), file=sys.stderr)
            line = {"archive": path, "status": e.status, "error": e.message}
            status = e.status
        print(json.dumps(line))
        worst = zipscan.exit_worse(worst, status)
    return worst


if __name__ == "__main__":
    sys.exit(main())
