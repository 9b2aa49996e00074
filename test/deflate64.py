#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""deflate64.py - a Deflate64 (ZIP method 9) and Deflate stream writer for
the tests, and, run as a script, the fixtures made with it.

    deflate64.py OUTDIR   write OUTDIR/cases.txt and, per case, NAME.bin
                          (the raw stream), NAME.out (its output) and, for
                          Deflate64 cases, NAME.zip (one entry, method 9)

The writer takes blocks (Stored, Fixed, Dynamic, Bits) holding literals
(ints) and matches ((length, distance) pairs) and writes exactly what it is
told: lengths and distances are coded by the tables below, Huffman codes
come from the symbol counts unless given, and every field a hostile stream
needs to get wrong can be set by hand (code lengths, HLIT/HDIST/HCLEN, the
code-length instructions, LEN/NLEN, raw symbols, raw bits).  Written from
RFC 1951 and the Deflate64 differences (a 64 KiB window; length code 285
is 3 + 16 extra bits; distance codes 30 and 31), not from another encoder.

Each valid case's output is computed here from its tokens and checked
against 7-Zip (`7zz x` on the case's ZIP), so the writer is proven right
independently of our decoder; the plain Deflate cases are checked against
zlib.  cases.txt, one line per case:

    NAME MODE RESULT WHY IN_LEN OUT_LEN USIZE
    MODE    d64 or plain (ZS_INFLATE64_PLAIN)
    RESULT  end, or bad: then WHY is the reason (enum zs_codec_why without
            ZS_WHY_, lower case), and NAME.out holds the output of every
            token before the first bad one
    IN_LEN  the stream's length (NAME.bin may be longer: trailing bytes)
    USIZE   the uncompressed size NAME.zip declares (- for no ZIP); the
            ZIP is bad where it differs from OUT_LEN
"""
import os
import random
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402  (the ZIP writer)

# ---- the formats ------------------------------------------------------------

LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43,
            51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
LEN_EXTRA = [0] * 8 + [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4 + [0]
DIST_EXTRA = [0] * 4 + [k // 2 - 1 for k in range(4, 32)]
DIST_BASE = [1]
for _e in DIST_EXTRA[:-1]:
    DIST_BASE.append(DIST_BASE[-1] + (1 << _e))
assert DIST_BASE[30] == 32769 and DIST_BASE[31] == 49153
assert DIST_BASE[31] + (1 << DIST_EXTRA[31]) - 1 == 65536

NUM_LITLEN = 288     # symbols a code may hold lengths for (286, 287 invalid)
NUM_DIST = 32
MAX_BITS = 15        # longest literal/length or distance code
MAX_CL_BITS = 7      # longest code-length code
CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
EOB = 256


class Format:
    """Deflate64 or plain Deflate: what code 285 means, how far back."""

    def __init__(self, deflate64):
        self.deflate64 = deflate64
        self.name = "d64" if deflate64 else "plain"
        self.len_base = LEN_BASE[:28] + ([3] if deflate64 else [258])
        self.len_extra = LEN_EXTRA[:28] + ([16] if deflate64 else [0])
        self.max_len = 65538 if deflate64 else 258
        self.dist_codes = 32 if deflate64 else 30
        self.window = 65536 if deflate64 else 32768

    def length_code(self, n):
        """(symbol, extra value, extra bits) for a match length.  Deflate64
        says 258 with code 284 + 31 (plain: 285); past 258 it takes 285."""
        assert 3 <= n <= self.max_len, n
        if n == 258 and not self.deflate64:
            return 285, 0, 0
        if n > 258:
            return 285, n - 3, 16
        for c in range(27, -1, -1):
            if LEN_BASE[c] <= n:
                return 257 + c, n - LEN_BASE[c], LEN_EXTRA[c]
        raise AssertionError(n)

    def dist_code(self, d):
        assert 1 <= d <= self.window, d
        for c in range(self.dist_codes - 1, -1, -1):
            if DIST_BASE[c] <= d:
                return c, d - DIST_BASE[c], DIST_EXTRA[c]
        raise AssertionError(d)


D64, PLAIN = Format(True), Format(False)

# ---- bits and Huffman codes -------------------------------------------------


class Bits:
    """An LSB-first bit writer, as Deflate packs its bits."""

    def __init__(self):
        self.buf = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value, nbits):
        assert 0 <= value < (1 << nbits) or (nbits == 0 and value == 0), \
            (value, nbits)
        self.acc |= value << self.n
        self.n += nbits
        while self.n >= 8:
            self.buf.append(self.acc & 255)
            self.acc >>= 8
            self.n -= 8

    def put_code(self, code, length):
        """A Huffman code: sent from its most significant bit."""
        rev = 0
        for _ in range(length):
            rev = rev << 1 | (code & 1)
            code >>= 1
        self.put(rev, length)

    def align(self, pad=0):
        """Up to the next byte; pad fills the skipped bits (ignored)."""
        if self.n:
            k = 8 - self.n
            self.put(pad & ((1 << k) - 1), k)

    def bit_length(self):
        return 8 * len(self.buf) + self.n

    def getvalue(self):
        out = bytes(self.buf)
        return out + bytes([self.acc]) if self.n else out


def canonical_codes(lengths):
    """RFC 1951 3.2.2: the code of each symbol from the lengths.  Invalid
    lengths still give numbers (masked), enough to write a hostile header."""
    count = [0] * (MAX_BITS + 2)
    for n in lengths:
        count[n] += 1
    count[0] = 0
    code, next_code = 0, [0] * (MAX_BITS + 2)
    for bits in range(1, MAX_BITS + 2):
        code = (code + count[bits - 1]) << 1
        next_code[bits] = code
    codes = [0] * len(lengths)
    for s, n in enumerate(lengths):
        if n:
            codes[s] = next_code[n] & ((1 << n) - 1)
            next_code[n] += 1
    return codes


def huffman_lengths(freqs, limit):
    """Optimal code lengths of at most `limit` bits for the symbols with a
    count (package-merge).  One used symbol gets length 1."""
    used = sorted((f, s) for s, f in enumerate(freqs) if f > 0)
    lengths = [0] * len(freqs)
    if len(used) == 1:
        lengths[used[0][1]] = 1
    if len(used) < 2:
        return lengths
    assert len(used) <= 1 << limit
    leaves = [(f, (s,)) for f, s in used]
    items = list(leaves)
    for _ in range(limit - 1):
        pairs = [(items[k][0] + items[k + 1][0], items[k][1] + items[k + 1][1])
                 for k in range(0, len(items) - 1, 2)]
        items = sorted(leaves + pairs, key=lambda it: it[0])
    for _, syms in items[:2 * len(used) - 2]:
        for s in syms:
            lengths[s] += 1
    return lengths


def kraft(lengths, bits=MAX_BITS):
    """Code space used, in units of 2^-bits: 2^bits for a complete code."""
    return sum(1 << (bits - n) for n in lengths if n)

# ---- tokens and blocks ------------------------------------------------------


class Raw:
    """A literal/length symbol sent as it is (286, 287: invalid), with
    extra bits, and optionally a distance symbol and its extra bits."""

    def __init__(self, sym, extra=(0, 0), dsym=None, dextra=(0, 0)):
        self.sym, self.extra, self.dsym, self.dextra = sym, extra, dsym, dextra


class Match:
    """A match with its codes chosen by hand: lcode 285 with extra 0 is
    length 3 in Deflate64, code 284 with extra 31 is 258."""

    def __init__(self, length, dist, lcode, lextra, fmt=D64):
        c = lcode - 257
        assert fmt.len_base[c] + lextra == length
        assert lextra < (1 << fmt.len_extra[c]) or fmt.len_extra[c] == 0
        self.length, self.dist, self.lcode, self.lextra = (length, dist,
                                                           lcode, lextra)


def token_symbols(tok, fmt):
    """[(litlen sym, extra value, extra bits, dist sym or None, value,
    bits)] for one token."""
    if isinstance(tok, int):
        return (tok, 0, 0, None, 0, 0)
    if isinstance(tok, Raw):
        return (tok.sym, tok.extra[0], tok.extra[1], tok.dsym) + tok.dextra
    if isinstance(tok, Match):
        d = fmt.dist_code(tok.dist)
        return (tok.lcode, tok.lextra, fmt.len_extra[tok.lcode - 257]) + d
    length, dist = tok
    return fmt.length_code(length) + fmt.dist_code(dist)


class Stored:
    def __init__(self, data, final=False, length=None, nlen=None, pad=0):
        self.data, self.final, self.pad = data, final, pad
        self.length = len(data) if length is None else length
        self.nlen = (~self.length & 0xFFFF) if nlen is None else nlen
        valid = self.nlen == ~self.length & 0xFFFF == ~len(data) & 0xFFFF
        self.tokens = list(data) if valid else []

    def write(self, bits, fmt):
        bits.put(int(self.final), 1)
        bits.put(0, 2)
        bits.align(self.pad)
        bits.put(self.length, 16)
        bits.put(self.nlen, 16)
        for b in self.data:
            bits.put(b, 8)


def fixed_lengths():
    return [8] * 144 + [9] * 112 + [7] * 24 + [8] * 8


class Fixed:
    def __init__(self, tokens, final=False, eob=True):
        self.tokens, self.final, self.eob = tokens, final, eob

    def write(self, bits, fmt):
        bits.put(int(self.final), 1)
        bits.put(1, 2)
        write_tokens(bits, fmt, self.tokens, fixed_lengths(), [5] * 32,
                     self.eob)


def write_tokens(bits, fmt, tokens, litlen, dist, eob=True):
    lcodes, dcodes = canonical_codes(litlen), canonical_codes(dist)
    for tok in tokens:
        sym, v, n, dsym, dv, dn = token_symbols(tok, fmt)
        bits.put_code(lcodes[sym], litlen[sym])
        bits.put(v, n)
        if dsym is not None:
            bits.put_code(dcodes[dsym], dist[dsym])
            bits.put(dv, dn)
    if eob:
        bits.put_code(lcodes[EOB], litlen[EOB])


def run_length(lengths):
    """Code-length instructions [(symbol, extra)] for a length sequence:
    16 repeats the previous length 3-6 times, 17 and 18 zeros 3-10 and
    11-138 times."""
    out, k = [], 0
    while k < len(lengths):
        n = lengths[k]
        run = 1
        while k + run < len(lengths) and lengths[k + run] == n:
            run += 1
        k += run
        if n == 0:
            while run >= 11:
                r = min(run, 138)
                out.append((18, r - 11))
                run -= r
            if run >= 3:
                out.append((17, run - 3))
                run = 0
            out += [(0, 0)] * run
            continue
        out.append((n, 0))
        run -= 1
        while run >= 3:
            r = min(run, 6)
            out.append((16, r - 3))
            run -= r
        out += [(n, 0)] * run
    return out


CL_EXTRA = {16: 2, 17: 3, 18: 7}


def header_counts(litlen, dist, hlit=None, hdist=None):
    """HLIT and HDIST unless given: literal/length lengths up to the last
    used symbol (257 at least), distance lengths likewise (1 at least)."""
    hlit = hlit or max([257] + [s + 1 for s, n in enumerate(litlen) if n])
    hdist = hdist or max([1] + [s + 1 for s, n in enumerate(dist) if n])
    return hlit, hdist


def sent_lengths(litlen, dist, hlit=None, hdist=None):
    """The code lengths a dynamic header sends, in order."""
    hlit, hdist = header_counts(litlen, dist, hlit, hdist)
    return (list(litlen[:hlit]) + [0] * (hlit - len(litlen)) +
            list(dist[:hdist]) + [0] * (hdist - len(dist)))


class Dynamic:
    """A dynamic-Huffman block.  By default its codes are made from the
    tokens' symbol counts, each with at least two used symbols (so every
    code is complete, as zlib writes them); any part may be given:
    litlen/dist (code lengths), hlit/hdist (counts sent), cl (code-length
    instructions, sent as they are), cl_lengths (the 19 code-length code
    lengths), hclen (how many of those are sent)."""

    def __init__(self, tokens, final=False, litlen=None, dist=None, hlit=None,
                 hdist=None, cl=None, cl_lengths=None, hclen=None, eob=True):
        self.tokens, self.final, self.eob = tokens, final, eob
        self.litlen, self.dist = litlen, dist
        self.hlit, self.hdist = hlit, hdist
        self.cl, self.cl_lengths, self.hclen = cl, cl_lengths, hclen

    def codes(self, fmt):
        lf, df = [0] * NUM_LITLEN, [0] * NUM_DIST
        lf[EOB] = 1
        for tok in self.tokens:
            sym, _, _, dsym, _, _ = token_symbols(tok, fmt)
            lf[sym] += 1
            if dsym is not None:
                df[dsym] += 1
        # two used symbols at least: one alone would be an incomplete code
        for f in (lf, df):
            for s in range(len(f)):
                if sum(1 for x in f if x) >= 2:
                    break
                if not f[s]:
                    f[s] = 1
        litlen = self.litlen or huffman_lengths(lf, MAX_BITS)
        dist = self.dist or huffman_lengths(df, MAX_BITS)
        return litlen, dist

    def write(self, bits, fmt):
        litlen, dist = self.codes(fmt)
        hlit, hdist = header_counts(litlen, dist, self.hlit, self.hdist)
        seq = sent_lengths(litlen, dist, hlit, hdist)
        cl = self.cl if self.cl is not None else run_length(seq)
        if self.cl_lengths is not None:
            cll = list(self.cl_lengths)
        else:
            cf = [0] * 19
            for s, _ in cl:
                cf[s] += 1
            for s in (0, 8):   # two used symbols at least, as above
                if sum(1 for x in cf if x) < 2 and not cf[s]:
                    cf[s] = 1
            cll = huffman_lengths(cf, MAX_CL_BITS)
        hclen = self.hclen
        if hclen is None:
            hclen = 19
            while hclen > 4 and cll[CL_ORDER[hclen - 1]] == 0:
                hclen -= 1
        bits.put(int(self.final), 1)
        bits.put(2, 2)
        bits.put(hlit - 257, 5)
        bits.put(hdist - 1, 5)
        bits.put(hclen - 4, 4)
        for k in range(hclen):
            bits.put(cll[CL_ORDER[k]], 3)
        cc = canonical_codes(cll + [0] * (MAX_BITS + 1 - len(cll)))
        for s, extra in cl:
            bits.put_code(cc[s], cll[s])
            bits.put(extra, CL_EXTRA.get(s, 0))
        write_tokens(bits, fmt, self.tokens, litlen, dist, self.eob)


class BitsBlock:
    """Raw bits [(value, nbits)], for what no block type can say."""

    def __init__(self, fields):
        self.fields = fields
        self.tokens = []

    def write(self, bits, fmt):
        for v, n in self.fields:
            bits.put(v, n)


def encode(blocks, fmt=D64):
    bits = Bits()
    for b in blocks:
        b.write(bits, fmt)
    return bits.getvalue()


def expand(blocks, fmt=D64):
    """(output, ok): the output of the blocks' tokens up to the first one
    that cannot be decoded (a raw symbol, a distance past the output), and
    whether there was none."""
    out = bytearray()
    for b in blocks:
        for tok in b.tokens:
            if isinstance(tok, int):
                out.append(tok)
                continue
            if isinstance(tok, Raw):
                return bytes(out), False
            length, dist = ((tok.length, tok.dist) if isinstance(tok, Match)
                            else tok)
            if dist > len(out):
                return bytes(out), False
            if dist >= length:
                out += out[len(out) - dist:len(out) - dist + length]
            else:
                for _ in range(length):
                    out.append(out[-dist])
    return bytes(out), True

# ---- a greedy matcher, for streams of realistic shape -----------------------


def lz77(data, fmt=D64, max_len=None, chain=16):
    """Literals and matches for data: greedy, hash chains of 3 bytes."""
    max_len = max_len or fmt.max_len
    head, prev, toks, k = {}, {}, [], 0
    while k < len(data):
        best_len, best_dist = 0, 0
        if k + 3 <= len(data):
            key = data[k:k + 3]
            cand, tries = head.get(key), chain
            while cand is not None and k - cand <= fmt.window and tries:
                n = 0
                limit = min(max_len, len(data) - k)
                while n < limit and data[cand + n] == data[k + n]:
                    n += 1
                if n > best_len:
                    best_len, best_dist = n, k - cand
                cand, tries = prev.get(cand), tries - 1
        step = best_len if best_len >= 3 else 1
        toks.append((best_len, best_dist) if best_len >= 3 else data[k])
        for j in range(k, min(k + step, len(data) - 2)):
            key = data[j:j + 3]
            if key in head:
                prev[j] = head[key]
            head[key] = j
        k += step
    return toks

# ---- the fixtures -----------------------------------------------------------


def noise(n, seed):
    return random.Random(seed).randbytes(n)


def text(n, seed):
    return fixtures.text(n, seed)


def stored(data):
    """Stored blocks of at most 65,535 bytes holding data."""
    return [Stored(data[k:k + 65535]) for k in range(0, len(data), 65535)]


def blocks_of(tokens, size=20000, kind=Dynamic):
    """tokens cut into blocks of `size` tokens, the last one final."""
    out = [kind(tokens[k:k + size]) for k in range(0, len(tokens), size)]
    out = out or [kind([])]
    out[-1].final = True
    return out


class Case:
    """A stream, what it decodes to (or why not), and its ZIP's size."""

    def __init__(self, name, blocks, fmt=D64, why=None, trailing=b"",
                 usize=None, stream=None, output=None):
        self.name, self.fmt, self.why = name, fmt, why
        self.stream = stream if stream is not None else encode(blocks, fmt)
        self.trailing = trailing
        if output is None:
            output, ok = expand(blocks, fmt)
            # bad tokens: a distance or a symbol; bad headers have none
            assert ok == (why not in ("distance", "symbol")), (name, ok)
        self.output = output
        self.usize = usize


