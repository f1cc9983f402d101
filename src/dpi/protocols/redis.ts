/**
 * Redis serialization protocol (RESP2/RESP3, redis.io "Redis serialization
 * protocol specification") on any TCP port: a client command is an array of
 * bulk strings, "*<n>\r\n$<len>\r\n<COMMAND>\r\n...", whose first element is
 * a command name (letters, 2 to 24 characters). The server's first reply
 * starts with one of the RESP type bytes (+ - : $ * _ , # ! = ( % ~ > |).
 * Labelled RESP (nDPI's id 182).
 * Ignores: inline commands (indistinguishable from other text protocols),
 * keys and values.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';

/** Digits at p ending with CRLF: returns [value, offset after CRLF], or undefined. */
function number(buf: Buffer, p: number, end: number): [number, number] | undefined {
  let v = 0;
  let i = p;
  while (i < end && i - p < 10 && buf[i] >= 0x30 && buf[i] <= 0x39) v = v * 10 + (buf[i++] - 48);
  if (i === p || i + 1 >= end || buf[i] !== 13 || buf[i + 1] !== 10) return undefined;
  return [v, i + 2];
}

/** 1: a RESP command array; 0: not one; -1: incomplete. */
function command(buf: Buffer, p: number, end: number): number {
  if (buf[p] !== 0x2a) return 0;
  const n = number(buf, p + 1, end);
  if (n === undefined) return end - p < 16 ? -1 : 0;
  if (n[0] < 1 || n[0] > 1024 * 1024) return 0;
  let q = n[1];
  if (q >= end) return -1;
  if (buf[q] !== 0x24) return 0;
  const l = number(buf, q + 1, end);
  if (l === undefined) return end - q < 16 ? -1 : 0;
  if (l[0] < 2 || l[0] > 24) return 0;
  q = l[1];
  if (q + l[0] + 2 > end) return -1;
  for (let i = q; i < q + l[0]; i++) {
    const c = buf[i] | 0x20;
    if ((c < 0x61 || c > 0x7a) && buf[i] !== 0x5f && buf[i] !== 0x2d && buf[i] !== 0x2e) return 0;
  }
  return buf[q + l[0]] === 13 && buf[q + l[0] + 1] === 10 ? 1 : 0;
}

const REPLY_TYPES = new Set([0x2b, 0x2d, 0x3a, 0x24, 0x2a, 0x5f, 0x2c, 0x23, 0x21, 0x3d, 0x28, 0x25, 0x7e, 0x3e, 0x7c]);

export const dissector: Dissector = {
  id: P.Redis,
  on: On.Tcp,
  tcpPorts: [6379],
  budget: 4,
  tcpFirstBytes: [0x21, [0x23, 0x25], 0x28, [0x2a, 0x2d], 0x3a, 0x3d, 0x3e, 0x5f, 0x7c, 0x7e], // RESP type bytes ('*' command array)
  tcpFirstPacket: { short: [0x21, [0x23, 0x25], 0x28, [0x2a, 0x2d], 0x3a, 0x3d, 0x3e, 0x5f, 0x7c, 0x7e] }, // short replies and commands
  stream: true,
  fields: [],
  doc: 'Redis RESP: a client command sent as an array of bulk strings (and a RESP-typed reply) on any port.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const end = ctx.off + ctx.len;
    const c = buf[ctx.off];
    if (ctx.state === undefined) {
      if (c !== 0x2a) return REPLY_TYPES.has(c) && ctx.flowIndex === 0 ? Verdict.Continue : Verdict.Exclude;
      const k = command(buf, ctx.off, end);
      if (k < 0) return Verdict.Continue;
      if (k === 0) return Verdict.Exclude;
      ctx.state = true;
      ctx.detect(P.Redis);
      return Verdict.Detected;
    }
    return Verdict.Done;
  },
};
