"""
Reading nDPI's C sources for the list extractors (extract-ndpi-hosts.py,
extract-ndpi-ip.py): comments and `#if 0` blocks removed, and the protocol
ids of ndpi_protocol_ids.h. Facts only (names, ids, patterns) are taken.
"""
import re


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    out, skip = [], 0
    for line in text.split('\n'):          # drop `#if 0 ... #endif` blocks (not nested)
        s = line.strip()
        if s.startswith('#if 0'):
            skip = 1
            continue
        if skip and s.startswith('#endif'):
            skip = 0
            continue
        if not skip:
            out.append(line)
    return '\n'.join(out)


def read_ids(path):
    """NDPI_PROTOCOL_<NAME> -> id, from ndpi_protocol_ids.h."""
    ids = {}
    for m in re.finditer(r'\b(NDPI_PROTOCOL_[A-Z0-9_]+)\s*=\s*(\d+)', open(path, encoding='utf-8').read()):
        ids[m.group(1)] = int(m.group(2))
    return ids
