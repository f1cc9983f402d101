#!/usr/bin/env python3
"""Put classic pcap files on one synthetic, monotonic packet clock.

Used by bench/build-input.sh. Each input file is rewritten (same name) into
OUT_DIR with microsecond timestamps such that:

  * file i starts BOUNDARY_GAP seconds after file i-1 ended (the first file
    starts at START, a Unix time), so captures play one after another;
  * inside a file the original inter-packet gaps are kept, except that a
    negative gap (out-of-order packet) becomes 0 and a gap longer than
    MAX_GAP becomes MAX_GAP (some corpus captures contain stray packets years
    away from the rest, which would otherwise blow the clock past 2106, the
    end of pcap's 32-bit seconds).

Gaps up to MAX_GAP are kept so idle timeouts still fire where the original
traffic went quiet. The last line printed is "period <seconds>": the length
of the whole timeline including the trailing boundary gap, i.e. the offset to
add to a second copy so that it starts right after the first one ends.

Only classic pcap (any byte order, usec or nsec) is read; convert pcapng with
`editcap -F pcap` first.
"""
import argparse
import os
import struct
import sys

MAGIC = {
    b"\xd4\xc3\xb2\xa1": ("<", 1),     # little-endian, microseconds
    b"\xa1\xb2\xc3\xd4": (">", 1),     # big-endian, microseconds
    b"\x4d\x3c\xb2\xa1": ("<", 1000),  # little-endian, nanoseconds
    b"\xa1\xb2\x3c\x4d": (">", 1000),  # big-endian, nanoseconds
}


def retime(src, dst, cursor_us, max_gap_us, stats):
    """Copy src to dst with new timestamps starting at cursor_us; return last ts."""
    with open(src, "rb") as f:
        data = f.read()
    if len(data) < 24 or data[:4] not in MAGIC:
        raise ValueError(f"{src}: not a classic pcap file")
    endian, div = MAGIC[data[:4]]
    _vmaj, _vmin, _tz, _sig, snaplen, linktype = struct.unpack(endian + "HHiIII", data[4:24])
    rec = struct.Struct(endian + "IIII")
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
    wrec = struct.Struct("<IIII")
    off, prev_orig, t = 24, None, cursor_us
    while off + 16 <= len(data):
        sec, frac, incl, orig = rec.unpack_from(data, off)
        off += 16
        if off + incl > len(data):
            stats["truncated_files"] += 1
            break
        ts = sec * 1_000_000 + frac // div
        if prev_orig is not None:
            gap = ts - prev_orig
            if gap < 0:
                stats["reordered"] += 1
                gap = 0
            elif gap > max_gap_us:
                stats["long_gaps"] += 1
                gap = max_gap_us
            t += gap
        prev_orig = ts
        out += wrec.pack(t // 1_000_000, t % 1_000_000, incl, orig)
        out += data[off:off + incl]
        off += incl
        stats["packets"] += 1
    with open(dst, "wb") as f:
        f.write(out)
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--start", type=float, required=True, help="Unix time of the first packet")
    ap.add_argument("--max-gap", type=float, default=3600.0, help="longest gap kept inside a capture (s)")
    ap.add_argument("--boundary-gap", type=float, default=1.0, help="gap between two captures (s)")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    start = int(round(a.start * 1_000_000))
    max_gap = int(round(a.max_gap * 1_000_000))
    boundary = int(round(a.boundary_gap * 1_000_000))
    stats = {"packets": 0, "reordered": 0, "long_gaps": 0, "truncated_files": 0}
    cursor = start
    for src in a.files:
        last = retime(src, os.path.join(a.out_dir, os.path.basename(src)), cursor, max_gap, stats)
        cursor = last + boundary
    period = (cursor - start) / 1_000_000
    print(f"retime: {stats['packets']} packets in {len(a.files)} files; "
          f"{stats['reordered']} out-of-order timestamps clamped to the previous one, "
          f"{stats['long_gaps']} gaps > {a.max_gap:g}s shortened, "
          f"{stats['truncated_files']} files ended in a cut-short packet (dropped)")
    print(f"period {period:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
