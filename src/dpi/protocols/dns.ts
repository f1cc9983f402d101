/**
 * DNS (RFC 1035 section 4: header, question, resource records; RFC 6891 EDNS
 * OPT record) over UDP and over TCP (RFC 1035 4.2.2: a 2-byte length before
 * each message). This module is also the shared message reader of the mDNS
 * (mdns.ts) and LLMNR (llmnr.ts) dissectors, which use the same format.
 *
 * On port 53 (either end) a message is accepted with the header checks nDPI
 * applies there, so fuzzed or damaged DNS on its own port is still DNS (with
 * the Malformed Packet risk): a query is QR=0 with at most 48 questions and
 * either a standard/inverse/update opcode layout or no answer/authority
 * records; a response is QR=1 with 1..48 questions (0 allowed for mDNS) and
 * 1..48 records in some section or none at all. The flow is labelled on its
 * first such message and read on until a response carrying records (at most
 * 6 messages), as nDPI does; every message re-reads the first question name.
 * On any other port DNS is recognised only from a strictly well-formed query
 * (one question, sane opcode and counts, every name and record inside the
 * message, nothing after it) answered by a well-formed response with the
 * same ID, so other binary protocols are not taken for DNS (NetBIOS names,
 * RFC 1002, excepted).
 *
 * Metadata: server_name is the first question name printed as nDPI does
 * (lower case, characters outside [a-z0-9_-] as '_' or '?' when not
 * printable, at most its last 79 characters); dns_query_type; dns_rcode;
 * dns_answers (A/AAAA addresses and CNAME targets, at most 8).
 * Risks: Error Code (RCODE != 0), Large DNS Packet (UDP response over 512
 * bytes and over the EDNS size), Susp DNS Traffic (first label over 48
 * characters, obsolete record types), Non-Printable/Invalid Chars,
 * Malformed Packet, Minor Issues (zero TTL).
 * Ignores: record types other than A/AAAA/CNAME, DNSSEC, TSIG, zone
 * transfers beyond the first message of a TCP stream, IP fragmentation
 * (not visible to dissectors).
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, FirstPacket, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';
import { ipv6ToString } from '../../flow/address';
import { STREAM_CAP } from '../flow-dpi';

export const DNS_PORT = 53;
export const MDNS_PORT = 5353;
export const LLMNR_PORT = 5355;

const HEADER = 12;
/** nDPI's limit on header counts (NDPI_MAX_DNS_REQUESTS). */
const MAX_COUNT = 48;
/** nDPI keeps the last 79 characters of a host name. */
const MAX_HOST = 79;
const MAX_ANSWERS = 8;
/** Messages read per flow: the first one and up to 5 more while waiting for the answer. */
const MAX_MESSAGES = 6;
const LARGE_PACKET = 512;
const LONG_LABEL = 48;

const TYPE_A = 1;
const TYPE_CNAME = 5;
const TYPE_AAAA = 28;
const TYPE_OPT = 41;

/** Record types nDPI calls obsolete (Susp DNS Traffic). */
const OBSOLETE_TYPES = new Set([3, 4, 7, 8, 9, 10, 11, 13, 14, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 30, 31, 32, 34, 38, 40,
  42, 56, 57, 58, 99, 100, 101, 102, 103, 104, 105, 106, 107, 253, 254, 259]);
/** Suffixes where long first labels are normal (DNSBL lookups, CDNs). */
const LONG_LABEL_OK = ['multi.surbl.org', 'spamhaus.org', 'rackcdn.com', 'akamaiedge.net', 'mx-verification.google.com', 'amazonaws.com'];
const RCODE_NAMES = ['', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'XRRSET', 'NOTAUTH', 'NOTZONE'];

export const enum DnsKind {
  Dns = 0,
  Mdns = 1,
  Llmnr = 2,
}

interface DnsState {
  messages: number;
  /** Strict mode: ID of the well-formed query waiting for its response (-1: none yet). */
  queryId: number;
  detected: boolean;
  queryTypeSet: boolean;
  answers: string[] | null;
  /** TCP: directions whose first message was read (bit per Dir). */
  tcpRead: number;
}

