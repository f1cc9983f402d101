/**
 * NAT-PMP (RFC 6886): version 0 messages on UDP port 5351, the port RFC 6886
 * 3.1 assigns to the gateway (clients send to it, answers come from it), so
 * one end of the flow must use 5351. Requests: opcode 0 (external address,
 * 2 bytes) or 1/2 (map UDP/TCP, 12 bytes, reserved field zero). Responses:
 * opcode 128 + request opcode, a result code 0..5, then 12 or 16 bytes in all.
 * Ignores: PCP (RFC 6887, version 2) on the same port; mapping details.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16 } from '../bytes';

const PORT = 5351;

function valid(buf: Buffer, off: number, len: number): boolean {
  if (len < 2 || buf[off] !== 0) return false;
  const op = buf[off + 1];
  if (op === 0) return len === 2;
  if (op === 1 || op === 2) return len === 12 && be16(buf, off + 2) === 0;
  if (op === 128) return len === 12 && be16(buf, off + 2) <= 5;
  if (op === 129 || op === 130) return len === 16 && be16(buf, off + 2) <= 5;
  return false;
}

export const dissector: Dissector = {
  id: P.NAT_PMP,
  on: On.Udp,
  udpPorts: [PORT],
  budget: 1,
  udpFirstBytes: [0x00], // version 0
  udpFirstPacket: { short: [0x00] }, // 2- and 12-byte requests, 12-byte responses
  fields: [],
  doc: 'NAT-PMP (RFC 6886) requests and responses on UDP port 5351.',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.serverPort !== PORT && ctx.clientPort !== PORT) return Verdict.Exclude;
    if (!valid(ctx.buf, ctx.off, ctx.len)) return Verdict.Exclude;
    ctx.detect(P.NAT_PMP);
    return Verdict.Done;
  },
};
