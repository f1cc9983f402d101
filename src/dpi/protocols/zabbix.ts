/**
 * Zabbix agent/server/proxy protocol (Zabbix manual, "Zabbix protocols" /
 * "Header and data length"): every message starts with "ZBXD", a flags byte
 * (0x01 Zabbix protocol, required; 0x02 compression; 0x04 large packet),
 * then the data length and the reserved/uncompressed length, each 4 bytes
 * little-endian (8 bytes each with the large-packet flag). Without
 * compression the reserved field is 0; the header plus data length must not
 * be shorter than the segment.
 * Ignores: the JSON/compressed payload.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, le32, startsWith } from '../bytes';

const ZBXD = ascii('ZBXD');

export const dissector: Dissector = {
  id: P.Zabbix,
  on: On.Tcp,
  tcpPorts: [10050, 10051],
  budget: 2,
  tcpFirstBytes: [0x5a], // 'Z'BXD
  tcpFirstPacket: { short: [0x5a] }, // the 13-byte header
  fields: [],
  doc: 'Zabbix protocol header: "ZBXD", flags (0x01 set, only 0x01/0x02/0x04), data and reserved lengths consistent with the segment.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (!startsWith(b, o, o + n, ZBXD) || n < 13) return Verdict.Exclude;
    const flags = b[o + 4];
    if ((flags & 0x01) === 0 || (flags & 0xf8) !== 0) return Verdict.Exclude;
    const large = (flags & 0x04) !== 0;
    const hdr = large ? 21 : 13;
    if (n < hdr) return Verdict.Exclude;
    const dlen = le32(b, o + 5);
    if (large ? le32(b, o + 9) !== 0 : false) return Verdict.Exclude;
    const reserved = le32(b, o + (large ? 13 : 9));
    if ((flags & 0x02) === 0 && reserved !== 0) return Verdict.Exclude;
    if (!large && hdr + dlen < n) return Verdict.Exclude;
    return Verdict.Done;
  },
};