/** True for [A-Za-z0-9_-]. */
function hostChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;
}

interface NameOut {
  bytes: number[];
  valid: boolean;
}

/**
 * Appends the name at p to out.bytes as nDPI prints names: labels joined with
 * '.', compression pointers followed once each (relative to msg), a label
 * that would reach the last byte of the packet dropping the name read so far
 * at this level. raw keeps bytes as they are (lower-cased) for mDNS.
 */
function readName(buf: Buffer, msg: number, p: number, end: number, raw: boolean, out: NameOut, seen: number[], cap: number): void {
  const start = out.bytes.length;
  while (out.bytes.length < cap && p < end && buf[p] !== 0) {
    const cl = buf[p];
    if ((cl & 0xc0) === 0xc0) {
      if (p + 1 >= end) {
        out.valid = false;
        out.bytes.length = start;
        return;
      }
      const target = msg + (((cl & 0x3f) << 8) | buf[p + 1]);
      if (seen.includes(target)) {
        out.valid = false;
        out.bytes.length = start;
        return;
      }
      seen.push(target);
      if (out.bytes.length > start) out.bytes.push(46);
      readName(buf, msg, target, end, raw, out, seen, cap - 1);
      return;
    }
    if (p + 1 + cl >= end) {
      out.bytes.length = start;
      return;
    }
    p++;
    if (out.bytes.length > start) out.bytes.push(46);
    for (let i = 0; i < cl && out.bytes.length < cap; i++) {
      const c = buf[p++];
      if (raw || hostChar(c)) out.bytes.push(c >= 65 && c <= 90 ? c + 32 : c);
      else {
        out.valid = false;
        out.bytes.push(c >= 32 && c <= 126 ? 95 : 63);
      }
    }
  }
}

/** The name at p as text (metadata only: allocates), and whether every character was a host-name character. */
export function dnsName(buf: Buffer, msg: number, p: number, end: number, raw: boolean): { name: string; valid: boolean } {
  const out: NameOut = { bytes: [], valid: true };
  readName(buf, msg, p, end, raw, out, [], 255);
  const b = Buffer.from(out.bytes);
  return { name: raw ? b.toString('utf8') : b.toString('latin1'), valid: out.valid };
}

/** Length of the encoded name at p as nDPI measures it (labels + terminator, or up to a pointer); 0 when p is outside. */
function nameLength(buf: Buffer, p: number, end: number): number {
  let n = 0;
  while (p < end) {
    const c = buf[p];
    if (c === 0) return n + 1;
    if ((c & 0xc0) === 0xc0) return n + 2;
    n += c + 1;
    p += c + 1;
  }
  return n;
}

/**
 * Skips a well-formed name at p (labels of 1..63 bytes, pointers to earlier
 * offsets of the message); returns the offset after it or -1.
 * printable: require printable ASCII label characters (question names).
 */
function skipNameStrict(buf: Buffer, msg: number, p: number, end: number, printable: boolean): number {
  let total = 0;
  while (p < end) {
    const c = buf[p];
    if (c === 0) return p + 1;
    if ((c & 0xc0) === 0xc0) {
      if (p + 2 > end) return -1;
      const target = ((c & 0x3f) << 8) | buf[p + 1];
      if (target < HEADER || msg + target >= p) return -1;
      return p + 2;
    }
    if (c > 63) return -1;
    total += c + 1;
    if (total > 255 || p + 1 + c > end) return -1;
    if (printable) {
      for (let i = p + 1; i <= p + c; i++) if (buf[i] <= 32 || buf[i] >= 127) return -1;
    }
    p += c + 1;
  }
  return -1;
}

