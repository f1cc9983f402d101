#!/usr/bin/python3
"""A test peer: the server side of fluentd's in_forward, written from the
Fluentd Forward Protocol Specification v1 on Debian's python3-msgpack (run it
with /usr/bin/python3).

Accepts Message, Forward, PackedForward (bin or str) and
CompressedPackedForward (gzip, possibly several members); JSON connections
(first byte '[' or '{', as in_forward decides) answered in JSON; chunk acks
({"ack": chunk}, unless --no-ack); the optional HELO/PING/PONG handshake
(--shared-key, --user NAME:PASSWORD); EventTime (ext type 0) decoded.

Writes one JSON line per received event to --out (default stdout):
  {"tag", "time", "nsec" (EventTime only, else null), "time_type"
   ("EventTime" | "int" | "float" | other), "record", "mode" ("message" |
   "forward" | "packed" | "compressed"), "encoding" ("msgpack" | "json"),
   "chunk", "size", "entries_format" ("bin" | "str" | null), "conn"}
and one line per connection event: {"event": "connect" | "close" | "auth" |
"error", "conn", ...}. The first line on stdout is {"listening": port}.

Ignores: UDP heartbeats, <client> ACLs, chunk_size limits.
"""
import argparse
import gzip
import hashlib
import json
import os
import socketserver
import sys
import threading

import msgpack


class EventTime:
    def __init__(self, sec, nsec):
        self.sec = sec
        self.nsec = nsec


def ext_hook(code, data):
    if code == 0 and len(data) == 8:
        return EventTime(int.from_bytes(data[0:4], 'big'), int.from_bytes(data[4:8], 'big'))
    return msgpack.ExtType(code, data)


def to_bytes(v):
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode('utf-8', 'surrogateescape')
    raise ValueError('expected str or bin, got %s' % type(v).__name__)


def jsonable(v):
    if isinstance(v, dict):
        return {str(jsonable(k)): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, bytes):
        return {'bin': v.hex()}
    if isinstance(v, str):
        return v.encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')
    if isinstance(v, EventTime):
        return {'EventTime': [v.sec, v.nsec]}
    if isinstance(v, msgpack.ExtType):
        return {'ext': v.code, 'hex': v.data.hex()}
    return v


class Output:
    def __init__(self, path):
        self.lock = threading.Lock()
        self.f = open(path, 'a', encoding='utf-8') if path else sys.stdout

    def write(self, obj):
        line = json.dumps(obj, ensure_ascii=False, separators=(',', ':'))
        with self.lock:
            self.f.write(line + '\n')
            self.f.flush()


def sha512_hex(*parts):
    h = hashlib.sha512()
    for p in parts:
        h.update(to_bytes(p))
    return h.hexdigest()


