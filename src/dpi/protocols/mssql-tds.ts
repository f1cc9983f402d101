/**
 * Microsoft SQL Server TDS ([MS-TDS] 2.2.3.1 packet header): type (1 SQL
 * batch, 2 pre-TDS7 login, 3 RPC, 4 tabular result, 6 attention, 7 bulk
 * load, 8 federated auth token, 14 transaction manager, 16 TDS7 login, 17
 * SSPI, 18 PRELOGIN), status (only the defined bits 0x01 EOM, 0x02 ignore,
 * 0x08 reset connection, 0x10 reset connection skip tran), length (big-endian,
 * header included), SPID, packet id, window (always 0). A packet is TDS when
 * its header length equals the segment length and it ends its message
 * (EOM set: a TDS packet that fits in one segment is a message's last); a PRELOGIN must also carry a
 * well-formed option list (option tokens with offsets inside the message,
 * ended by 0xff).
 * Ignores: the message contents, TLS inside PRELOGIN, TDS messages that span
 * several segments.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

/** Bit per valid packet type (0..18). */
const TYPES = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 14) | (1 << 16) | (1 << 17) | (1 << 18);

function preloginOk(b: Buffer, o: number, n: number): boolean {
  // Option tokens: type (1), offset (2), length (2), relative to the message data; terminator 0xff.
  const data = o + 8;
  const len = n - 8;
  let i = data;
  while (i < o + n) {
    const t = b[i];
    if (t === 0xff) return i > data;
    if (t > 8 || i + 5 > o + n) return false;
    const off = be16(b, i + 1);
    const l = be16(b, i + 3);
    if (off + l > len) return false;
    i += 5;
  }
  return false;
}

export const dissector: Dissector = {
  id: P.MsSQL_TDS,
  on: On.Tcp,
  tcpPorts: [1433, 1434],
  budget: 2,
  tcpFirstBytes: [[0x01, 0x04], [0x06, 0x08], 0x0e, [0x10, 0x12]], // TDS packet types
  tcpFirstPacket: { short: [[0x01, 0x04], [0x06, 0x08], 0x0e, [0x10, 0x12]] }, // 8-15 byte packets
  fields: [],
  doc: 'MS-TDS packet header (known type, defined status bits, length equal to the segment, window 0); PRELOGIN option list checked.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 8) return Verdict.Exclude;
    const type = b[o];
    if (type > 18 || ((TYPES >>> type) & 1) === 0) return Verdict.Exclude;
    if ((b[o + 1] & 0xe1) !== 0x01 || b[o + 7] !== 0 || be16(b, o + 2) !== n) return Verdict.Exclude;
    if (type === 18 && !preloginOk(b, o, n)) return Verdict.Exclude;
    return Verdict.Done;
  },
};
