/**
 * Syncthing (docs.syncthing.net, "Local Discovery Protocol v4" and "Relay
 * Protocol v1"):
 *  - local discovery announcements over UDP (port 21027, broadcast and
 *    multicast): the magic 0x2EA7D90B followed by a protobuf Announce whose
 *    first field is the 32-byte device id (tag 0x0A, length 0x20);
 *  - relay protocol over TCP: messages with the magic 0x9E79BC40, a message
 *    type (0-7) and a length that fits the segment.
 * Block exchange runs over TLS and is left to the TLS dissector.
 * Ignores: the announced addresses and instance ids.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

const DISCOVERY_MAGIC = 0x2ea7d90b;
const RELAY_MAGIC = 0x9e79bc40;

export const dissector: Dissector = {
  id: P.Syncthing,
  on: On.TcpUdp,
  budget: 2,
  tcpFirstBytes: [0x9e], // relay magic 0x9E79BC40
  udpFirstBytes: [0x2e], // discovery magic 0x2EA7D90B
  tcpFirstPacket: { short: [0x9e] }, // a 12-15 byte relay message
  udpFirstPacket: { short: [] }, // an announcement is 38 bytes at least
  fields: [],
  doc: 'Syncthing local discovery announcements (magic 0x2EA7D90B, device id) and relay protocol messages (magic 0x9E79BC40).',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const len = ctx.len;
    if (ctx.l4 === 17) {
      if (len >= 38 && be32(buf, off) === DISCOVERY_MAGIC && buf[off + 4] === 0x0a && buf[off + 5] === 0x20) {
        ctx.detect(P.Syncthing);
        return Verdict.Done;
      }
      return Verdict.Exclude;
    }
    if (ctx.dirIndex === 0 && len >= 12 && be32(buf, off) === RELAY_MAGIC && be32(buf, off + 4) <= 7 && be32(buf, off + 8) <= len - 12) {
      ctx.detect(P.Syncthing);
      return Verdict.Done;
    }
    return Verdict.Exclude;
  },
};