class Handler(socketserver.BaseRequestHandler):
    counter = 0
    counter_lock = threading.Lock()

    def setup(self):
        with Handler.counter_lock:
            Handler.counter += 1
            self.conn_id = Handler.counter
        self.opts = self.server.opts
        self.out = self.server.out

    def send(self, obj):
        if self.encoding == 'json':
            data = json.dumps(obj, separators=(',', ':')).encode('utf-8')
        else:
            data = msgpack.packb(obj, use_bin_type=True)
        self.request.sendall(data)

    def handle(self):
        o = self.opts
        self.out.write({'event': 'connect', 'conn': self.conn_id})
        self.state = 'established'
        self.encoding = None
        if o.shared_key is not None:
            self.nonce = os.urandom(16)
            self.auth_salt = os.urandom(16) if o.user else b''
            helo = ['HELO', {'nonce': self.nonce, 'auth': self.auth_salt, 'keepalive': not o.no_keepalive}]
            self.request.sendall(msgpack.packb(helo, use_bin_type=True))
            self.state = 'pingpong'
        unpacker = None
        json_buf = ''
        decoder = json.JSONDecoder()
        try:
            while True:
                data = self.request.recv(65536)
                if not data:
                    break
                if self.encoding is None:
                    self.encoding = 'json' if data[:1] in (b'[', b'{') else 'msgpack'
                    if self.encoding == 'msgpack':
                        unpacker = msgpack.Unpacker(raw=False, unicode_errors='surrogateescape', ext_hook=ext_hook,
                                                    strict_map_key=False, max_buffer_size=256 * 1024 * 1024)
                if self.encoding == 'msgpack':
                    unpacker.feed(data)
                    for msg in unpacker:
                        if not self.on_message(msg):
                            return
                else:
                    json_buf += data.decode('utf-8', 'surrogateescape')
                    while True:
                        json_buf = json_buf.lstrip()
                        if not json_buf:
                            break
                        try:
                            msg, end = decoder.raw_decode(json_buf)
                        except ValueError:
                            break  # incomplete: wait for more bytes
                        json_buf = json_buf[end:]
                        if not self.on_message(msg):
                            return
            if json_buf.strip():
                self.out.write({'event': 'error', 'conn': self.conn_id, 'error': 'connection closed inside a JSON value'})
        except Exception as e:  # a broken client: log it and drop the connection, like in_forward
            self.out.write({'event': 'error', 'conn': self.conn_id, 'error': '%s: %s' % (type(e).__name__, e)})
        finally:
            self.out.write({'event': 'close', 'conn': self.conn_id})

    def on_message(self, msg):
        """Handles one message; False ends the connection."""
        o = self.opts
        if self.state == 'pingpong':
            return self.on_ping(msg)
        if msg is None:
            return True  # heartbeat
        if not isinstance(msg, list) or len(msg) < 2:
            self.out.write({'event': 'error', 'conn': self.conn_id, 'error': 'not a forward message: %r' % (jsonable(msg),)})
            return True
        tag = msg[0]
        entries = msg[1]
        base = {'tag': tag, 'encoding': self.encoding, 'conn': self.conn_id, 'entries_format': None}
        if isinstance(entries, (bytes, str)):
            option = msg[2] if len(msg) > 2 and isinstance(msg[2], dict) else {}
            raw = to_bytes(entries)
            compressed = option.get('compressed') == 'gzip'
            if compressed:
                raw = gzip.decompress(raw)
            base['mode'] = 'compressed' if compressed else 'packed'
            base['entries_format'] = 'bin' if isinstance(entries, bytes) else 'str'
            unp = msgpack.Unpacker(raw=False, unicode_errors='surrogateescape', ext_hook=ext_hook, strict_map_key=False)
            unp.feed(raw)
            events = [(e[0], e[1]) for e in unp]
        elif isinstance(entries, list):
            option = msg[2] if len(msg) > 2 and isinstance(msg[2], dict) else {}
            base['mode'] = 'forward'
            events = [(e[0], e[1]) for e in entries]
        else:
            option = msg[3] if len(msg) > 3 and isinstance(msg[3], dict) else {}
            base['mode'] = 'message'
            events = [(msg[1], msg[2] if len(msg) > 2 else None)]
        base['chunk'] = option.get('chunk')
        base['size'] = option.get('size')
        for t, record in events:
            ev = dict(base)
            if isinstance(t, EventTime):
                ev.update(time=t.sec, nsec=t.nsec, time_type='EventTime')
            else:
                ev.update(time=jsonable(t), nsec=None, time_type='int' if isinstance(t, int) else type(t).__name__)
            ev['record'] = jsonable(record)
            self.out.write(ev)
        if option.get('chunk') and not o.no_ack:
            self.send({'ack': option['chunk']})
        if o.no_keepalive:
            return False
        return True

    def on_ping(self, msg):
        o = self.opts
        ok, reason = False, ''
        salt = b''
        if not (isinstance(msg, list) and len(msg) == 6 and msg[0] == 'PING'):
            reason = 'invalid ping message'
        else:
            _, hostname, salt, digest, username, password = msg
            if sha512_hex(salt, hostname, self.nonce, o.shared_key) != digest:
                reason = 'shared_key mismatch'
            elif o.user:
                users = dict(u.split(':', 1) for u in o.user)
                if username not in users or sha512_hex(self.auth_salt, username, users[username]) != password:
                    reason = 'username/password mismatch'
                else:
                    ok = True
            else:
                ok = True
        self.out.write({'event': 'auth', 'conn': self.conn_id, 'ok': ok, 'reason': reason})
        digest = sha512_hex(salt, o.self_hostname, self.nonce, o.shared_key) if ok else ''
        self.send(['PONG', ok, reason, o.self_hostname, digest])
        if not ok:
            return False
        self.state = 'established'
        return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--out', default=None, help='JSON lines file (default: stdout)')
    ap.add_argument('--no-ack', action='store_true', help='never answer chunk options')
    ap.add_argument('--shared-key', default=None)
    ap.add_argument('--self-hostname', default='receiver.test')
    ap.add_argument('--user', action='append', default=[], help='NAME:PASSWORD (requires --shared-key)')
    ap.add_argument('--no-keepalive', action='store_true', help='HELO keepalive false; close after each message')
    o = ap.parse_args()
    server = Server((o.host, o.port), Handler)
    server.opts = o
    server.out = Output(o.out)
    sys.stdout.write(json.dumps({'listening': server.server_address[1]}) + '\n')
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
