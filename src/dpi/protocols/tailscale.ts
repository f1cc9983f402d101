/**
 * Tailscale DISCO messages over UDP (tailscale/disco/disco.go): the magic
 * "TS" followed by the UTF-8 speech balloon U+1F4AC (54 53 F0 9F 92 AC), the
 * sender's 32-byte disco public key, a 24-byte NaCl box nonce and the sealed
 * message (at least the 16-byte authenticator).
 * Ignores: WireGuard packets between Tailscale nodes (the WireGuard
 * dissector's), DERP relays over HTTPS.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

export const dissector: Dissector = {
  id: P.Tailscale,
  on: On.Udp,
  udpPorts: [41641],
  budget: 1,
  udpFirstBytes: [0x54], // 'T'S magic
  udpFirstPacket: { short: [] }, // 78 bytes and more
  fields: [],
  doc: 'Tailscale DISCO messages: "TS\\u{1F4AC}" magic, sender key, nonce, sealed box.',
  dissect(ctx: DissectContext): Verdict {
    const b = ctx.buf;
    const o = ctx.off;
    if (ctx.len >= 6 + 32 + 24 + 16 && b[o] === 0x54 && b[o + 1] === 0x53 && b[o + 2] === 0xf0 && b[o + 3] === 0x9f && b[o + 4] === 0x92 && b[o + 5] === 0xac) {
      ctx.detect(P.Tailscale);
      return Verdict.Done;
    }
    return Verdict.Exclude;
  },
};
