/**
 * JSON-RPC 2.0 (jsonrpc.org specification) directly over TCP, weak: the
 * first segment of a direction is a JSON object or batch array (after
 * optional white space) whose member "jsonrpc" is "2.0". Tried after the
 * other dissectors so protocols that carry JSON-RPC themselves keep their
 * label. JSON-RPC over HTTP is labelled by the HTTP dissector.
 * Ignores: methods and parameters.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOf } from '../bytes';

const KEY = ascii('"jsonrpc"');

export const dissector: Dissector = {
  id: P.JSON_RPC,
  on: On.Tcp,
  budget: 2,
  tcpFirstBytes: [0x09, 0x0a, 0x0d, 0x20, 0x5b, 0x7b], // white space, '[' batch, '{' object
  tcpFirstPacket: { short: [] }, // at least 30 bytes
  weak: true,
  fields: [],
  doc: 'JSON-RPC 2.0 over TCP (weak): a JSON object or batch whose "jsonrpc" member is "2.0".',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    let p = ctx.off;
    const end = p + ctx.len;
    while (p < end && p - ctx.off < 16 && (buf[p] === 0x20 || buf[p] === 0x0a || buf[p] === 0x0d || buf[p] === 0x09)) p++;
    if (p >= end || (buf[p] !== 0x7b && buf[p] !== 0x5b)) return Verdict.Exclude;
    if (ctx.len < 30) return Verdict.Exclude;
    const k = indexOf(buf, p, Math.min(end, p + 4096), KEY);
    if (k < 0) return Verdict.Exclude;
    const rest = buf.toString('latin1', k + KEY.length, Math.min(end, k + KEY.length + 16));
    return /^\s*:\s*"2\.0"/.test(rest) ? Verdict.Done : Verdict.Exclude;
  },
};
