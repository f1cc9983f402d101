/**
 * STOMP 1.0-1.2 (STOMP Protocol Specification 1.2) on any TCP port: a frame
 * whose command line is CONNECT or STOMP (client), CONNECTED or ERROR
 * (server), or SEND/SUBSCRIBE/MESSAGE, followed by "name:value" header lines
 * (LF or CRLF), as the first bytes of a direction. CONNECT/STOMP/CONNECTED
 * need one header; the others need their mandatory destination header.
 * Metadata: username from the CONNECT "login" header, with Clear-Text
 * Credentials when a passcode is sent.
 * Ignores: frame bodies, heart-beats.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { indexOfByte } from '../bytes';
import { Words } from './smtp';

const CONNECTS = new Set(['CONNECT', 'STOMP', 'CONNECTED']);
const COMMANDS = new Words(['CONNECT', 'STOMP', 'CONNECTED', 'SEND', 'SUBSCRIBE', 'MESSAGE', 'ERROR']);

/** Frame command and header lines at buf[p, end), or undefined when they are not complete/valid. */
function frame(buf: Buffer, p: number, end: number): { cmd: string; headers: Map<string, string> } | undefined | null {
  const nl = indexOfByte(buf, p, Math.min(end, p + 16), 10);
  if (nl < 0) return end - p >= 16 ? null : undefined;
  let ce = nl;
  if (ce > p && buf[ce - 1] === 13) ce--;
  // Commands are case-sensitive: uppercase only.
  for (let i = p; i < ce; i++) if (buf[i] < 0x41 || buf[i] > 0x5a) return null;
  const cmd = COMMANDS.find(buf, p, ce - p);
  if (cmd === undefined) return null;
  const headers = new Map<string, string>();
  let q = nl + 1;
  for (;;) {
    const lf = indexOfByte(buf, q, Math.min(end, q + 1024), 10);
    if (lf < 0) return end - q >= 1024 ? null : undefined;
    let le = lf;
    if (le > q && buf[le - 1] === 13) le--;
    if (le === q) break;
    const colon = indexOfByte(buf, q, le, 0x3a);
    if (colon <= q) return null;
    const name = buf.toString('utf8', q, colon);
    if (!headers.has(name)) headers.set(name, buf.toString('utf8', colon + 1, le));
    q = lf + 1;
  }
  return { cmd, headers };
}

export const dissector: Dissector = {
  id: P.STOMP,
  on: On.Tcp,
  tcpPorts: [61613],
  budget: 4,
  tcpFirstBytes: [0x43, 0x45, 0x4d, 0x53], // 'C'ONNECT(ED), 'E'RROR, 'M'ESSAGE, 'S'TOMP/SEND/SUBSCRIBE
  tcpFirstPacket: { short: [0x43, 0x45, 0x4d, 0x53] }, // an incomplete frame is Continue
  stream: true,
  fields: ['username'],
  doc: 'STOMP 1.x: CONNECT/STOMP/CONNECTED (and SEND/SUBSCRIBE/MESSAGE) frames with header lines on any port; login name.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const c = buf[ctx.off];
    if (c !== 0x43 && c !== 0x53 && c !== 0x4d && c !== 0x45) return ctx.state === undefined ? Verdict.Exclude : Verdict.Done;
    const f = frame(buf, ctx.off, ctx.off + ctx.len);
    if (f === undefined) return Verdict.Continue;
    if (f === null) return ctx.state === undefined ? Verdict.Exclude : Verdict.Done;
    const ok = CONNECTS.has(f.cmd) ? f.headers.size > 0 : f.headers.has('destination') || f.cmd === 'ERROR' && f.headers.has('message');
    if (!ok) return ctx.state === undefined ? Verdict.Exclude : Verdict.Done;
    if (ctx.state === undefined) {
      ctx.state = true;
      ctx.detect(P.STOMP);
    }
    const login = f.headers.get('login');
    if (login !== undefined && login !== '') {
      ctx.set('username', login);
      if (f.headers.has('passcode')) ctx.risk(Risk.Clear_Text_Credentials, `Found STOMP login (${login})`);
      return Verdict.Done;
    }
    return Verdict.Detected;
  },
};