/** Walks a whole message strictly; true when every part is inside and it ends exactly at end. */
function wellFormed(buf: Buffer, msg: number, end: number): boolean {
  const qd = be16(buf, msg + 4);
  const rr = be16(buf, msg + 6) + be16(buf, msg + 8) + be16(buf, msg + 10);
  let p = msg + HEADER;
  for (let i = 0; i < qd; i++) {
    p = skipNameStrict(buf, msg, p, end, true);
    if (p < 0 || p + 4 > end) return false;
    const qtype = be16(buf, p);
    const qclass = be16(buf, p + 2) & 0x7fff;
    if (qtype === 0 || !(qclass === 1 || qclass === 3 || qclass === 4 || qclass === 254 || qclass === 255)) return false;
    p += 4;
  }
  for (let i = 0; i < rr; i++) {
    p = skipNameStrict(buf, msg, p, end, false);
    if (p < 0 || p + 10 > end) return false;
    p += 10 + be16(buf, p + 8);
    if (p > end) return false;
  }
  return p === end;
}

/** Header checks for a strict (non-standard port) message: opcode, Z bit, counts. */
function strictHeader(buf: Buffer, msg: number, query: boolean): boolean {
  const flags = be16(buf, msg + 2);
  const opcode = (flags >> 11) & 0xf;
  if ((flags & 0x8000) !== (query ? 0 : 0x8000)) return false;
  if (!(opcode === 0 || opcode === 4 || opcode === 5) || (flags & 0x0040) !== 0) return false;
  const qd = be16(buf, msg + 4);
  const an = be16(buf, msg + 6);
  const ns = be16(buf, msg + 8);
  const ar = be16(buf, msg + 10);
  if (query) {
    if (qd !== 1 || (flags & 0x000f) !== 0 || ar > 2) return false;
    if (opcode === 0 && (an !== 0 || ns !== 0)) return false;
  } else if (qd > 1 || an > MAX_COUNT || ns > MAX_COUNT || ar > MAX_COUNT) {
    return false;
  }
  return true;
}

/** nDPI's acceptance of a header on the protocol's own port: 1 query, 2 response, 0 invalid. */
function headerKind(buf: Buffer, msg: number, end: number, mdns: boolean): number {
  if (end - msg < HEADER) return 0;
  const flags = be16(buf, msg + 2);
  const qd = be16(buf, msg + 4);
  const an = be16(buf, msg + 6);
  const ns = be16(buf, msg + 8);
  const ar = be16(buf, msg + 10);
  if ((flags & 0x8000) === 0) {
    if (qd === 0 && an === 0 && ns === 0 && ar === 0) return 0;
    if (qd <= MAX_COUNT && ((flags & 0x2800) === 0x2800 || (flags & 0xfcf0) === 0 || (flags & 0xfcff) === 0x0800 ||
        (an === 0 && ns === 0))) return 1;
    return 0;
  }
  if (((qd > 0 && qd <= MAX_COUNT) || (mdns && qd === 0)) &&
      ((an > 0 && an <= MAX_COUNT) || (ns > 0 && ns <= MAX_COUNT) || (ar > 0 && ar <= MAX_COUNT) || (an === 0 && ns === 0 && ar === 0))) {
    return 2;
  }
  if (qd === 0 && an === 0 && ns === 0 && ar === 0 && end - msg === HEADER) return 2;
  return 0;
}

function ipv6(buf: Buffer, p: number): string {
  const a = new Int32Array(4);
  for (let i = 0; i < 4; i++) a[i] = be32(buf, p + 4 * i) | 0;
  return ipv6ToString(a, 0);
}

