'use strict';
/*
 * make-sample.js - generates samples/sample.pcap, the small synthetic capture
 * used in flowtap's README (`npx flowtap -r samples/sample.pcap`).
 *
 * Run:   node samples/make-sample.js
 *
 * The script (re)writes samples/sample.pcap next to itself. The output is
 * deterministic: fixed timestamps (starting 2024-03-14 09:30:00 UTC, about
 * three minutes of capture time), and every "random" byte (TCP ISNs, TLS
 * randoms, key shares, cipher text, ...) comes from SHA-256 over a fixed label,
 * so two runs produce byte-identical files. Node.js standard library only.
 *
 * Format: classic pcap, little-endian, magic 0xa1b2c3d4 (microsecond
 * timestamps), version 2.4, snaplen 65535, LINKTYPE_ETHERNET (1).
 *
 * It depicts a small office LAN seen from a switch mirror port: DNS (A over
 * IPv4, AAAA over IPv6), an HTTP/1.1 fetch, a TLS 1.3 session with SNI and ALPN,
 * an SSH session on port 10022, ICMP and ICMPv6 echo, NTP, syslog on VLAN 100,
 * a 3000-byte UDP datagram sent as 3 IPv4 fragments and a small SYN port scan.
 * IPv4 header checksums and TCP/UDP/ICMPv6 checksums (with the IPv4/IPv6
 * pseudo-headers) are computed, TCP sequence and acknowledgement numbers are
 * tracked per connection. All addresses come from the documentation ranges
 * (RFC 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; RFC 3849:
 * 2001:db8::/32), MACs are locally administered 02:00:00:xx:xx:xx.
 * See samples/README.md for the list of flows.
 */

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const OUT = path.join(__dirname, 'sample.pcap');
const T0 = Date.UTC(2024, 2, 14, 9, 30, 0) / 1000; // 2024-03-14T09:30:00Z, unix seconds

/* ------------------------------------------------------------------ bytes */

const EMPTY = Buffer.alloc(0);

/** Deterministic pseudo-random bytes: SHA-256 in counter mode over a label. */
function det(label, n) {
  const out = Buffer.alloc(n);
  let off = 0;
  for (let ctr = 0; off < n; ctr++) {
    off += crypto.createHash('sha256').update(`flowtap-sample/${label}/${ctr}`).digest().copy(out, off);
  }
  return out;
}
/** Deterministic integer in [0, 2^32). */
const detU32 = (label) => det(label, 4).readUInt32BE(0);

const u8 = (n) => Buffer.from([n & 0xff]);
const be16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16BE(n & 0xffff); return b; };
const be24 = (n) => Buffer.from([(n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const be32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
const cat = (...parts) => Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))));
const ascii = (s) => Buffer.from(s, 'latin1');

/** Internet checksum (RFC 1071) over a buffer. */
function inetChecksum(buf) {
  let sum = 0;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length & 1) sum += buf[buf.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function parseMac(s) {
  return Buffer.from(s.split(':').map((h) => parseInt(h, 16)));
}
function parseIPv4(s) {
  return Buffer.from(s.split('.').map(Number));
}
function parseIPv6(s) {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) throw new Error(`bad IPv6 address ${s}`);
  return Buffer.concat(groups.map((g) => be16(parseInt(g, 16))));
}

/* ------------------------------------------------------------------ hosts */

const GW_MAC = '02:00:00:00:00:01';
const H = {
  gw: { name: 'router', mac: GW_MAC, ip4: '192.0.2.1', ip6: '2001:db8:1::1' },
  srv: { name: 'office server', mac: '02:00:00:00:00:0a', ip4: '192.0.2.10' },
  ws: { name: 'workstation', mac: '02:00:00:00:00:14', ip4: '192.0.2.20', ip6: '2001:db8:1::20' },
  lap: { name: 'admin laptop', mac: '02:00:00:00:00:15', ip4: '192.0.2.21' },
  dns: { name: 'DNS resolver', mac: '02:00:00:00:00:35', ip4: '192.0.2.53', ip6: '2001:db8:1::53' },
  scan: { name: 'scanner', mac: '02:00:00:00:00:42', ip4: '192.0.2.66' },
  sw: { name: 'switch (mgmt VLAN 100)', mac: '02:00:00:00:64:02', ip4: '192.0.2.226' },
  log: { name: 'syslog collector (VLAN 100)', mac: '02:00:00:00:64:0a', ip4: '192.0.2.230' },
  // remote hosts: reached through the router, so they appear with its MAC
  web: { name: 'www.example.com', ip4: '203.0.113.80', ip6: '2001:db8:80::80', ttl: 52 },
  tls: { name: 'www.example.org', ip4: '198.51.100.43', ttl: 55 },
  ntp: { name: 'NTP server', ip4: '198.51.100.123', ttl: 57 },
};
const macOf = (h) => parseMac(h.mac || GW_MAC);
const ttlOf = (h) => h.ttl || 64;

