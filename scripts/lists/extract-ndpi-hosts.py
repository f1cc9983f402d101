#!/usr/bin/env python3
"""
Regenerates src/dpi/lists/hosts.tsv from locally saved copies of nDPI sources.

  python3 scripts/lists/extract-ndpi-hosts.py \
      --ids path/to/nDPI/src/include/ndpi_protocol_ids.h \
      --commit <nDPI commit> \
      path/to/nDPI/src/lib/ndpi_content_match.c.inc \
      path/to/nDPI/src/lib/inc_generated/ndpi_domains_*.c.inc  > src/dpi/lists/hosts.tsv

Reads every `static ndpi_protocol_match <name>[] = { ... }` array (host_match[], teams_host_match[],
aws_s3_host_match[], ...) in the order the files are given, skipping comments and `#if 0` blocks, and
prints one row per entry: pattern, protocol name, category name. Protocol names come from
src/dpi/lists/protocols.tsv (by the numeric id of the NDPI_PROTOCOL_xxx constant in ndpi_protocol_ids.h),
so the names are the ones flowtap prints. Patterns are kept exactly as nDPI lists them; when the same
pattern appears twice, the first one wins (nDPI adds the first and ignores later duplicates).
Data only: nothing from nDPI's code is copied.
"""
import argparse, os, re, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
LISTS = os.path.join(ROOT, 'src', 'dpi', 'lists')

# nDPI ndpi_protocol_category_t constant -> printed category name (see categories.tsv).
CATEGORY = {
    'UNSPECIFIED': 'Unspecified', 'MEDIA': 'Media', 'VPN': 'VPN', 'MAIL': 'Email', 'DATA_TRANSFER': 'DataTransfer',
    'WEB': 'Web', 'SOCIAL_NETWORK': 'SocialNetwork', 'DOWNLOAD_FT': 'Download', 'GAME': 'Game', 'CHAT': 'Chat',
    'VOIP': 'VoIP', 'DATABASE': 'Database', 'REMOTE_ACCESS': 'RemoteAccess', 'CLOUD': 'Cloud', 'NETWORK': 'Network',
    'COLLABORATIVE': 'Collaborative', 'RPC': 'RPC', 'STREAMING': 'Streaming', 'SYSTEM_OS': 'System',
    'SW_UPDATE': 'SoftwareUpdate', 'MUSIC': 'Music', 'VIDEO': 'Video', 'SHOPPING': 'Shopping',
    'PRODUCTIVITY': 'Productivity', 'FILE_SHARING': 'FileSharing', 'CONNECTIVITY_CHECK': 'ConnCheck',
    'IOT_SCADA': 'IoT-Scada', 'VIRTUAL_ASSISTANT': 'VirtAssistant', 'CYBERSECURITY': 'Cybersecurity',
    'ADULT_CONTENT': 'AdultContent', 'MINING': 'Mining', 'MALWARE': 'Malware', 'ADVERTISEMENT': 'Advertisement',
    'CRYPTO_BLOCKCHAIN': 'Crypto_Currency', 'CRYPTO_CURRENCY': 'Crypto_Currency', 'GAMBLING': 'Gambling',
    'HEALTH': 'Health', 'ARTIFICIAL_INTELLIGENCE': 'ArtificialIntelligence', 'HOSTING': 'Hosting',
    'CHILDREN': 'Children',
}

# nDPI constants whose numeric id flowtap uses for a different protocol: the id was reused in the nDPI
# version that produced the reference test results (protocols.tsv keeps that one). Their patterns are dropped.
REUSED_IDS = {'NDPI_PROTOCOL_MOZILLA', 'NDPI_PROTOCOL_BLACKNUT', 'NDPI_PROTOCOL_BOOSTEROID', 'NDPI_PROTOCOL_MELSEC'}


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
    ids = {}
    for m in re.finditer(r'\b(NDPI_PROTOCOL_[A-Z0-9_]+)\s*=\s*(\d+)', open(path, encoding='utf-8').read()):
        ids[m.group(1)] = int(m.group(2))
    return ids


def read_tsv(name):
    rows = []
    for line in open(os.path.join(LISTS, name), encoding='utf-8'):
        if line.startswith('#') or not line.strip():
            continue
        rows.append(line.rstrip('\n').split('\t'))
    return rows


ENTRY = re.compile(r'\{\s*"([^"]+)"\s*,\s*"[^"]*"\s*,\s*(NDPI_PROTOCOL_[A-Z0-9_]+)\s*,\s*NDPI_PROTOCOL_CATEGORY_([A-Z0-9_]+)')
ARRAY = re.compile(r'ndpi_protocol_match\s+(\w+)\s*\[\]\s*=\s*\{(.*?)\n\s*\}\s*;', re.S)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ids', required=True, help="nDPI's src/include/ndpi_protocol_ids.h")
    ap.add_argument('--commit', default='unknown', help='nDPI commit the files come from (for the header)')
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    ids = read_ids(a.ids)
    names = {int(r[0]): r[1] for r in read_tsv('protocols.tsv')}
    cats = {r[1] for r in read_tsv('categories.tsv')}
    seen, rows, dropped = set(), [], []
    for f in a.files:
        text = strip_comments(open(f, encoding='utf-8').read())
        for arr in ARRAY.finditer(text):
            for m in ENTRY.finditer(arr.group(2)):
                pattern, const, cat = m.group(1), m.group(2), m.group(3)
                if const == 'NDPI_PROTOCOL_UNKNOWN':
                    continue
                if const in REUSED_IDS or const not in ids or ids[const] not in names:
                    dropped.append((pattern, const))
                    continue
                if pattern in seen:
                    continue
                seen.add(pattern)
                c = CATEGORY.get(cat, 'Unspecified')
                if c not in cats:
                    c = 'Unspecified'
                rows.append((pattern, names[ids[const]], c, os.path.basename(f), arr.group(1)))
    out = sys.stdout
    out.write('# Host-name patterns -> nDPI application protocol (and the category nDPI gives that host).\n')
    out.write('# Generated by scripts/lists/extract-ndpi-hosts.py from ntop/nDPI (LGPL-3.0) commit %s:\n' % a.commit)
    for f in a.files:
        out.write('#   %s\n' % os.path.basename(f))
    out.write('# Patterns are kept exactly as nDPI lists them: nDPI matches a pattern when it equals the host name,\n')
    out.write('# when it is a suffix starting at a label boundary (".", "-" also starts a label when the pattern\n')
    out.write('# starts with "-"), or when a pattern ending in "." or "-" prefixes the host name.\n')
    if dropped:
        out.write('# Dropped %d entries whose protocol id is used for another protocol in protocols.tsv: %s\n'
                  % (len(dropped), ', '.join(sorted({c for _, c in dropped}))))
    out.write('# pattern\tprotocol\tcategory\n')
    last = None
    for p, n, c, f, arr in rows:
        if (f, arr) != last:
            out.write('# -- %s: %s[]\n' % (f, arr))
            last = (f, arr)
        out.write('%s\t%s\t%s\n' % (p, n, c))
    sys.stderr.write('extract-ndpi-hosts: %d patterns, %d dropped\n' % (len(rows), len(dropped)))


if __name__ == '__main__':
    main()