/** Reads one accepted message for metadata: names, types, answers, risks. Returns true when it ends the dissection. */
function readMessage(ctx: DissectContext, st: DnsState, kind: DnsKind, msg: number, end: number, response: boolean): boolean {
  const buf = ctx.buf;
  const mdns = kind === DnsKind.Mdns;
  const qd = be16(buf, msg + 4);
  const an = be16(buf, msg + 6);
  const ns = be16(buf, msg + 8);
  const ar = be16(buf, msg + 10);
  let p = msg + HEADER;

  if (qd !== 0 || an !== 0) {
    const { name, valid } = dnsName(buf, msg, p, end, mdns);
    ctx.set('server_name', name.length > MAX_HOST ? name.slice(name.length - MAX_HOST) : name, true);
    if (!valid) ctx.risk(Risk.Non_Printable_Invalid_Chars_Detected, 'Invalid chars detected in domain name');
    if (!mdns && name.indexOf('.in-addr.') < 0) {
      const dot = name.indexOf('.');
      if (dot > LONG_LABEL && !LONG_LABEL_OK.some((s) => name.endsWith(s))) ctx.risk(Risk.Susp_DNS_Traffic, 'Long DNS host name');
    }
  }

  if (response) {
    const rcode = be16(buf, msg + 2) & 0x0f;
    ctx.set('dns_rcode', rcode, true);
    if (rcode !== 0) ctx.risk(Risk.Error_Code, `DNS Error Code ${RCODE_NAMES[rcode] || String(rcode)}`);
  }

  // Questions.
  for (let i = 0; i < qd; i++) {
    const n = nameLength(buf, p, end);
    if (n === 0) return finish(st, kind, response, an + ns + ar);
    p += n;
    if (n > 253) ctx.risk(Risk.Malformed_Packet, 'Invalid DNS Query Lenght');
    if (p + 4 > end) {
      ctx.risk(Risk.Malformed_Packet, 'Invalid DNS Query Lenght');
      return finish(st, kind, response, an + ns + ar);
    }
    if (i === 0 && !st.queryTypeSet) {
      st.queryTypeSet = true;
      ctx.set('dns_query_type', be16(buf, p));
    }
    p += 4;
  }

  // Answer, authority and additional records.
  let edns = 0;
  const total = an + ns + ar;
  for (let i = 0; i < total; i++) {
    const n = nameLength(buf, p, end);
    if (n === 0 || p + n + 10 > end) break;
    const namePos = p;
    p += n;
    const type = be16(buf, p);
    const ttl = be32(buf, p + 4);
    const rdlen = be16(buf, p + 8);
    p += 10;
    if (p + rdlen > end) break;
    if (i < an) {
      if (ttl === 0 && type !== TYPE_OPT) ctx.risk(Risk.Minor_Issues, 'DNS Record with zero TTL');
      if (i === 0 && !mdns && OBSOLETE_TYPES.has(type)) ctx.risk(Risk.Susp_DNS_Traffic, 'Obsolete DNS record type');
      if (response) addAnswer(ctx, st, type, p, rdlen, msg, end, mdns);
    } else if (i >= an + ns && type === TYPE_OPT) {
      edns = be16(buf, namePos + n + 2);
    }
    p += rdlen;
  }

  if (response && kind === DnsKind.Dns && ctx.l4 === 17 && ctx.len > LARGE_PACKET && ctx.len > edns) {
    ctx.risk(Risk.Large_DNS_Packet_512_bytes, `${ctx.len} Bytes DNS Packet`);
  }
  return finish(st, kind, response, total);
}

function addAnswer(ctx: DissectContext, st: DnsState, type: number, p: number, rdlen: number, msg: number, end: number, mdns: boolean): void {
  let v: string | undefined;
  if (type === TYPE_A && rdlen === 4) v = `${ctx.buf[p]}.${ctx.buf[p + 1]}.${ctx.buf[p + 2]}.${ctx.buf[p + 3]}`;
  else if (type === TYPE_AAAA && rdlen === 16) v = ipv6(ctx.buf, p);
  else if (type === TYPE_CNAME && rdlen > 0) v = dnsName(ctx.buf, msg, p, Math.min(end, p + rdlen + 1), mdns).name;
  if (v === undefined || v === '') return;
  const list = (st.answers ??= []);
  if (list.length >= MAX_ANSWERS || list.includes(v)) return;
  list.push(v);
  ctx.set('dns_answers', list.slice(), true);
}

/** Dissection ends on a response carrying records (LLMNR: after the first message), or after MAX_MESSAGES. */
function finish(st: DnsState, kind: DnsKind, response: boolean, records: number): boolean {
  if (kind === DnsKind.Llmnr) return true;
  return (response && records !== 0) || st.messages >= MAX_MESSAGES;
}