/* ------------------------------------------------------------------ frames */

const packets = []; // { t: microseconds since T0, frame }
const us = (t) => Math.round(t * 1e6);

function emit(t, src, dst, etherType, l3, vlan) {
  const tag = vlan === undefined ? EMPTY : cat(be16(0x8100), be16(vlan & 0x0fff));
  let frame = cat(macOf(dst), macOf(src), tag, be16(etherType), l3);
  if (frame.length < 60) frame = cat(frame, Buffer.alloc(60 - frame.length)); // Ethernet minimum frame (without FCS)
  packets.push({ t: us(t), frame });
}

const ipIds = new Map();
/** Per-host IPv4 identification counter (deterministic start). */
function nextIpId(h) {
  if (!ipIds.has(h)) ipIds.set(h, detU32(`ipid/${h.ip4}`) & 0xffff);
  const id = ipIds.get(h);
  ipIds.set(h, (id + 1) & 0xffff);
  return id;
}

function ipv4Header({ src, dst, proto, len, id, ttl, df = true, mf = false, fragOff = 0, tos = 0 }) {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h[1] = tos;
  h.writeUInt16BE(20 + len, 2);
  h.writeUInt16BE(id & 0xffff, 4);
  h.writeUInt16BE((df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | (fragOff & 0x1fff), 6);
  h[8] = ttl;
  h[9] = proto;
  parseIPv4(src).copy(h, 12);
  parseIPv4(dst).copy(h, 16);
  h.writeUInt16BE(inetChecksum(h), 10);
  return h;
}

function ipv6Header({ src, dst, nh, len, hlim, flow = 0 }) {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(((6 << 28) | (flow & 0xfffff)) >>> 0, 0);
  h.writeUInt16BE(len, 4);
  h[6] = nh;
  h[7] = hlim;
  parseIPv6(src).copy(h, 8);
  parseIPv6(dst).copy(h, 24);
  return h;
}

/** Transport checksum with the IPv4 or IPv6 pseudo-header; `off` = checksum field offset. */
function l4Checksum(v6, srcIp, dstIp, proto, seg, off) {
  seg.writeUInt16BE(0, off);
  const pseudo = v6
    ? cat(parseIPv6(srcIp), parseIPv6(dstIp), be32(seg.length), Buffer.from([0, 0, 0, proto]))
    : cat(parseIPv4(srcIp), parseIPv4(dstIp), Buffer.from([0, proto]), be16(seg.length));
  let c = inetChecksum(cat(pseudo, seg));
  if (proto === 17 && c === 0) c = 0xffff; // UDP: 0 means "no checksum"
  seg.writeUInt16BE(c, off);
  return seg;
}

/** Send an IP packet (IPv4 or IPv6) carrying an already checksummed L4 segment. */
function sendIp(t, src, dst, proto, seg, o = {}) {
  if (o.v6) {
    const hdr = ipv6Header({ src: src.ip6, dst: dst.ip6, nh: proto, len: seg.length, hlim: o.ttl ?? ttlOf(src), flow: o.flow ?? 0 });
    emit(t, src, dst, 0x86dd, cat(hdr, seg));
  } else {
    const hdr = ipv4Header({ src: src.ip4, dst: dst.ip4, proto, len: seg.length, id: o.id ?? nextIpId(src), ttl: o.ttl ?? ttlOf(src), df: o.df ?? true, tos: o.tos ?? 0 });
    emit(t, src, dst, 0x0800, cat(hdr, seg), o.vlan);
  }
}

function udpSegment(v6, src, dst, sport, dport, payload) {
  const seg = cat(be16(sport), be16(dport), be16(8 + payload.length), be16(0), payload);
  return l4Checksum(v6, v6 ? src.ip6 : src.ip4, v6 ? dst.ip6 : dst.ip4, 17, seg, 6);
}
function sendUdp(t, src, dst, sport, dport, payload, o = {}) {
  sendIp(t, src, dst, 17, udpSegment(!!o.v6, src, dst, sport, dport, payload), o);
}

/* ------------------------------------------------------------------ TCP */

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

function tcpSegment(v6, src, dst, { sport, dport, seq, ack, flags, win, opts = EMPTY, payload = EMPTY }) {
  if (opts.length % 4) throw new Error('TCP options must be padded to 32 bits');
  const hdr = Buffer.alloc(20);
  hdr.writeUInt16BE(sport, 0);
  hdr.writeUInt16BE(dport, 2);
  hdr.writeUInt32BE(seq >>> 0, 4);
  hdr.writeUInt32BE(ack >>> 0, 8);
  hdr[12] = ((20 + opts.length) / 4) << 4;
  hdr[13] = flags;
  hdr.writeUInt16BE(win, 14);
  const seg = cat(hdr, opts, payload);
  return l4Checksum(v6, v6 ? src.ip6 : src.ip4, v6 ? dst.ip6 : dst.ip4, 6, seg, 16);
}

/**
 * One TCP connection between a client and a server, Linux-style options
 * (MSS, SACK permitted, timestamps, window scale 7 on SYNs; NOP NOP TS on the
 * rest). Sequence/ack numbers and TSval/TSecr are tracked per side.
 */
class TcpConn {
  constructor(label, client, cport, server, sport, o = {}) {
    const side = (host, port, tag, mss, synWin, win) => ({
      host, port, mss, synWin, win,
      nxt: detU32(`${label}/isn/${tag}`),
      tsBase: detU32(`${label}/ts/${tag}`) & 0x7fffffff,
      peerTs: 0,
    });
    this.c = side(client, cport, 'c', o.cmss ?? 1460, 64240, o.cwin ?? 502);
    this.s = side(server, sport, 's', o.smss ?? 1460, o.sSynWin ?? 65160, o.swin ?? 509);
    this.c.peer = this.s;
    this.s.peer = this.c;
  }

  seg(who, t, flags, payload = EMPTY) {
    const me = this[who];
    const peer = me.peer;
    const tsval = (me.tsBase + Math.floor(t * 1000)) >>> 0;
    let opts = EMPTY;
    if (flags & SYN) {
      opts = cat([2, 4], be16(me.mss), [4, 2, 8, 10], be32(tsval), be32(me.peerTs), [1, 3, 3, 7]);
    } else if (!(flags & RST)) {
      opts = cat([1, 1, 8, 10], be32(tsval), be32(me.peerTs));
    }
    const seg = tcpSegment(false, me.host, peer.host, {
      sport: me.port, dport: peer.port, seq: me.nxt, ack: flags & ACK ? peer.nxt : 0, flags,
      win: flags & SYN ? me.synWin : flags & RST ? 0 : me.win, opts, payload,
    });
    sendIp(t, me.host, peer.host, 6, seg);
    me.nxt = (me.nxt + payload.length + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0)) >>> 0;
    if (!(flags & RST)) peer.peerTs = tsval;
    return t;
  }

  /** Three-way handshake; rtt = round trip time seen from the capture point (client side). */
  handshake(t, rtt) {
    this.seg('c', t, SYN);
    this.seg('s', t + rtt, SYN | ACK);
    return this.seg('c', t + rtt + 0.00012, ACK);
  }

  /** Send data, split at the peer's MSS (minus 12 bytes of timestamp option). Returns time of the last segment. */
  send(who, t, data, gap = 0.00004) {
    const mss = this[who].peer.mss - 12;
    for (let off = 0; off < data.length; off += mss) {
      const chunk = data.subarray(off, off + mss);
      this.seg(who, t, ACK | (off + mss >= data.length ? PSH : 0), chunk);
      if (off + mss < data.length) t += gap;
    }
    return t;
  }
  ack(who, t) { return this.seg(who, t, ACK); }
  fin(who, t) { return this.seg(who, t, FIN | ACK); }
}

