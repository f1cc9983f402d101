/**
 * ISO 9506 MMS (Manufacturing Message Specification, IEC 61850 station bus)
 * over ISO-on-TCP: TPKT (RFC 1006) and a COTP Data TPDU (ISO 8073, LI 2,
 * 0xF0) carrying an ISO 8327 session CONNECT/ACCEPT SPDU (0x0D/0x0E) whose
 * presentation/ACSE user data names the MMS abstract syntax (OID
 * 1.0.9506.2.1 or 1.0.9506.2.3, encoded 06 05 28 CA 22 02 01/03), or, once
 * associated, a session GIVE-TOKENS + DATA-TRANSFER (01 00 01 00) followed
 * by presentation user data (0x61) holding an MMS confirmed request or
 * response (context tag 0xA0/0xA1) or unconfirmed PDU (0xA3).
 * COTP connection request/confirm segments are let through.
 * Ignores: the MMS services and objects, S7comm on the same port.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const MMS_OID = Uint8Array.from([0x06, 0x05, 0x28, 0xca, 0x22, 0x02]);

function hasMmsOid(b: Buffer, p: number, end: number): boolean {
  for (let i = p; i + 7 <= end; i++) {
    if (b[i] !== 0x06) continue;
    let k = 1;
    while (k < 6 && b[i + k] === MMS_OID[k]) k++;
    if (k === 6 && (b[i + 6] === 1 || b[i + 6] === 3)) return true;
  }
  return false;
}

/** Skips a BER length at p; returns the offset after it or -1. */
function berLen(b: Buffer, p: number, end: number): number {
  if (p >= end) return -1;
  const c = b[p];
  if (c < 0x80) return p + 1;
  const k = c & 0x7f;
  return k >= 1 && k <= 2 && p + 1 + k <= end ? p + 1 + k : -1;
}

/** 1 MMS, 0 COTP CR/CC (wait), -1 not MMS. */
function classify(b: Buffer, o: number, n: number): number {
  if (n < 7 || b[o] !== 3 || b[o + 1] !== 0 || be16(b, o + 2) !== n) return -1;
  const li = b[o + 4];
  const code = b[o + 5] & 0xf0;
  if (code === 0xe0 || code === 0xd0) return li === n - 5 ? 0 : -1;
  if (code !== 0xf0 || li !== 2) return -1;
  const p = o + 7;
  const end = o + n;
  if (p + 4 > end) return -1;
  const spdu = b[p];
  if (spdu === 0x0d || spdu === 0x0e) return hasMmsOid(b, p, end) ? 1 : -1;
  if (spdu === 0x01 && b[p + 1] === 0 && b[p + 2] === 0x01 && b[p + 3] === 0 && p + 5 < end && b[p + 4] === 0x61) {
    // Presentation fully-encoded-data: 0x61 len 0x30 len 0x02 0x01 <context id> 0xA0 len <MMS PDU>.
    let q = berLen(b, p + 5, end);
    if (q < 0 || q >= end || b[q] !== 0x30) return -1;
    q = berLen(b, q + 1, end);
    if (q < 0 || q + 3 > end || b[q] !== 0x02 || b[q + 1] !== 0x01) return -1;
    q += 3;
    if (q >= end || b[q] !== 0xa0) return -1;
    q = berLen(b, q + 1, end);
    if (q < 0 || q >= end) return -1;
    const t = b[q];
    return t === 0xa0 || t === 0xa1 || t === 0xa3 ? 1 : -1;
  }
  return -1;
}

export const dissector: Dissector = {
  id: P.ISO9506_1_MMS,
  on: On.Tcp,
  budget: 8,
  tcpFirstBytes: [0x03], // TPKT version 3
  tcpFirstPacket: { short: [0x03] }, // a COTP CR/CC in TPKT waits
  fields: [],
  doc: 'ISO 9506 MMS over ISO-on-TCP: session CONNECT/ACCEPT naming the MMS abstract syntax, or session data with an MMS confirmed/unconfirmed PDU.',
  dissect(ctx: DissectContext): Verdict {
    const r = classify(ctx.buf, ctx.off, ctx.len);
    return r > 0 ? Verdict.Done : r === 0 ? Verdict.Continue : Verdict.Exclude;
  },
};
