/**
 * PTPv2, the Precision Time Protocol (IEEE 1588-2008/2019, 13.3 "Header")
 * over UDP (ports 319 event / 320 general): the 34-byte common header with
 * messageType (0 Sync, 1 Delay_Req, 2 Pdelay_Req, 3 Pdelay_Resp, 8
 * Follow_Up, 9 Delay_Resp, 0xA Pdelay_Resp_Follow_Up, 0xB Announce, 0xC
 * Signaling, 0xD Management), versionPTP 2 (minor version in the upper
 * nibble), messageLength equal to the datagram (suffix TLVs included) and
 * at least the body size of the message type, reserved flag bits clear and
 * the (v1-compatibility) controlField matching the message type.
 * Ignores: message bodies, PTP over Ethernet (not IP), PTPv1.
 */
import { P } from '../generated/protocols';
import { byteValues, DissectContext, Dissector, FirstBytes, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

/** Minimum messageLength per message type (header + body), 0 for invalid types. */
const MIN_LEN = [44, 44, 54, 54, 0, 0, 0, 0, 44, 54, 54, 64, 44, 48, 0, 0];
/** controlField per message type (0 Sync, 1 Delay_Req, 2 Follow_Up, 3 Delay_Resp, 4 Management, 5 others). */
const CONTROL = [0, 1, 5, 5, 0, 0, 0, 0, 2, 3, 5, 5, 5, 4, 0, 0];
/** First byte: transportSpecific (any) in the upper nibble, a messageType with a MIN_LEN in the lower one (0-3, 8-0xD). */
const FIRST_BYTES: FirstBytes = Array.from({ length: 16 }, (_, h) => h << 4).flatMap((h): [number, number][] => [[h, h + 3], [h + 8, h + 13]]);

export const dissector: Dissector = {
  id: P.PTPv2,
  on: On.Udp,
  udpPorts: [319, 320],
  budget: 2,
  udpFirstBytes: FIRST_BYTES,
  // versionPTP 2; flags' reserved bits clear.
  udpFirstPacket: { minLen: 34, short: [], bytes: [[1, byteValues((b) => (b & 0x0f) === 2)], [6, byteValues((b) => (b & 0x18) === 0)], [7, [[0, 0x7f]]]] },
  fields: [],
  doc: 'IEEE 1588 PTPv2 header over UDP: valid messageType, versionPTP 2, messageLength equal to the datagram.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    const n = ctx.len;
    if (n < 34 || (b[o + 1] & 0x0f) !== 2) return Verdict.Exclude;
    const min = MIN_LEN[b[o] & 0x0f];
    const len = be16(b, o + 2);
    if (min === 0 || len < min || len !== n) return Verdict.Exclude;
    // Reserved flag bits clear; controlField consistent with messageType (kept for PTPv1 compatibility).
    if ((b[o + 6] & 0x18) !== 0 || (b[o + 7] & 0x80) !== 0 || b[o + 32] !== CONTROL[b[o] & 0x0f]) return Verdict.Exclude;
    return Verdict.Done;
  },
};
