#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sparse_zip.py OUT SIZE - a ZIP64 archive holding one stored entry of SIZE
zero bytes, written as a sparse file (it takes no disk), with a CRC-32 of 0
(wrong for any SIZE > 0).  Testing it takes seconds of CRC work, so the
tests can interrupt zipscan in the middle of a scan."""
import os
import struct
import sys


def main():
    out, size = sys.argv[1], int(sys.argv[2])
    name = b"zeros.bin"
    z64 = struct.pack("<HHQQ", 1, 16, size, size)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0x21, 0,
                        0xFFFFFFFF, 0xFFFFFFFF, len(name), len(z64))
    header = local + name + z64
    data_end = len(header) + size
    z64c = struct.pack("<HHQQQ", 1, 24, size, size, 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0,
                          0x21, 0, 0xFFFFFFFF, 0xFFFFFFFF, len(name),
                          len(z64c), 0, 0, 0, 0, 0xFFFFFFFF) + name + z64c
    eocd64 = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1,
                         len(central), data_end)
    loc = struct.pack("<IIQI", 0x07064B50, 0, data_end + len(central), 1)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF,
                       0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(out, "wb") as f:
        f.write(header)
        f.seek(data_end)   # the hole: zeros that take no disk
        f.write(central + eocd64 + loc + eocd)


if __name__ == "__main__":
    main()