/* ------------------------------------------------------------------ DNS */

function dnsName(name) {
  return cat(...name.split('.').map((l) => cat(u8(l.length), ascii(l))), [0]);
}
/** DNS message: question + answer RRs (name compressed to the question, 0xc00c). */
function dnsMessage({ id, response, qname, qtype, answers = [], edns }) {
  const flags = response ? 0x8180 : 0x0100; // QR RD RA / RD
  const rrs = answers.map(({ type, ttl, rdata }) => cat(be16(0xc00c), be16(type), be16(1), be32(ttl), be16(rdata.length), rdata));
  const opt = edns ? [cat([0], be16(41), be16(edns), be32(0), be16(0))] : []; // OPT: root, type 41, UDP size, no options
  return cat(be16(id), be16(flags), be16(1), be16(rrs.length), be16(0), be16(opt.length),
    dnsName(qname), be16(qtype), be16(1), ...rrs, ...opt);
}
const A = 1, AAAA = 28;

function dnsExchange(t, client, sport, qname, qtype, rdatas, o = {}) {
  const id = detU32(`dns/${qname}/${qtype}/${t}`) & 0xffff;
  const v6 = !!o.v6;
  const q = dnsMessage({ id, response: false, qname, qtype, edns: o.edns });
  sendUdp(t, client, H.dns, sport, 53, q, { v6, flow: o.flow });
  const r = dnsMessage({ id, response: true, qname, qtype, edns: o.edns, answers: rdatas.map((rdata) => ({ type: qtype, ttl: o.ttl ?? 3600, rdata })) });
  sendUdp(t + (o.delay ?? 0.0011), H.dns, client, 53, sport, r, { v6, flow: o.rflow });
}