def cases():
    """The cases written with the blocks above."""
    c = []
    add = c.append
    hist = noise(65536, 1)      # a full window of history, incompressible

    # -- lengths only Deflate64 can say --
    add(Case("len-65538-d1", [Fixed([ord("a"), (65538, 1)], final=True)]))
    add(Case("len-65538-d65536", [*stored(hist), Dynamic(
        [(65538, 65536), (65538, 65536), 7], final=True)]))
    lens = [259, 260, 261, 300, 1000, 4096, 32768, 65535, 65536, 65537]
    toks = [ord("x"), ord("y"), ord("z")]
    for n in lens:
        toks += [(n, 3), ord("q")]
    add(Case("lengths-d64-fixed", [Fixed(toks, final=True)]))
    add(Case("lengths-d64-dynamic", [Dynamic(toks, final=True)]))
    # code 285 with small extras, code 284 + 31, in both kinds of block
    odd = [ord("a"), ord("b"), Match(3, 2, 285, 0), Match(258, 1, 285, 255),
           Match(258, 5, 284, 31), Match(4, 7, 285, 1), ord("c"),
           Match(257, 3, 284, 30)]
    add(Case("len-285-small-fixed", [Fixed(odd, final=True)]))
    add(Case("len-285-small-dynamic", [Dynamic(odd, final=True)]))

    # -- distances past 32 KiB: codes 30 and 31, up to 65,536 --
    far = [(3, 32769), (4, 32770), (5, 40000), (6, 49152), (7, 49153),
           (8, 50000), (9, 65535), (10, 65536), (300, 65536), (3, 1),
           (258, 49153)]
    add(Case("dist-far-fixed", [*stored(hist), Fixed(far, final=True)]))
    add(Case("dist-far-dynamic", [*stored(hist), Dynamic(far, final=True)]))
    # the window counts output of earlier blocks, whatever their type
    add(Case("dist-far-across-blocks", [
        Fixed(list(hist[:20000])), Stored(hist[20000:40000]),
        Dynamic(list(hist[40000:])), Fixed([(65536, 65536)], final=True)]))

    # -- a distance one past the output so far --
    add(Case("dist-past-start", [Fixed([(3, 1)], final=True)],
             why="distance"))
    add(Case("dist-one-past", [Fixed(list(b"abcdefg") + [(5, 7), (3, 13)],
                                     final=True)], why="distance"))
    add(Case("dist-65536-after-65535", [Stored(hist[:65535]), Dynamic(
        [(3, 65536)], final=True)], why="distance"))
    add(Case("dist-one-past-dynamic", [Dynamic(
        list(b"0123456789") + [(20, 10), (10, 31)], final=True)],
        why="distance"))

    # -- stored blocks --
    add(Case("stored-empty", [Stored(b"", final=True)]))
    add(Case("stored-65535", [Stored(noise(65535, 2), final=True)]))
    add(Case("stored-between", [
        Dynamic(list(b"dynamic ") + [(16, 8)]), Stored(b"stored, ", pad=0x55),
        Fixed(list(b"fixed") + [(9, 14)]), Stored(b""),
        Stored(noise(300, 3), pad=0x7f), Dynamic(list(b"end") + [(300, 320)],
                                                 final=True)]))
    add(Case("stored-then-match", [Stored(b"abc" * 100), Fixed(
        [(258, 300), (65538, 1)], final=True)]))
    add(Case("stored-nlen", [Stored(b"hello", final=True, nlen=0xFFFA + 1)],
             why="stored_len"))
    add(Case("stored-nlen-late", [Fixed(list(b"ok")), Stored(
        b"x" * 10, final=True, length=10, nlen=10)], why="stored_len"))

    # -- code lengths --
    # a literal-only block with no distance code at all (HDIST 1, length 0)
    add(Case("cl-no-distance-codes", [Dynamic(
        list(b"literals only"), dist=[0] * 32, final=True)]))
    # a single distance code of length 1, used
    one = [0] * 32
    one[3] = 1
    add(Case("cl-single-distance", [Dynamic(
        list(b"abcd") + [(10, 4), (7, 4)], dist=one, final=True)]))
    one = [0] * 32
    one[30] = 1
    add(Case("cl-single-distance-far", [*stored(hist), Dynamic(
        [(300, 40000)], dist=one, final=True)]))
    # repeat code 16 crossing from the literal/length lengths into the
    # distance lengths (RFC 1951 3.2.7 allows it)
    add(Case("cl-repeat-crosses", [cross_block()]))
    base = Dynamic(list(b"abracadabra") + [(7, 7)], final=True)
    litlen, dist = base.codes(D64)
    over = list(litlen)
    over[ord("z")] = over[ord("a")]    # one code too many
    assert kraft(over) > 1 << MAX_BITS
    add(Case("cl-litlen-over", [Dynamic([], litlen=over, dist=dist,
                                        final=True, eob=False)],
             why="code_lengths"))
    under = list(litlen)
    under[ord("a")] += 1               # frees code space: incomplete
    assert kraft(under) < 1 << MAX_BITS
    add(Case("cl-litlen-incomplete", [Dynamic([], litlen=under, dist=dist,
                                              final=True, eob=False)],
             why="code_lengths"))
    add(Case("cl-dist-over", [Dynamic([], litlen=litlen, dist=[1, 1, 1],
                                      final=True, eob=False)],
             why="code_lengths"))
    add(Case("cl-dist-incomplete", [Dynamic([], litlen=litlen, dist=[2, 2],
                                            final=True, eob=False)],
             why="code_lengths"))
    add(Case("cl-dist-incomplete-3", [Dynamic(
        [], litlen=litlen, dist=[1, 2, 0, 3], final=True, eob=False)],
        why="code_lengths"))
    seq = sent_lengths(litlen, dist)
    cl = run_length(seq)
    cll = huffman_lengths([max(1, sum(1 for s, _ in cl if s == k))
                           for k in range(19)], MAX_CL_BITS)
    bad = list(cll)
    bad[CL_ORDER[0]] = 1               # 16 gets length 1: over-subscribed
    assert kraft(bad, MAX_CL_BITS) > 1 << MAX_CL_BITS
    add(Case("cl-precode-over", [Dynamic([], litlen=litlen, dist=dist,
                                         cl_lengths=bad, final=True,
                                         eob=False, cl=[])],
             why="code_lengths"))
    bad = [0] * 19
    bad[0], bad[8] = 2, 2              # half the code space: incomplete
    add(Case("cl-precode-incomplete", [Dynamic(
        [], litlen=litlen, dist=dist, cl_lengths=bad, final=True, eob=False,
        cl=[])], why="code_lengths"))
    # code 16 with no length before it
    add(Case("cl-repeat-first", [Dynamic(
        [], litlen=litlen, dist=dist, cl=[(16, 0)] + run_length(seq),
        final=True, eob=False)], why="code_lengths"))
    # code lengths running past HLIT + HDIST: 18 repeats 138 zeros where
    # fewer remain
    long_cl = run_length(seq[:-1]) + [(18, 127)]  # 138 where 1 remains
    add(Case("cl-overrun", [Dynamic(
        [], litlen=litlen, dist=dist, cl=long_cl, final=True, eob=False)],
        why="code_lengths"))
    long_cl = run_length(seq[:-2]) + [(16, 3)]   # 6 where 2 remain
    add(Case("cl-overrun-16", [Dynamic(
        [], litlen=litlen, dist=dist, cl=long_cl, final=True, eob=False)],
        why="code_lengths"))

    # -- block type 3, invalid symbols --
    add(Case("block-type-3", [BitsBlock([(1, 1), (3, 2), (0, 13)])],
             why="block_type"))
    add(Case("block-type-3-late", [Fixed(list(b"fine")), Stored(b"so far"),
                                   BitsBlock([(1, 1), (3, 2), (0, 13)])],
             why="block_type"))
    add(Case("fixed-sym-286", [Fixed(list(b"ab") + [Raw(286, dsym=0)],
                                     final=True)], why="symbol"))
    add(Case("fixed-sym-287", [Fixed(list(b"ab") + [Raw(287, dsym=0)],
                                     final=True)], why="symbol"))

    # -- trailing bytes after the final block: ignored --
    add(Case("trailing-garbage", [Fixed(list(b"payload") + [(14, 7)],
                                        final=True)],
             trailing=b"\xff\x00garbage after the final block" * 3))
    add(Case("trailing-block", [Stored(b"first", final=True)],
             trailing=encode([Stored(b"never read", final=True)])))

    # -- output past the declared size --
    add(Case("size-long", [Fixed([ord("a"), (1000, 1)], final=True)],
             usize=900))
    big = straddle_tokens()
    add(Case("size-long-big", blocks_of(big), usize=300000))

    # -- streams that end early (the tests cut every valid stream at every
    # byte too; these are for the ZIP tests): NAME.out is the whole output,
    # of which the decoder gives a prefix --
    whole = Case("x", blocks_of(straddle_tokens()))
    add(Case("truncated-half", [], why="truncated", output=whole.output,
             stream=whole.stream[:len(whole.stream) // 2]))
    whole = Case("x", [Fixed(list(b"abc")), Stored(noise(5000, 4)),
                       Fixed([(9000, 5000)], final=True)])
    add(Case("truncated-stored", [], why="truncated", output=whole.output,
             stream=whole.stream[:2500]))
    whole = Case("x", [Dynamic(list(b"header"), final=True)])
    add(Case("truncated-header", [], why="truncated", output=b"",
             stream=whole.stream[:9]))
    add(Case("truncated-empty", [], why="truncated", output=b"",
             stream=b""))

    # -- matches straddling chunk boundaries: output past 256 KiB (the
    # streaming chunk) --
    add(Case("straddle", blocks_of(big)))

    # -- literals whose codes are 3 bits long, so that the decoder's table
    # holds them in pairs (it pairs literals on inputs of 16 KiB or more):
    # cut anywhere, the first literal of a pair is there without the
    # second --
    ll = [0] * 286
    for s in range(97, 104):           # 'a'..'g': 7 codes of 3 bits
        ll[s] = 3
    ll[104] = ll[EOB] = 4              # 'h' and the end: 2 of 4 bits
    rng = random.Random(31)
    toks = [rng.randrange(97, 104) for _ in range(46000)]
    add(Case("literal-pairs", [Dynamic(toks, litlen=ll, dist=[0] * 30,
                                       final=True)]))

    # -- realistic shapes: the greedy matcher over text and mixed data --
    t = text(200000, 5) + noise(3000, 6) + text(100000, 7)
    add(Case("text-dynamic", blocks_of(lz77(t), size=8000)))
    add(Case("text-fixed", blocks_of(lz77(t[:60000]), kind=Fixed)))
    return c


def cross_block():
    """A block whose code-length run crosses from the literal/length
    lengths into the distance lengths: the last three literal/length codes
    (283-285) and all 32 distance codes are 5 bits long, so the lengths
    are sent as one 5 and repeats (16) of it, the first of which covers
    symbols on both sides of HLIT."""
    litlen = [0] * 286
    for s in range(65, 93):            # 28 literals from 'A'
        litlen[s] = 5
    litlen[EOB] = 5
    litlen[283:286] = [5, 5, 5]        # 32 codes of 5 bits: complete
    dist = [5] * 32
    assert kraft(litlen) == kraft(dist) == 1 << MAX_BITS
    seq = litlen + dist
    cl = run_length(seq)
    k = len(run_length(litlen[:283]))  # the instruction sending 283's 5
    assert cl[k] == (5, 0) and cl[k + 1][0] == 16, cl[k:k + 2]
    toks = list(b"ABCDEFG") + [(200, 7), ord("Z"), (230, 3), (3000, 1),
                               ord("Q"), (259, 5)]
    return Dynamic(toks, final=True, litlen=litlen, dist=dist, cl=cl)


def straddle_tokens():
    """~330 KB of output whose long matches cross 256 KiB and every
    smaller power of two."""
    toks = list(noise(4000, 8))
    while len(expand([Fixed(toks)])[0]) < 330000:
        toks += [(65538, 4000), (1234, 65536 - 17), 7, (259, 3)]
    return toks


def zip_of(case, name, usize=None):
    if usize is None:
        usize = len(case.output) if case.usize is None else case.usize
    e = fixtures.Entry(name, case.output, method=9,
                       payload=case.stream + case.trailing, usize=usize)
    return fixtures.build([e])


def seven_zip(path, workdir, trailing=False):
    """What `7zz x` makes of the archive's one entry, or None.  With
    trailing bytes after the stream, 7-Zip writes the file and fails with
    "There are some data after the end of the payload data"."""
    out = os.path.join(workdir, "x")
    r = subprocess.run(["7zz", "x", "-y", "-bd", "-o" + out, path],
                       capture_output=True, text=True)
    files = os.listdir(out) if os.path.isdir(out) else []
    ok = r.returncode == 0 or (trailing and "data after the end of the "
                               "payload" in r.stdout + r.stderr)
    data = None
    if ok and len(files) == 1:
        with open(os.path.join(out, files[0]), "rb") as f:
            data = f.read()
    subprocess.run(["rm", "-rf", out])
    return data


def seven_zip_cases(workdir):
    """Deflate64 made by 7-Zip itself (7zz a -mm=Deflate64 -mx9): text and
    binary data of a megabyte, which decode.c streams past 64 KiB."""
    out = []
    srcdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                          "src")
    src = b"".join(open(os.path.join(srcdir, f), "rb").read()
                   for f in sorted(os.listdir(srcdir)) if f.endswith(".c"))
    rng = random.Random(9)
    binary = bytearray()
    while len(binary) < 1 << 20:        # records, tables, runs and noise
        kind = rng.randrange(4)
        if kind == 0:
            binary += struct.pack("<IIHH", rng.randrange(1 << 20),
                                  len(binary), rng.randrange(50), 0) * 3
        elif kind == 1:
            binary += bytes([rng.randrange(4)]) * rng.randrange(1, 600)
        elif kind == 2:
            binary += rng.randbytes(rng.randrange(1, 200))
        else:
            back = rng.randrange(1, min(len(binary), 65536) + 1) \
                if binary else 0
            binary += binary[len(binary) - back:][:rng.randrange(3, 400)]
    for name, data in (("7z-text", (src * 8)[:1 << 20]),
                       ("7z-binary", bytes(binary[:1 << 20]))):
        src_path = os.path.join(workdir, name)
        with open(src_path, "wb") as f:
            f.write(data)
        zpath = os.path.join(workdir, name + ".zip")
        subprocess.run(["7zz", "a", "-tzip", "-mm=Deflate64", "-mx9", "-bd",
                        zpath, src_path], check=True,
                       stdout=subprocess.DEVNULL)
        with open(zpath, "rb") as f:
            z = f.read()
        os.unlink(zpath)
        sig, _, _, method, _, _, _, csize, usize, nlen, xlen = \
            struct.unpack("<IHHHHHIIIHH", z[:30])
        assert sig == fixtures.SIG_LOCAL and method == 9 and \
            usize == len(data), (name, method, usize)
        stream = z[30 + nlen + xlen:30 + nlen + xlen + csize]
        out.append(Case(name, [], stream=stream, output=data))
    return out


def zlib_cases():
    """Plain Deflate from zlib: levels, strategies, window sizes."""
    out = []
    data = [("text", text(150000, 11)), ("noise", noise(70000, 12)),
            ("mixed", text(40000, 13) + noise(5000, 14) + b"\0" * 70000)]
    modes = [(1, zlib.Z_DEFAULT_STRATEGY), (6, zlib.Z_DEFAULT_STRATEGY),
             (9, zlib.Z_DEFAULT_STRATEGY), (9, zlib.Z_FILTERED),
             (6, zlib.Z_HUFFMAN_ONLY), (6, zlib.Z_RLE), (6, zlib.Z_FIXED),
             (0, zlib.Z_DEFAULT_STRATEGY)]
    for dname, d in data:
        for level, strategy in modes:
            c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
            s = c.compress(d) + c.flush()
            out.append(Case(f"zlib-{dname}-{level}-{strategy}", [],
                            fmt=PLAIN, stream=s, output=d))
    return out


def plain_cases():
    """Streams written here in plain Deflate mode, checked against zlib."""
    c = []
    t = text(50000, 21)
    c.append(Case("plain-text-dynamic", blocks_of(lz77(t, PLAIN), 3000),
                  fmt=PLAIN))
    c.append(Case("plain-258", [Fixed([ord("a"), (258, 1), (258, 259)],
                                      final=True)], fmt=PLAIN))
    c.append(Case("plain-dist-32768", [Stored(noise(32768, 22)), Dynamic(
        [(258, 32768), (3, 24577), (100, 32768)], final=True)], fmt=PLAIN))
    # what Deflate64 allows and Deflate does not: distance codes 30, 31
    c.append(Case("plain-dist-code-30", [Stored(noise(40000, 23)), Fixed(
        [Raw(257, dsym=30)], final=True)], fmt=PLAIN, why="symbol"))
    c.append(Case("plain-dist-code-31", [Stored(noise(40000, 23)), Fixed(
        [Raw(257, dsym=31)], final=True)], fmt=PLAIN, why="symbol"))
    c.append(Case("plain-sym-286", [Fixed([ord("a"), Raw(286, dsym=0)],
                                          final=True)], fmt=PLAIN,
                  why="symbol"))
    c.append(Case("plain-dist-past", [Fixed(list(b"xyz") + [(3, 4)],
                                            final=True)], fmt=PLAIN,
                  why="distance"))
    return c


# What zlib says of each kind of bad stream; Deflate64 streams that send
# 31 or 32 distance lengths are "too many ... symbols" to zlib.
ZLIB_SAYS = {
    "distance": ["invalid distance too far back"],
    "symbol": ["invalid literal/length code", "invalid distance code"],
    "block_type": ["invalid block type"],
    "stored_len": ["invalid stored block lengths"],
    "code_lengths": ["invalid code lengths set", "invalid bit length repeat",
                     "invalid literal/lengths set", "invalid distances set"],
    "truncated": [],   # zlib wants more input: no error
}


def check_bad(case, stream, outdir):
    """A bad stream must be bad for the reason meant: zlib must reject it
    with the matching message (unless it is Deflate64-only), and 7-Zip
    must reject its ZIP."""
    try:
        if zlib_inflate(stream) is None and case.why == "truncated":
            pass
        else:
            sys.exit(f"deflate64.py: zlib finds nothing wrong in "
                     f"{case.name}")
    except zlib.error as e:
        said = str(e).split(": ", 1)[-1]
        d64_only = (case.fmt is D64 and
                    said == "too many length or distance symbols")
        if said not in ZLIB_SAYS[case.why] and not d64_only:
            sys.exit(f"deflate64.py: {case.name}: zlib says {said}, "
                     f"not {case.why}")
    if case.fmt is D64:
        r = subprocess.run(["7zz", "t", os.path.join(outdir,
                                                      case.name + ".zip")],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if r.returncode == 0:
            sys.exit(f"deflate64.py: 7zz accepts {case.name}")


def zlib_inflate(stream):
    d = zlib.decompressobj(-15)
    out = d.decompress(stream)
    return out if d.eof else None


def check_good(case, stream, work):
    """A valid stream's output, as computed here, must be what 7-Zip
    (Deflate64, on a ZIP declaring the true size) or zlib (plain) makes
    of it: proof of the writer, without our decoder."""
    if case.fmt is D64:
        proof = os.path.join(work, case.name + ".zip")
        with open(proof, "wb") as f:
            f.write(zip_of(case, case.name, len(case.output)))
        got = seven_zip(proof, work, bool(case.trailing))
        os.unlink(proof)
        who = "7zz"
    else:
        got, who = zlib_inflate(stream), "zlib"
    if got != case.output:
        sys.exit(f"deflate64.py: {who} decodes {case.name} differently "
                 f"({None if got is None else len(got)} bytes, expected "
                 f"{len(case.output)})")


SEED_MAX = 65535     # the fuzz target's -max_len, less the control byte


def write_seeds(seeddir, all_cases):
    """Seeds for test/fuzz/fuzz_inflate64.c: each stream (up to SEED_MAX
    bytes) behind a control byte giving its mode, a chunk size (one of
    eight, in turn) and the whole output limit."""
    os.makedirs(seeddir, exist_ok=True)
    for k, case in enumerate(all_cases):
        stream = case.stream + case.trailing
        if len(stream) > SEED_MAX:
            stream = stream[:SEED_MAX]
        ctl = (case.fmt is PLAIN) | (k % 8) << 1
        fixtures.write(seeddir, case.name, bytes([ctl]) + stream)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: deflate64.py OUTDIR")
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    lines = []
    with tempfile.TemporaryDirectory(prefix="zs-d64-") as work:
        all_cases = (cases() + seven_zip_cases(work) + plain_cases() +
                     zlib_cases())
        for case in all_cases:
            stream = case.stream + case.trailing
            fixtures.write(outdir, case.name + ".bin", stream)
            fixtures.write(outdir, case.name + ".out", case.output)
            usize = "-"
            if case.fmt is D64:
                fixtures.write(outdir, case.name + ".zip",
                               zip_of(case, case.name))
                usize = str(len(case.output) if case.usize is None else
                            case.usize)
            if case.why is None:
                check_good(case, stream, work)
            else:
                check_bad(case, stream, outdir)
            lines.append(f"{case.name} {case.fmt.name} "
                         f"{'bad' if case.why else 'end'} {case.why or '-'} "
                         f"{len(case.stream)} {len(case.output)} {usize}\n")
    with open(os.path.join(outdir, "cases.txt"), "w") as f:
        f.write("".join(lines))
    write_seeds(os.path.join(outdir, "seeds"), all_cases)
    print(f"deflate64.py: {len(lines)} cases in {outdir}")


if __name__ == "__main__":
    main()