function newState(): DnsState {
  return { messages: 0, queryId: -1, detected: false, queryTypeSet: false, answers: null, tcpRead: 0 };
}

function isGroup(ctx: DissectContext, kind: DnsKind): boolean {
  const a = ctx.dstAddr;
  const o = ctx.dstAddrOff;
  if (ctx.ipVersion === 4) return (a[o] >>> 0) === (kind === DnsKind.Mdns ? 0xe00000fb : 0xe00000fc);
  return (a[o] >>> 0) === 0xff020000 && a[o + 1] === 0 && a[o + 2] === 0 && (a[o + 3] >>> 0) === (kind === DnsKind.Mdns ? 0xfb : 0x00010003);
}

/**
 * Shared dissect() of DNS, mDNS and LLMNR. portOk: the flow uses the
 * protocol's own port (lenient header checks); otherwise strict mode.
 */
export function dissectDns(ctx: DissectContext, kind: DnsKind, id: number, portOk: boolean): Verdict {
  const buf = ctx.buf;
  const mdns = kind === DnsKind.Mdns;
  let st = ctx.state as DnsState | undefined;
  let msg = ctx.off;
  let end = ctx.off + ctx.len;
  if (ctx.l4 === 6) {
    // Stream: the first message of each direction, after its 2-byte length.
    const bit = 1 << ctx.dir;
    if (st !== undefined && (st.tcpRead & bit) !== 0) return st.detected ? Verdict.Detected : Verdict.Continue;
    if (ctx.len >= 2 && be16(buf, ctx.off) < HEADER) return st?.detected ? Verdict.Detected : Verdict.Exclude;
    if (ctx.len < 2 + HEADER) return st?.detected ? Verdict.Detected : Verdict.Continue;
    msg = ctx.off + 2;
    const ok = portOk ? headerKind(buf, msg, msg + HEADER, mdns) !== 0 :
      st !== undefined || strictHeader(buf, msg, true);
    if (!ok && st?.detected !== true) return Verdict.Exclude;
    const mlen = be16(buf, ctx.off);
    if (ctx.len - 2 < mlen) {
      if (ctx.len < STREAM_CAP) return st?.detected ? Verdict.Detected : Verdict.Continue;
    } else {
      end = msg + mlen;
    }
    if (st === undefined) {
      st = newState();
      ctx.state = st;
    }
    st.tcpRead |= bit;
  }
  if (end - msg < HEADER) {
    if (st?.detected) return malformed(ctx, st);
    return Verdict.Exclude;
  }

  if (!portOk) return strict(ctx, kind, id, msg, end);

  if (st === undefined && kind !== DnsKind.Dns && ctx.dirIndex === 0 && ctx.dir === 0 && ctx.l4 === 17 &&
      ctx.dstPort === (mdns ? MDNS_PORT : LLMNR_PORT) && !isGroup(ctx, kind) &&
      be16(buf, msg + 2) !== 0 && be16(buf, msg + 4) !== 0) {
    // A unicast message to the mDNS/LLMNR port with both flags and questions set is taken for something else.
    return Verdict.Exclude;
  }
  const hk = headerKind(buf, msg, end, mdns);
  if (hk === 0) {
    if (st?.detected) return malformed(ctx, st);
    return Verdict.Exclude;
  }
  if (st === undefined) {
    st = newState();
    ctx.state = st;
  }
  const first = !st.detected;
  if (first) {
    st.detected = true;
    ctx.detect(id);
  }
  st.messages++;
  const last = readMessage(ctx, st, kind, msg, end, hk === 2);
  // Labelled from a response: nothing more to wait for.
  return last || (first && hk === 2) ? Verdict.Done : Verdict.Detected;
}

/** A message that is not DNS in a flow already labelled: counted, flagged. */
function malformed(ctx: DissectContext, st: DnsState): Verdict {
  ctx.risk(Risk.Malformed_Packet, 'Invalid DNS Header');
  st.messages++;
  return st.messages >= MAX_MESSAGES ? Verdict.Done : Verdict.Detected;
}

