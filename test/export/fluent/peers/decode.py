#!/usr/bin/python3
"""Decodes a stream of fluentd forward messages (msgpack, as a client sends
them) from stdin with Debian's python3-msgpack and prints one JSON document:
a list with, per message, its tag, carrier mode, entries format (bin/str),
option, and events [time, record]. EventTime (ext 0) prints as
{"EventTime": [seconds, nanoseconds]}, bin as {"bin": hex}, other ext as
{"ext": type, "hex": ...}. Integers stay integers (int64 included), so the
test can compare them exactly. Run with /usr/bin/python3.
"""
import gzip
import json
import sys

import msgpack


def ext_hook(code, data):
    if code == 0 and len(data) == 8:
        return {'EventTime': [int.from_bytes(data[0:4], 'big'), int.from_bytes(data[4:8], 'big')]}
    return {'ext': code, 'hex': data.hex()}


def plain(v):
    if isinstance(v, dict):
        return {str(plain(k)): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, bytes):
        return {'bin': v.hex()}
    return v


def unpacker():
    return msgpack.Unpacker(raw=False, ext_hook=ext_hook, strict_map_key=False)


def main():
    u = unpacker()
    u.feed(sys.stdin.buffer.read())
    out = []
    for msg in u:
        tag, second = msg[0], msg[1]
        if isinstance(second, (bytes, str)):
            option = msg[2] if len(msg) > 2 else {}
            raw = second if isinstance(second, bytes) else second.encode('utf-8', 'surrogateescape')
            if option.get('compressed') == 'gzip':
                raw = gzip.decompress(raw)
            inner = unpacker()
            inner.feed(raw)
            events = [list(e) for e in inner]
            out.append({'tag': tag, 'mode': 'compressed' if option.get('compressed') == 'gzip' else 'packed',
                        'entries_format': 'bin' if isinstance(second, bytes) else 'str',
                        'option': plain(option), 'events': plain(events), 'length': len(msg)})
        elif isinstance(second, list):
            out.append({'tag': tag, 'mode': 'forward', 'entries_format': None,
                        'option': plain(msg[2]) if len(msg) > 2 else None, 'events': plain(second), 'length': len(msg)})
        else:
            out.append({'tag': tag, 'mode': 'message', 'entries_format': None,
                        'option': plain(msg[3]) if len(msg) > 3 else None, 'events': plain([[msg[1], msg[2]]]),
                        'length': len(msg)})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == '__main__':
    main()