/* ------------------------------------------------------------------ scenarios */

/** 1 + 2: DNS A/AAAA for www.example.com, then an HTTP/1.1 GET over IPv4. */
function dnsAndHttp(t) {
  dnsExchange(t, H.ws, 38751, 'www.example.com', A, [parseIPv4(H.web.ip4)], { edns: 1232 });
  dnsExchange(t + 0.0002, H.ws, 52904, 'www.example.com', AAAA, [parseIPv6(H.web.ip6)],
    { v6: true, edns: 1232, flow: 0x3a5c1, rflow: 0x8e01d });

  const rtt = 0.0236;
  const c = new TcpConn('http', H.ws, 50412, H.web, 80);
  t = c.handshake(t + 0.0038, rtt);
  const req = ascii('GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n');
  t = c.send('c', t + 0.0001, req);
  c.ack('s', t + rtt);
  const body = ascii('<!doctype html>\n<html>\n<head><title>Example Domain</title></head>\n<body>\n<h1>Example Domain</h1>\n' +
    '<p>This domain is for use in illustrative examples in documents.</p>\n</body>\n</html>\n');
  const date = new Date((T0 + t) * 1000).toUTCString();
  const resp = cat(ascii('HTTP/1.1 200 OK\r\n' +
    `Date: ${date}\r\n` +
    'Server: nginx/1.24.0\r\n' +
    'Content-Type: text/html; charset=UTF-8\r\n' +
    `Content-Length: ${body.length}\r\n` +
    'Last-Modified: Thu, 17 Oct 2019 07:18:26 GMT\r\n' +
    'Connection: keep-alive\r\n' +
    'Accept-Ranges: bytes\r\n\r\n'), body);
  t = c.send('s', t + rtt + 0.0008, resp);
  t = c.ack('c', t + 0.00009);
  t = c.fin('c', t + 0.0008);
  t = c.fin('s', t + rtt);
  c.ack('c', t + 0.00008);
}