/** Off the protocol's port: a well-formed query, then a well-formed response with its ID. */
function strict(ctx: DissectContext, kind: DnsKind, id: number, msg: number, end: number): Verdict {
  const buf = ctx.buf;
  let st = ctx.state as DnsState | undefined;
  if (st?.detected) {
    st.messages++;
    const hk = headerKind(buf, msg, end, kind === DnsKind.Mdns);
    if (hk === 0) return st.messages >= MAX_MESSAGES ? Verdict.Done : Verdict.Detected;
    return readMessage(ctx, st, kind, msg, end, hk === 2) ? Verdict.Done : Verdict.Detected;
  }
  const query = (buf[msg + 2] & 0x80) === 0;
  if (st === undefined || st.queryId < 0) {
    if (!query || !strictHeader(buf, msg, true) || netbiosName(buf, msg + HEADER, end) || !wellFormed(buf, msg, end)) return Verdict.Exclude;
    if (st === undefined) {
      st = newState();
      ctx.state = st;
    }
    st.queryId = be16(buf, msg);
    return Verdict.Continue;
  }
  if (query) {
    // A retransmitted or further query: still has to be well formed.
    return strictHeader(buf, msg, true) && wellFormed(buf, msg, end) ? Verdict.Continue : Verdict.Exclude;
  }
  if (be16(buf, msg) !== st.queryId || !strictHeader(buf, msg, false) || !wellFormed(buf, msg, end)) return Verdict.Exclude;
  st.detected = true;
  ctx.detect(id);
  st.messages++;
  return readMessage(ctx, st, kind, msg, end, true) ? Verdict.Done : Verdict.Detected;
}

/** True when the name at p is a NetBIOS first-level encoded name (RFC 1001 14.1: one 32-letter label of 'A'..'P'). */
function netbiosName(buf: Buffer, p: number, end: number): boolean {
  if (p + 33 > end || buf[p] !== 32) return false;
  for (let i = p + 1; i <= p + 32; i++) if (buf[i] < 0x41 || buf[i] > 0x50) return false;
  return true;
}

/**
 * What every DNS, mDNS and LLMNR message over UDP has (headerKind() and
 * strictHeader()): a QDCOUNT of at most MAX_COUNT.
 */
export const DNS_UDP_FIRST: FirstPacket = { bytes: [[4, [0]], [5, [[0, MAX_COUNT]]]] };

export const DNS_FIELDS = ['server_name', 'dns_query_type', 'dns_rcode', 'dns_answers'] as const;

export const dissector: Dissector = {
  id: P.DNS,
  on: On.TcpUdp,
  tcpPorts: [DNS_PORT],
  udpPorts: [DNS_PORT],
  budget: MAX_MESSAGES,
  stream: true,
  tcpFirstPacket: { bytes: [[6, [0]], [7, [[0, MAX_COUNT]]]] }, // QDCOUNT after the 2-byte length
  udpFirstPacket: DNS_UDP_FIRST,
  fields: DNS_FIELDS,
  doc: 'DNS messages (RFC 1035, EDNS RFC 6891) over UDP and TCP: nDPI-compatible header checks on port 53, a strictly well-formed query/response pair elsewhere; query name, type, RCODE, A/AAAA/CNAME answers.',
  dissect(ctx: DissectContext): Verdict {
    // Ports 5353 and 5355 carry mDNS and LLMNR (mdns.ts, llmnr.ts), even when the other end is 53.
    const sp = ctx.serverPort;
    const cp = ctx.clientPort;
    if (sp === MDNS_PORT || sp === LLMNR_PORT || cp === MDNS_PORT || cp === LLMNR_PORT) return Verdict.Exclude;
    const portOk = sp === DNS_PORT || cp === DNS_PORT;
    return dissectDns(ctx, DnsKind.Dns, P.DNS, portOk);
  },
};
