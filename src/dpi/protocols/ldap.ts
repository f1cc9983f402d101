/**
 * LDAP (RFC 4511 4.1.1): BER LDAPMessage = SEQUENCE { messageID INTEGER,
 * protocolOp [APPLICATION n], controls [0] OPTIONAL }, over TCP and UDP
 * (CLDAP, RFC 1798). The first message of the flow must have a message ID of
 * 1..4 bytes and a known operation tag (bind, unbind, search, modify, add,
 * delete, modDN, compare, abandon, extended, intermediate, and their
 * responses) whose content lies inside the message; a BindRequest must carry
 * version 1..3. Over UDP the message fills the datagram; over TCP it may run
 * past the first segment. Recognised on any port (LDAP servers are often off
 * 389, e.g. 1389).
 * Metadata: username = the DN of a simple BindRequest, when not empty.
 * Ignores: filters, attributes, controls, SASL, StartTLS contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { BerElement, berElement, berInt } from './snmp';

const SEQUENCE = 0x30;
const BIND_REQUEST = 0x60;
const OCTET_STRING = 0x04;
const AUTH_SIMPLE = 0x80;
/** protocolOp tags: constructed [APPLICATION n] except unbind (0x42), delRequest (0x4a), abandon (0x50). */
const OPS = new Set([0x60, 0x61, 0x42, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x4a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x50,
  0x73, 0x77, 0x78, 0x79]);

export const dissector: Dissector = {
  id: P.LDAP,
  on: On.TcpUdp,
  tcpPorts: [389],
  udpPorts: [389],
  budget: 2,
  tcpFirstBytes: [0x30], // SEQUENCE
  udpFirstBytes: [0x30],
  tcpFirstPacket: { short: [0x30] }, // e.g. a 7-byte UnbindRequest
  udpFirstPacket: { short: [0x30] },
  fields: ['username'],
  doc: 'LDAP (RFC 4511) and CLDAP messages in BER: message ID and protocol operation; simple bind DN.',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.dirIndex !== 0) return Verdict.Exclude;
    const buf = ctx.buf;
    const off = ctx.off;
    const end = off + ctx.len;
    if (ctx.len < 7 || buf[off] !== SEQUENCE) return Verdict.Exclude;
    // Outer SEQUENCE header (its content may run past this TCP segment).
    let n = buf[off + 1];
    let p = off + 2;
    if (n & 0x80) {
      const k = n & 0x7f;
      if (k === 0 || k > 4 || p + k > end) return Verdict.Exclude;
      n = 0;
      for (let i = 0; i < k; i++) n = n * 256 + buf[p + i];
      p += k;
    }
    const msgEnd = p + n;
    if (ctx.l4 === 17 ? msgEnd !== end : msgEnd < end) return Verdict.Exclude;
    const el: BerElement = { tag: 0, start: 0, end: 0 };
    const afterId = berElement(buf, p, end, el);
    if (afterId < 0 || berInt(buf, el) < 0) return Verdict.Exclude;
    if (afterId + 2 > end || !OPS.has(buf[afterId])) return Verdict.Exclude;
    const op = buf[afterId];
    const opEnd = berElement(buf, afterId, Math.min(end, msgEnd), el);
    if (opEnd < 0) {
      // An operation longer than this segment: its length must still fit the message.
      if (ctx.l4 === 17) return Verdict.Exclude;
    } else if (op === BIND_REQUEST) {
      const v: BerElement = { tag: 0, start: 0, end: 0 };
      const afterV = berElement(buf, el.start, el.end, v);
      const version = afterV < 0 ? -1 : berInt(buf, v);
      if (version < 1 || version > 3) return Verdict.Exclude;
      const name: BerElement = { tag: 0, start: 0, end: 0 };
      const afterName = berElement(buf, afterV, el.end, name);
      if (afterName < 0 || name.tag !== OCTET_STRING) return Verdict.Exclude;
      if (name.end > name.start && afterName < el.end && buf[afterName] === AUTH_SIMPLE) {
        ctx.set('username', buf.toString('utf8', name.start, name.end));
      }
    }
    ctx.detect(P.LDAP);
    return Verdict.Done;
  },
};
