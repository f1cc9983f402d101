/**
 * Cisco Skinny Client Control Protocol (SCCP, TCP 2000; Wireshark
 * packet-skinny.c): every message is a 12-byte header, data length
 * (uint32 little-endian, counting the message id and data), header version
 * (uint32 LE: 0 basic, 0x11 CM7 type A, 0x12 CM7 type B, 0x14 CM7 type C,
 * 0x15, 0x16) and message id (uint32 LE: 0x0000-0x01ff, 0x8000-0x81ff), then
 * the data. Recognised when a segment is made of such messages back to back
 * (the first one complete; the last one may continue in the next segment).
 * Ignores: message contents.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { le32 } from '../bytes';

const MAX_DATA = 8192;

function validVersion(v: number): boolean {
  return v === 0 || v === 0x11 || v === 0x12 || v === 0x14 || v === 0x15 || v === 0x16;
}

function validId(id: number): boolean {
  return id <= 0x01ff || (id >= 0x8000 && id <= 0x81ff);
}

function isSkinny(b: Buffer, o: number, n: number): boolean {
  const end = o + n;
  let p = o;
  let messages = 0;
  while (p + 12 <= end) {
    const len = le32(b, p);
    if (len < 4 || len > MAX_DATA || !validVersion(le32(b, p + 4)) || !validId(le32(b, p + 8))) return false;
    messages++;
    p += 8 + len;
    if (messages === 1 && p > end) return false;
  }
  return messages > 0 && p >= end;
}

export const dissector: Dissector = {
  id: P.CiscoSkinny,
  on: On.Tcp,
  tcpPorts: [2000],
  budget: 2,
  // The first message's header: little-endian length 4..MAX_DATA, header version, message id.
  tcpFirstPacket: {
    bytes: [[1, [[0, 0x20]]], [2, [0]], [3, [0]], [4, [0x00, 0x11, 0x12, 0x14, 0x15, 0x16]], [5, [0]], [6, [0]], [7, [0]], [9, [0x00, 0x01, 0x80, 0x81]],
      [10, [0]], [11, [0]]],
    short: [[0x04, 0x07]], // one 12-15 byte message: length 4..7
  },
  fields: [],
  doc: 'Cisco SCCP (Skinny): segments made of length/header-version/message-id framed messages.',
  dissect(ctx: DissectContext): Verdict {
    return isSkinny(ctx.buf, ctx.off, ctx.len) ? Verdict.Done : Verdict.Exclude;
  },
};
