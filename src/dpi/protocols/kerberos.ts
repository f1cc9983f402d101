/**
 * Kerberos V5 (RFC 4120 5): DER messages tagged [APPLICATION n] for AS-REQ
 * (10), AS-REP (11), TGS-REQ (12), TGS-REP (13), AP-REQ (14), AP-REP (15),
 * KRB-SAFE (20), KRB-PRIV (21), KRB-CRED (22) and KRB-ERROR (30), each a
 * SEQUENCE starting with pvno = 5 and msg-type = n (tagged [1]/[2] in
 * KDC-REQ, [0]/[1] elsewhere). Over UDP the message fills the datagram; over
 * TCP it follows a 4-byte length (RFC 4120 7.2.2) that covers at least the
 * first segment. Recognised on any port from this layout.
 * Metadata: kerberos_realm (req-body realm of AS/TGS-REQ, crealm of a reply,
 * realm of KRB-ERROR); the client principal name: username, or server_name
 * (without the '$') for a machine account ending in '$', as nDPI does.
 * Ignores: tickets, encrypted parts, pre-authentication data.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';
import { BerElement, berElement, berInt } from './snmp';

const SEQUENCE = 0x30;
const GENERAL_STRING = 0x1b;
const AS_REQ = 10;
const TGS_REQ = 12;
const AS_REP = 11;
const TGS_REP = 13;
const KRB_ERROR = 30;
const TYPES = new Set([10, 11, 12, 13, 14, 15, 20, 21, 22, 30]);

/** Finds the context-tagged [n] element directly inside [p, end); fills el, true when found. */
function field(buf: Buffer, p: number, end: number, n: number, el: BerElement): boolean {
  while (p < end) {
    const next = berElement(buf, p, end, el);
    if (next < 0) return false;
    if (el.tag === (0xa0 | n)) return true;
    p = next;
  }
  return false;
}

function generalString(buf: Buffer, outer: BerElement): string | undefined {
  const el: BerElement = { tag: 0, start: 0, end: 0 };
  if (berElement(buf, outer.start, outer.end, el) < 0 || el.tag !== GENERAL_STRING) return undefined;
  return buf.toString('latin1', el.start, el.end);
}

/** PrincipalName ::= SEQUENCE { name-type [0], name-string [1] SEQUENCE OF GeneralString }, joined with '/'. */
function principal(buf: Buffer, outer: BerElement): string | undefined {
  const seq: BerElement = { tag: 0, start: 0, end: 0 };
  if (berElement(buf, outer.start, outer.end, seq) < 0 || seq.tag !== SEQUENCE) return undefined;
  const f: BerElement = { tag: 0, start: 0, end: 0 };
  if (!field(buf, seq.start, seq.end, 1, f)) return undefined;
  const list: BerElement = { tag: 0, start: 0, end: 0 };
  if (berElement(buf, f.start, f.end, list) < 0 || list.tag !== SEQUENCE) return undefined;
  const parts: string[] = [];
  const s: BerElement = { tag: 0, start: 0, end: 0 };
  for (let p = list.start; p < list.end;) {
    const next = berElement(buf, p, list.end, s);
    if (next < 0 || s.tag !== GENERAL_STRING) break;
    parts.push(buf.toString('latin1', s.start, s.end));
    p = next;
  }
  return parts.length > 0 ? parts.join('/') : undefined;
}