/** 5: ICMP echo (3 pairs) to www.example.com and one ICMPv6 echo pair. */
function pings(t) {
  const echoData = (seq, when) => {
    const tv = Buffer.alloc(16);
    const sec = Math.floor(T0 + when);
    tv.writeUInt32LE(sec, 0);
    tv.writeUInt32LE(Math.round((T0 + when - sec) * 1e6), 8);
    return cat(tv, Buffer.from(Array.from({ length: 40 }, (_, i) => 0x10 + i)));
  };
  const icmp = (type, id, seq, data) => {
    const m = cat([type, 0], be16(0), be16(id), be16(seq), data);
    m.writeUInt16BE(inetChecksum(m), 2);
    return m;
  };
  const id = 0x2a1f;
  for (let seq = 1; seq <= 3; seq++) {
    const ts = t + (seq - 1) * 1.0011;
    const data = echoData(seq, ts);
    sendIp(ts, H.ws, H.web, 1, icmp(8, id, seq, data));
    sendIp(ts + 0.0237 + seq * 0.0002, H.web, H.ws, 1, icmp(0, id, seq, data), { df: false });
  }
  // ICMPv6 echo (type 128/129); checksum covers the IPv6 pseudo-header
  const t6 = t + 4.5;
  const icmp6 = (type, data) => l4Checksum(true, type === 128 ? H.ws.ip6 : H.web.ip6, type === 128 ? H.web.ip6 : H.ws.ip6, 58,
    cat([type, 0], be16(0), be16(0x2a27), be16(1), data), 2);
  const d6 = echoData(1, t6);
  sendIp(t6, H.ws, H.web, 58, icmp6(128, d6), { v6: true, flow: 0xb71c2 });
  sendIp(t6 + 0.0241, H.web, H.ws, 58, icmp6(129, d6), { v6: true, ttl: 54, flow: 0x1f3e9 });
}

/** 3: TLS 1.3 to www.example.org:443 with SNI, ALPN, supported_versions, key_share. */
function tls(t) {
  dnsExchange(t, H.ws, 45021, 'www.example.org', A, [parseIPv4(H.tls.ip4)], { edns: 1232 });
  t += 0.0018;

  const ext = (type, data) => cat(be16(type), be16(data.length), data);
  const vec16 = (data) => cat(be16(data.length), data);
  const vec8 = (data) => cat(u8(data.length), data);
  const handshake = (type, body) => cat(u8(type), be24(body.length), body);
  const record = (type, version, frag) => cat(u8(type), be16(version), be16(frag.length), frag);

  const sessionId = det('tls/session-id', 32);
  const suites = [0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc02b, 0xc02f, 0x009f, 0x009e, 0x00ff];
  const sni = ascii('www.example.org');
  const extensions = cat(
    ext(0x0000, vec16(cat([0], vec16(sni)))),                                  // server_name: host_name
    ext(0x000b, vec8(Buffer.from([0, 1, 2]))),                                 // ec_point_formats
    ext(0x000a, vec16(cat(...[0x001d, 0x0017, 0x001e, 0x0019, 0x0018].map(be16)))), // supported_groups
    ext(0x0023, EMPTY),                                                        // session_ticket
    ext(0x0010, vec16(cat(vec8(ascii('h2')), vec8(ascii('http/1.1'))))),      // ALPN
    ext(0x0016, EMPTY),                                                        // encrypt_then_mac
    ext(0x0017, EMPTY),                                                        // extended_master_secret
    ext(0x000d, vec16(cat(...[0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601].map(be16)))), // signature_algorithms
    ext(0x002b, vec8(cat(be16(0x0304), be16(0x0303)))),                        // supported_versions: TLS 1.3, 1.2
    ext(0x002d, vec8(Buffer.from([1]))),                                       // psk_key_exchange_modes: psk_dhe_ke
    ext(0x0033, vec16(cat(be16(0x001d), vec16(det('tls/client-x25519', 32))))), // key_share: x25519
  );
  const clientHello = cat(
    be16(0x0303), det('tls/client-random', 32), vec8(sessionId),
    vec16(cat(...suites.map(be16))), vec8(Buffer.from([0])), vec16(extensions));
  const chRecord = record(22, 0x0301, handshake(1, clientHello));

  const serverHello = cat(
    be16(0x0303), det('tls/server-random', 32), vec8(sessionId), be16(0x1302), u8(0),
    vec16(cat(
      ext(0x002b, be16(0x0304)),                                               // supported_versions: selected TLS 1.3
      ext(0x0033, cat(be16(0x001d), vec16(det('tls/server-x25519', 32)))),     // key_share: server share
    )));
  const shRecord = record(22, 0x0303, handshake(2, serverHello));
  const ccs = record(20, 0x0303, Buffer.from([1]));
  // encrypted records (TLSCiphertext, opaque_type application_data): inner plaintext + type byte + 16-byte AEAD tag
  const appData = (label, innerLen) => record(23, 0x0303, det(`tls/ct/${label}`, innerLen + 1 + 16));

  const rtt = 0.0182;
  const c = new TcpConn('tls', H.ws, 51836, H.tls, 443, { smss: 1460 });
  t = c.handshake(t, rtt);
  t = c.send('c', t + 0.0003, chRecord);
  // server flight: ServerHello, CCS, EncryptedExtensions, Certificate, CertificateVerify, Finished
  const flight = cat(shRecord, ccs, appData('ee', 19), appData('cert', 2048), appData('cv', 79), appData('fin', 36));
  t = c.send('s', t + rtt + 0.0011, flight);
  t = c.ack('c', t + 0.00006);
  // client: CCS + Finished, then the HTTP/2 preface/SETTINGS/HEADERS
  t = c.send('c', t + 0.0012, cat(ccs, appData('cfin', 36)));
  t = c.send('c', t + 0.0002, appData('h2-req', 152));
  // server: two NewSessionTickets, then HTTP/2 SETTINGS + response headers + data
  t = c.send('s', t + rtt, cat(appData('nst1', 233), appData('nst2', 233)));
  t = c.ack('c', t + 0.00005);
  t = c.send('s', t + 0.0021, cat(appData('h2-settings', 45), appData('h2-resp', 1126)));
  t = c.ack('c', t + 0.00006);
  // client: GOAWAY, then close_notify alert (both encrypted), then FIN
  t = c.send('c', t + 0.0214, appData('h2-goaway', 17));
  t = c.send('c', t + 0.0001, appData('close-notify-c', 2));
  t = c.fin('c', t + 0.0001);
  t = c.send('s', t + rtt, appData('close-notify-s', 2));
  t = c.fin('s', t + 0.00002);
  c.ack('c', t + 0.00007);
}

