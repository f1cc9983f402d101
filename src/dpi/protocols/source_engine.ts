/**
 * Source Engine server queries (Valve's A2S protocol, Valve Developer Wiki
 * "Server queries"): connectionless datagrams that start with the 32-bit
 * header 0xFFFFFFFF followed by a message type byte. Recognised:
 *   'T' A2S_INFO request: "Source Engine Query\0" (+ optional 4-byte challenge);
 *   'U' A2S_PLAYER / 'V' A2S_RULES requests: a 4-byte challenge;
 *   'A' S2C_CHALLENGE: a 4-byte challenge;
 *   'I' A2S_INFO response: protocol byte then name, map, folder and game
 *       as NUL-terminated strings;
 *   'D' A2S_PLAYER response: player count then (index, name\0, ...) entries;
 *   'E' A2S_RULES response: 16-bit rule count then name\0 value\0 pairs.
 * Ignores: split responses (0xFFFFFFFE) and the game's own netchannel traffic.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, be32, indexOfByte, startsWith } from '../bytes';

const QUERY = ascii('Source Engine Query\0');

/** Offset after `count` NUL-terminated strings starting at p, or -1. */
function skipStrings(b: Buffer, p: number, end: number, count: number): number {
  for (let i = 0; i < count; i++) {
    const z = indexOfByte(b, p, end, 0);
    if (z < 0) return -1;
    p = z + 1;
  }
  return p;
}

function isA2s(b: Buffer, o: number, n: number): boolean {
  if (n < 9 || be32(b, o) !== 0xffffffff) return false;
  const end = o + n;
  switch (b[o + 4]) {
    case 0x54: // 'T'
      return (n === 5 + QUERY.length || n === 9 + QUERY.length) && startsWith(b, o + 5, end, QUERY);
    case 0x55: // 'U'
    case 0x56: // 'V'
    case 0x41: // 'A'
      return n === 9;
    case 0x49: { // 'I'
      const after = skipStrings(b, o + 6, end, 4);
      return after > 0 && after + 2 <= end;
    }
    case 0x44: // 'D'
      return b[o + 5] === 0 ? n === 6 : skipStrings(b, o + 7, end, 1) > 0;
    case 0x45: // 'E'
      return b[o + 5] === 0 && b[o + 6] === 0 ? n === 7 : skipStrings(b, o + 7, end, 2) > 0;
    default:
      return false;
  }
}

export const dissector: Dissector = {
  id: P.Source_Engine,
  on: On.Udp,
  udpPorts: [27015],
  budget: 2,
  udpFirstBytes: [0xff], // 0xFFFFFFFF connectionless header
  udpFirstPacket: { short: [0xff] }, // the 9-byte challenge requests and replies
  fields: [],
  doc: 'Source Engine A2S server queries: 0xFFFFFFFF header with A2S_INFO/PLAYER/RULES requests, challenges and responses (Valve "Server queries").',
  dissect(ctx: DissectContext): Verdict {
    return isA2s(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
