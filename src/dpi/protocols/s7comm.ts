/**
 * Siemens S7 communication over ISO-on-TCP (RFC 1006 TPKT, ISO 8073 COTP):
 * after the COTP connection request/confirm (which this dissector lets
 * pass), the first COTP Data TPDU (LI 2, code 0xF0, EOT) carries either an
 * S7comm PDU (protocol id 0x32, ROSCTR 1 job / 2 ack / 3 ack-data / 7
 * userdata, redundancy id 0, header 10 or 12 bytes, parameter and data
 * lengths adding up to the TPKT length) or an S7comm-plus PDU (protocol id
 * 0x72, version 1/2/3/0xFE, data length inside the segment), labelled
 * S7CommPlus.
 * Ignores: parameters and data (function codes, variables), other COTP
 * users on port 102 (MMS is its own dissector).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

/** 1 S7comm PDU, 2 S7comm-plus PDU, 0 other TPKT/COTP (keep waiting), -1 not ISO-on-TCP. */
function classify(b: Buffer, o: number, n: number): number {
  if (n < 7 || b[o] !== 3 || b[o + 1] !== 0 || be16(b, o + 2) !== n) return -1;
  const li = b[o + 4];
  const code = b[o + 5] & 0xf0;
  if (code === 0xe0 || code === 0xd0) return li === n - 5 ? 0 : -1;
  if (code !== 0xf0 || li !== 2) return -1;
  const p = o + 7;
  if (p + 4 > o + n) return -1;
  if (b[p] === 0x32) {
    const rosctr = b[p + 1];
    const hdr = rosctr === 2 || rosctr === 3 ? 12 : rosctr === 1 || rosctr === 7 ? 10 : -1;
    if (hdr < 0 || p + hdr > o + n || be16(b, p + 2) !== 0) return -1;
    return p + hdr + be16(b, p + 6) + be16(b, p + 8) === o + n ? 1 : -1;
  }
  if (b[p] === 0x72) {
    const v = b[p + 1];
    return (v === 1 || v === 2 || v === 3 || v === 0xfe) && p + 4 + be16(b, p + 2) <= o + n ? 2 : -1;
  }
  return -1;
}

export const dissector: Dissector = {
  id: P.S7Comm,
  alsoDetects: [P.S7CommPlus],
  on: On.Tcp,
  budget: 6,
  tcpFirstBytes: [0x03], // TPKT version 3
  tcpFirstPacket: { short: [0x03] }, // COTP connection request/confirm waits from 7 bytes
  fields: [],
  doc: 'S7comm (protocol id 0x32, consistent header lengths) or S7CommPlus (0x72) in the first COTP DT TPDU of an ISO-on-TCP connection.',
  dissect(ctx: DissectContext): Verdict {
    const r = classify(ctx.buf, ctx.off, ctx.len);
    if (r === 2) ctx.detect(P.S7CommPlus);
    return r > 0 ? Verdict.Done : r === 0 ? Verdict.Continue : Verdict.Exclude;
  },
};
