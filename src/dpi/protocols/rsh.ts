/**
 * BSD rsh (the rshd(8) protocol, as in RFC 1282's family) on any TCP port:
 * the client sends the ASCII port for the stderr stream (possibly empty)
 * ended by NUL, then "local-user NUL remote-user NUL command NUL"; the server
 * answers with a NUL byte (accepted) or 0x01 and an error line.
 * Metadata: username (remote user), info (the command), with Clear-Text
 * Credentials and Unsafe Protocol.
 * Ignores: the command's output and the stderr connection.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { indexOfByte } from '../bytes';

/** End (offset of the NUL) of a printable string starting at p, -1 when invalid, -2 when incomplete. */
function cstring(buf: Buffer, p: number, end: number, max: number): number {
  for (let i = p; i < end && i - p <= max; i++) {
    const c = buf[i];
    if (c === 0) return i;
    if (c < 0x20 || c > 0x7e) return -1;
  }
  return end - p > max ? -1 : -2;
}

export const dissector: Dissector = {
  id: P.RSH,
  on: On.Tcp,
  tcpPorts: [514],
  budget: 4,
  tcpFirstBytes: [0x00, [0x30, 0x39]], // stderr port digits or its empty NUL
  tcpFirstPacket: { short: [0x00, [0x30, 0x39]] }, // the strings cut short wait (Continue)
  stream: true,
  fields: ['username', 'info'],
  doc: 'rsh (rshd): stderr port, local user, remote user and command as NUL-ended strings on any port; user and command.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const p = ctx.off;
    const end = p + ctx.len;
    if (ctx.state !== undefined) return Verdict.Done;
    // Stderr port: up to five digits then NUL.
    let i = p;
    while (i < end && i - p < 5 && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
    if (i >= end) return i - p < 5 ? Verdict.Continue : Verdict.Exclude;
    if (buf[i] !== 0) return Verdict.Exclude;
    if (i - p > 0 && Number(buf.toString('latin1', p, i)) > 65535) return Verdict.Exclude;
    const a = i + 1;
    const ae = cstring(buf, a, end, 64);
    if (ae === -2) return ctx.len < 2048 ? Verdict.Continue : Verdict.Exclude;
    if (ae <= a) return Verdict.Exclude;
    const be = cstring(buf, ae + 1, end, 64);
    if (be === -2) return Verdict.Continue;
    if (be <= ae + 1) return Verdict.Exclude;
    const ce = indexOfByte(buf, be + 1, Math.min(end, be + 1 + 4096), 0);
    if (ce < 0) return end - be > 4096 ? Verdict.Exclude : Verdict.Continue;
    if (ce === be + 1) return Verdict.Exclude;
    ctx.state = true;
    ctx.detect(P.RSH);
    const user = buf.toString('utf8', ae + 1, be);
    const cmd = buf.toString('utf8', be + 1, ce);
    ctx.set('username', user);
    ctx.set('info', cmd);
    ctx.risk(Risk.Unsafe_Protocol);
    ctx.risk(Risk.Clear_Text_Credentials, `User '${user}' executing '${cmd}'`);
    return Verdict.Detected;
  },
};