/** 4: SSH on port 10022: banners, key exchange in the clear, then a few encrypted packets. */
function ssh(t) {
  const str = (b) => cat(be32(b.length), b);
  const sshPacket = (label, payload) => {
    let pad = 8 - ((5 + payload.length) % 8);
    if (pad < 4) pad += 8;
    return cat(be32(1 + payload.length + pad), u8(pad), payload, det(`ssh/pad/${label}`, pad));
  };
  const kexinit = (label, lists) => sshPacket(label, cat(u8(20), det(`ssh/cookie/${label}`, 16), ...lists.map((l) => str(ascii(l))), [0], be32(0)));
  // chacha20-poly1305@openssh.com: 4-byte encrypted length, encrypted body (multiple of 8), 16-byte tag
  const enc = (label, bodyLen) => det(`ssh/enc/${label}`, 4 + bodyLen + 16);

  const ciphers = 'chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com';
  const macs = 'umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,' +
    'hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1';
  const clientKex = kexinit('c', [
    'curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,' +
      'sntrup761x25519-sha512@openssh.com,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,' +
      'diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,ext-info-c',
    'ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,rsa-sha2-512-cert-v01@openssh.com,' +
      'rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,' +
      'rsa-sha2-512,rsa-sha2-256',
    ciphers, ciphers, macs, macs, 'none,zlib@openssh.com,zlib', 'none,zlib@openssh.com,zlib', '', '',
  ]);
  const serverKex = kexinit('s', [
    'sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,' +
      'ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,' +
      'diffie-hellman-group18-sha512,diffie-hellman-group14-sha256',
    'rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519',
    ciphers, ciphers, macs, macs, 'none,zlib@openssh.com', 'none,zlib@openssh.com', '', '',
  ]);
  const ecdhInit = sshPacket('ecdh-init', cat(u8(30), str(det('ssh/q_c', 32))));
  const hostKey = cat(str(ascii('ssh-ed25519')), str(det('ssh/hostkey', 32)));
  const sig = cat(str(ascii('ssh-ed25519')), str(det('ssh/sig', 64)));
  const ecdhReply = sshPacket('ecdh-reply', cat(u8(31), str(hostKey), str(det('ssh/q_s', 32)), str(sig)));
  const newKeys = (label) => sshPacket(label, u8(21));

  const rtt = 0.00021;
  const c = new TcpConn('ssh', H.lap, 43118, H.srv, 10022, { cwin: 501, swin: 506 });
  t = c.handshake(t, rtt);
  t = c.send('c', t + 0.00027, ascii('SSH-2.0-OpenSSH_8.9\r\n'));
  t = c.ack('s', t + 0.00019);
  t = c.send('s', t + 0.0063, ascii('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
  t = c.ack('c', t + 0.00013);
  t = c.send('c', t + 0.00015, clientKex);
  t = c.send('s', t + 0.00020, serverKex);
  t = c.send('c', t + 0.0017, ecdhInit);
  t = c.send('s', t + 0.0033, cat(ecdhReply, newKeys('nk-s')));
  t = c.send('c', t + 0.0041, newKeys('nk-c'));
  // encrypted from here on: service request/accept, user auth, session channel, a command, close
  const encrypted = [
    ['c', 0.00012, 'service-request', 32], ['s', 0.00031, 'ext-info', 232], ['s', 0.00004, 'service-accept', 32],
    ['c', 0.0021, 'userauth-pk-query', 112], ['s', 0.0009, 'userauth-pk-ok', 88], ['c', 0.0038, 'userauth-pk-sig', 200],
    ['s', 0.0121, 'userauth-success', 16], ['c', 0.0004, 'channel-open', 40], ['s', 0.0031, 'channel-open-confirm', 32],
    ['c', 0.0002, 'pty-req-exec', 336], ['s', 0.0298, 'channel-data', 456], ['c', 0.0401, 'window-adjust', 32],
    ['s', 9.8123, 'exit-status-eof-close', 104], ['c', 0.0003, 'channel-close', 32],
  ];
  encrypted.forEach(([who, dt, label, bodyLen], i) => {
    t = c.send(who, t + dt, enc(label, bodyLen));
    const next = encrypted[i + 1];
    if (!next || next[1] > 0.04) t = c.ack(who === 'c' ? 's' : 'c', t + 0.00018); // (delayed) ACK when nothing follows soon
  });
  t = c.fin('c', t + 0.0004);
  t = c.fin('s', t + 0.00022);
  c.ack('c', t + 0.00011);
}

/** 6: NTP client (mode 3) / server (mode 4) exchange, repeated at the 64 s poll interval. */
function ntp(t) {
  const ntpTs = (unix) => {
    const sec = Math.floor(unix);
    return cat(be32(sec + 2208988800), be32(Math.floor((unix - sec) * 2 ** 32)));
  };
  const zero8 = Buffer.alloc(8);
  const rtt = 0.0093;
  const offset = 0.00317; // server clock ahead of the client
  for (let i = 0; i < 3; i++) {
    const ts = t + i * 64.0037;
    const clientTx = T0 + ts;
    const req = cat([0x23, 0, 6, 0xe9], be32(0), be32(0), be32(0), zero8, zero8, zero8, ntpTs(clientTx));
    sendUdp(ts, H.ws, H.ntp, 123, 123, req);
    const rx = clientTx + rtt / 2 + offset;
    const resp = cat([0x24, 2, 6, 0xe7], be32(0x00000152), be32(0x0000041b), parseIPv4('203.0.113.123'),
      ntpTs(T0 + t - 37.25 + i * 64), ntpTs(clientTx), ntpTs(rx), ntpTs(rx + 0.0000213));
    sendUdp(ts + rtt, H.ntp, H.ws, 123, 123, resp, { df: false });
  }
}

/** 7: syslog over UDP/514 on VLAN 100 (802.1Q), switch -> collector. */
function syslog(times) {
  const msgs = [
    '<189>Mar 14 09:31:15 sw-core-01 %LINK-3-UPDOWN: Interface GigabitEthernet1/0/7, changed state to up',
    '<190>Mar 14 09:32:21 sw-core-01 %SYS-6-LOGGINGHOST_STARTSTOP: Logging to host 192.0.2.230 port 514 started - CLI initiated',
    '<187>Mar 14 09:32:59 sw-core-01 %PM-4-ERR_DISABLE: bpduguard error detected on Gi1/0/12, putting Gi1/0/12 in err-disable state',
  ];
  times.forEach((t, i) => sendUdp(t, H.sw, H.log, 51514, 514, ascii(msgs[i]), { vlan: 100, df: false }));
}

/** 8: one 3000-byte UDP datagram (an RTP-framed video chunk to port 5004) sent as 3 IPv4 fragments. */
function fragmentedUdp(t) {
  // RTP v2, payload type 96 (dynamic), marker set; then opaque media bytes: UDP length 8 + 12 + 2980 = 3000
  const rtp = cat([0x80, 0xe0], be16(0x3c41), be32(0x5f3a9c10), be32(0x1b2d3e4f), det('rtp/payload', 2980));
  const udp = udpSegment(false, H.ws, H.srv, 5004, 5004, rtp); // checksum over the whole datagram
  const ipId = nextIpId(H.ws);
  const chunk = 1480; // 1500-byte MTU minus the 20-byte IPv4 header; a multiple of 8
  for (let off = 0, ft = t; off < udp.length; off += chunk, ft += 0.000012) {
    const part = udp.subarray(off, off + chunk);
    const hdr = ipv4Header({ src: H.ws.ip4, dst: H.srv.ip4, proto: 17, len: part.length, id: ipId, ttl: 64,
      df: false, mf: off + chunk < udp.length, fragOff: off / 8 });
    emit(ft, H.ws, H.srv, 0x0800, cat(hdr, part));
  }
  return udp.length;
}

/** 9: SYN scan of 25 ports of 192.0.2.10 from 192.0.2.66 (nmap -sS style). */
function synScan(t) {
  const ports = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 199, 443, 445, 587, 993, 995, 1025, 1723,
    3306, 3389, 5900, 8080, 8888, 10022];
  const open = new Set([80, 10022]);
  // deterministic shuffle (scanners randomise the port order)
  const order = ports.map((p, i) => [det(`scan/order/${p}`, 4).readUInt32BE(0), p, i]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
  const sport = 61833;
  const mssOpt = cat([2, 4], be16(1460));
  order.forEach((port, i) => {
    const ts = t + i * 0.0571 + (det(`scan/jitter/${port}`, 1)[0] / 255) * 0.004;
    const seq = detU32(`scan/seq/${port}`);
    sendIp(ts, H.scan, H.srv, 6, tcpSegment(false, H.scan, H.srv, { sport, dport: port, seq, ack: 0, flags: SYN, win: 1024, opts: mssOpt }),
      { id: detU32(`scan/ipid/${port}`) & 0xffff, ttl: 43, df: false });
    const rt = ts + 0.00017;
    if (open.has(port)) {
      const isn = detU32(`scan/isn/${port}`);
      sendIp(rt, H.srv, H.scan, 6, tcpSegment(false, H.srv, H.scan, { sport: port, dport: sport, seq: isn, ack: seq + 1, flags: SYN | ACK, win: 64240, opts: mssOpt }), { id: 0 });
      // the scanner's kernel has no socket for this: it resets
      sendIp(rt + 0.00005, H.scan, H.srv, 6, tcpSegment(false, H.scan, H.srv, { sport, dport: port, seq: seq + 1, ack: 0, flags: RST, win: 0 }), { id: 0, ttl: 64 });
    } else {
      sendIp(rt, H.srv, H.scan, 6, tcpSegment(false, H.srv, H.scan, { sport: port, dport: sport, seq: 0, ack: seq + 1, flags: RST | ACK, win: 0 }), { id: 0 });
    }
  });
}

/* ------------------------------------------------------------------ main */

ntp(0.412);
dnsAndHttp(2.104);
pings(10.0);
tls(30.2);
ssh(60.0);
syslog([75.25, 141.73, 179.64]);
const fragUdpLen = fragmentedUdp(110.5);
synScan(150.0);

packets.sort((a, b) => a.t - b.t); // stable: packets at the same microsecond keep their order

const parts = [];
const gh = Buffer.alloc(24);
gh.writeUInt32LE(0xa1b2c3d4, 0); // microsecond-resolution magic, written little-endian
gh.writeUInt16LE(2, 4);
gh.writeUInt16LE(4, 6);
gh.writeInt32LE(0, 8); // thiszone
gh.writeUInt32LE(0, 12); // sigfigs
gh.writeUInt32LE(65535, 16); // snaplen
gh.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
parts.push(gh);
for (const { t, frame } of packets) {
  const rh = Buffer.alloc(16);
  const sec = Math.floor(t / 1e6);
  rh.writeUInt32LE(T0 + sec, 0);
  rh.writeUInt32LE(t - sec * 1e6, 4);
  rh.writeUInt32LE(frame.length, 8);
  rh.writeUInt32LE(frame.length, 12);
  parts.push(rh, frame);
}
const file = Buffer.concat(parts);
fs.writeFileSync(OUT, file);
console.log(`wrote ${path.relative(process.cwd(), OUT)}: ${packets.length} packets, ${file.length} bytes ` +
  `(fragmented UDP datagram: ${fragUdpLen} bytes)`);
