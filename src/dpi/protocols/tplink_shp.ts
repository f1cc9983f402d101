/**
 * TP-Link Smart Home Protocol (Kasa plugs and bulbs, port 9999): JSON
 * commands such as {"system":{"get_sysinfo":{}}} obfuscated with TP-Link's
 * autokey XOR cipher (initial key 171; each plaintext byte is XORed with the
 * previous ciphertext byte), as published by softScheck's reverse engineering
 * of the protocol. UDP datagrams carry one message; on TCP each message is
 * preceded by its 32-bit big-endian length. Recognised by decrypting the
 * message: it must be a JSON object (starts '{"' or '{}') made of printable
 * text whose braces and brackets balance, closing at the last byte.
 * Ignores: the JSON content.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

const KEY = 171;
const MAX_CHECK = 4096;

/** True when buf[p, end) decrypts to a printable JSON object whose braces balance. */
function isObfuscatedJson(b: Buffer, p: number, end: number): boolean {
  const n = end - p;
  if (n < 2 || n > MAX_CHECK) return false;
  let k = KEY;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < n; i++) {
    const c = b[p + i] ^ k;
    k = b[p + i];
    if (i === 0 && c !== 0x7b) return false;
    if (i === 1 && c !== 0x22 && c !== 0x7d) return false;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c > 0x7e) return false;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if (c === 0x7d || c === 0x5d) {
      if (--depth < 0) return false;
      if (depth === 0 && i !== n - 1) return false;
    }
  }
  return depth === 0 && !inString;
}

export const dissector: Dissector = {
  id: P.TPLINK_SHP,
  on: On.TcpUdp,
  tcpPorts: [9999],
  udpPorts: [9999],
  budget: 2,
  tcpFirstBytes: [0x00], // 32-bit length of a message of at most 4096 bytes
  udpFirstBytes: [0xd0], // '{' XOR 171
  tcpFirstPacket: { short: [0x00] }, // a length-prefixed "{}" is 6 bytes
  udpFirstPacket: { short: [0xd0] }, // "{}" is 2 bytes
  fields: [],
  doc: 'TP-Link Smart Home Protocol: autokey-XOR (key 171) obfuscated JSON objects, length-prefixed on TCP.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const end = o + ctx.len;
    if (ctx.l4 === 6) {
      if (ctx.len < 6 || be32(b, o) !== ctx.len - 4) return Verdict.Exclude;
      return isObfuscatedJson(b, o + 4, end) ? Verdict.Done : Verdict.Exclude;
    }
    return isObfuscatedJson(b, o, end) ? Verdict.Done : Verdict.Exclude;
  },
};
