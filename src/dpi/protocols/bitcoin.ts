/**
 * Bitcoin peer-to-peer protocol (Bitcoin developer reference, "P2P Network:
 * Message Headers"): every message starts with the network magic (main
 * 0xF9BEB4D9, testnet3 0x0B110907, testnet4 0x1C163F28, signet 0x0A03CF40,
 * regtest 0xFABFB5DA), a 12-byte command name (ASCII letters/digits,
 * NUL-padded), the little-endian payload length and a 4-byte checksum. The
 * first message of either side must be such a header with a payload length
 * below the 32 MiB protocol limit.
 * Ignores: payloads, checksums (not verified).
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32, le32 } from '../bytes';

const MAX_PAYLOAD = 32 * 1024 * 1024;

function magic(v: number): boolean {
  return v === 0xf9beb4d9 || v === 0x0b110907 || v === 0x1c163f28 || v === 0x0a03cf40 || v === 0xfabfb5da;
}

function command(buf: Buffer, p: number): boolean {
  let i = 0;
  for (; i < 12; i++) {
    const c = buf[p + i];
    if (c === 0) break;
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return false;
  }
  if (i === 0) return false;
  for (; i < 12; i++) if (buf[p + i] !== 0) return false;
  return true;
}

export const dissector: Dissector = {
  id: P.BITCOIN,
  on: On.Tcp,
  tcpPorts: [8333],
  budget: 2,
  tcpFirstBytes: [0x0a, 0x0b, 0x1c, 0xf9, 0xfa], // network magics
  tcpFirstPacket: { short: [] }, // the header alone is 24 bytes
  fields: [],
  doc: 'Bitcoin P2P message header (network magic, NUL-padded command, payload length, checksum).',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    if (ctx.dirIndex !== 0 || ctx.len < 24) return Verdict.Exclude;
    if (!magic(be32(buf, off)) || !command(buf, off + 4) || le32(buf, off + 16) > MAX_PAYLOAD) return Verdict.Exclude;
    ctx.detect(P.BITCOIN);
    return Verdict.Done;
  },
};