/** Checks the message at p; returns its type n, or -1. el receives the inner SEQUENCE. */
function message(buf: Buffer, p: number, end: number, exact: boolean, el: BerElement): number {
  const tag = buf[p];
  const n = tag - 0x60;
  if (n < 0 || !TYPES.has(n)) return -1;
  const outer: BerElement = { tag: 0, start: 0, end: 0 };
  const after = berElement(buf, p, end, outer);
  if (after < 0 ? exact : exact && after !== end) return -1;
  const cend = after < 0 ? end : outer.end;
  const seqStart = after < 0 ? p + 2 + ((buf[p + 1] & 0x80) ? (buf[p + 1] & 0x7f) : 0) : outer.start;
  if (seqStart + 2 > cend || buf[seqStart] !== SEQUENCE) return -1;
  const inner = berElement(buf, seqStart, cend, el);
  if (inner < 0) {
    // A TCP message longer than this segment: read what is here.
    const k = buf[seqStart + 1] & 0x80 ? buf[seqStart + 1] & 0x7f : 0;
    if (exact || k > 3) return -1;
    el.tag = SEQUENCE;
    el.start = seqStart + 2 + k;
    el.end = cend;
  }
  const req = n === AS_REQ || n === TGS_REQ;
  const f: BerElement = { tag: 0, start: 0, end: 0 };
  const v: BerElement = { tag: 0, start: 0, end: 0 };
  if (!field(buf, el.start, el.end, req ? 1 : 0, f) || berElement(buf, f.start, f.end, v) < 0 || berInt(buf, v) !== 5) return -1;
  if (!field(buf, el.start, el.end, req ? 2 : 1, f) || berElement(buf, f.start, f.end, v) < 0 || berInt(buf, v) !== n) return -1;
  return n;
}

function metadata(ctx: DissectContext, n: number, seq: BerElement): void {
  const buf = ctx.buf;
  const f: BerElement = { tag: 0, start: 0, end: 0 };
  let realm: string | undefined;
  let cname: string | undefined;
  if (n === AS_REQ || n === TGS_REQ) {
    const body: BerElement = { tag: 0, start: 0, end: 0 };
    if (field(buf, seq.start, seq.end, 4, f) && berElement(buf, f.start, f.end, body) >= 0 && body.tag === SEQUENCE) {
      if (field(buf, body.start, body.end, 2, f)) realm = generalString(buf, f);
      if (field(buf, body.start, body.end, 1, f)) cname = principal(buf, f);
    }
  } else if (n === AS_REP || n === TGS_REP) {
    if (field(buf, seq.start, seq.end, 3, f)) realm = generalString(buf, f);
    if (field(buf, seq.start, seq.end, 4, f)) cname = principal(buf, f);
  } else if (n === KRB_ERROR) {
    if (field(buf, seq.start, seq.end, 9, f)) realm = generalString(buf, f);
    if (field(buf, seq.start, seq.end, 8, f)) cname = principal(buf, f);
  }
  if (realm !== undefined && realm !== '') ctx.set('kerberos_realm', realm);
  if (cname !== undefined && cname !== '') {
    if (cname.endsWith('$')) ctx.set('server_name', cname.slice(0, -1));
    else ctx.set('username', cname);
  }
}

export const dissector: Dissector = {
  id: P.Kerberos,
  on: On.TcpUdp,
  tcpPorts: [88],
  udpPorts: [88],
  budget: 2,
  tcpFirstBytes: [[0x00, 0x7f]], // record length <= 0x7fffffff
  udpFirstBytes: [[0x6a, 0x6f], [0x74, 0x76], 0x7e], // [APPLICATION 10..15, 20..22, 30]
  tcpFirstPacket: { short: [] }, // 4-byte record length + a message of at least 16 bytes
  udpFirstPacket: { short: [] }, // a message of at least 16 bytes
  fields: ['kerberos_realm', 'username', 'server_name'],
  doc: 'Kerberos V5 (RFC 4120) KDC, AP and error messages over UDP and TCP: realm and client principal.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    let p = ctx.off;
    const end = p + ctx.len;
    const tcp = ctx.l4 === 6;
    if (ctx.dirIndex !== 0) return ctx.state === undefined ? Verdict.Exclude : Verdict.Done;
    if (tcp) {
      if (ctx.len < 8) return Verdict.Exclude;
      const rec = be32(buf, p);
      if (rec < ctx.len - 4 || rec > 0x7fffffff) return Verdict.Exclude;
      p += 4;
    }
    if (end - p < 16) return ctx.state === undefined ? Verdict.Exclude : Verdict.Done;
    const seq: BerElement = { tag: 0, start: 0, end: 0 };
    const n = message(buf, p, end, !tcp, seq);
    if (n < 0) return ctx.state === undefined ? Verdict.Exclude : Verdict.Done;
    const first = ctx.state === undefined;
    if (first) {
      ctx.state = true;
      ctx.detect(P.Kerberos);
    }
    metadata(ctx, n, seq);
    return first && (n === AS_REQ || n === TGS_REQ) ? Verdict.Detected : Verdict.Done;
  },
};
