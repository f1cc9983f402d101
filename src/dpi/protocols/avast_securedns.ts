/**
 * AVAST SecureDNS: Avast's DNSCrypt resolver. A DNSCrypt client starts by
 * asking the resolver for its certificates with a plain DNS TXT query
 * (DNSCrypt v2 specification, "Certificates") for the provider name, which
 * for Avast is "<n>.securedns.avast.com" (the leading label is the
 * certificate version); clients randomise the letter case (DNS 0x20), so the
 * labels are compared case-insensitively. Recognised from the DNS header
 * (opcode QUERY, one question) and that question (QTYPE TXT, QCLASS IN), on
 * any port (Avast sends it to UDP 443).
 * Ignores: the certificate in the answer and the encrypted queries after it.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be16, startsWithNoCase } from '../bytes';

const PROVIDER = [ascii('securedns'), ascii('avast'), ascii('com')];
const QTYPE_TXT = 16;
const QCLASS_IN = 1;

/** True when buf[off, end) is a DNS message whose only question is TXT <label>.securedns.avast.com. */
function isCertQuery(b: Buffer, off: number, end: number): boolean {
  if (end - off < 12 + 2 + 10 + 6 + 4 + 5) return false;
  if (((b[off + 2] >> 3) & 0x0f) !== 0) return false; // opcode QUERY
  if (be16(b, off + 4) !== 1) return false; // QDCOUNT
  let p = off + 12;
  const first = b[p];
  if (first === 0 || first > 63) return false;
  p += 1 + first;
  for (const label of PROVIDER) {
    if (p >= end || b[p] !== label.length) return false;
    if (!startsWithNoCase(b, p + 1, end, label)) return false;
    p += 1 + label.length;
  }
  if (p + 5 > end || b[p] !== 0) return false;
  return be16(b, p + 1) === QTYPE_TXT && be16(b, p + 3) === QCLASS_IN;
}

export const dissector: Dissector = {
  id: P.AVASTSecureDNS,
  on: On.Udp,
  budget: 2,
  // Opcode QUERY, QDCOUNT 1, a first label of 1-63 bytes.
  udpFirstPacket: { minLen: 39, bytes: [[2, [[0, 7], [0x80, 0x87]]], [4, [0]], [5, [1]], [12, [[1, 63]]]], short: [] },
  fields: [],
  doc: 'AVAST SecureDNS: the DNSCrypt certificate query (DNS TXT <n>.securedns.avast.com, any letter case) that opens a session with Avast\'s resolver.',
  dissect(ctx: DissectContext): Verdict {
    return isCertQuery(ctx.buf, ctx.off, ctx.off + ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
