/**
 * IRC client connections (RFC 1459, RFC 2812; IRCv3 capability negotiation)
 * on any TCP port: the client registers with CAP, PASS, NICK and USER
 * messages ("USER user mode unused :realname"); the server answers with
 * prefixed messages (":server NOTICE ...", ":server 001 nick ...", numerics),
 * NOTICE/PING/ERROR. A client segment holding both NICK and USER, or a
 * registration message answered by a server message, is IRC.
 * Metadata: username from USER.
 * Ignores: channel traffic, DCC, CTCP.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { lineEnd } from '../bytes';
import { Words } from './smtp';

/** Registration commands a client starts with. */
const REGISTRATION = new Words(['CAP', 'PASS', 'NICK', 'USER']);
/** Commands a server may send unprefixed before registration completes. */
const SERVER_BARE = new Words(['NOTICE', 'PING', 'ERROR', 'CAP']);
/** Commands a server sends with its prefix before registration completes. */
const SERVER_PREFIXED = new Words(['NOTICE', 'PRIVMSG', 'CAP', 'PING', 'ERROR', 'MODE']);

/** A server line: ":prefix SP (command | 3-digit numeric) ..." or an unprefixed NOTICE/PING/ERROR. */
function serverLine(buf: Buffer, p: number, e: number): boolean {
  if (buf[p] === 0x3a) {
    let i = p + 1;
    while (i < e && buf[i] > 0x20 && i - p < 256) i++;
    if (i === p + 1 || i >= e || buf[i] !== 0x20) return false;
    i++;
    if (e - i >= 4 && buf[i] >= 0x30 && buf[i] <= 0x39 && buf[i + 1] >= 0x30 && buf[i + 1] <= 0x39 &&
        buf[i + 2] >= 0x30 && buf[i + 2] <= 0x39 && buf[i + 3] === 0x20) return true;
    return SERVER_PREFIXED.at(buf, i, e) !== undefined;
  }
  return SERVER_BARE.at(buf, p, e) !== undefined;
}

/** A client registration line with its arguments ("NICK name", "USER u m * :real", "CAP LS"...). */
function clientLine(buf: Buffer, p: number, e: number): string {
  const w = REGISTRATION.at(buf, p, e);
  if (w === undefined || e - p <= w.length + 1) return '';
  if (w === 'USER' && !/^USER \S+ \S+ \S+ :?/i.test(buf.toString('latin1', p, Math.min(e, p + 512)))) return '';
  return w;
}

class IrcState {
  readonly pos: [number, number] = [0, 0];
  clientDir = -1;
  nick = false;
  user = '';
  server = false;
  detected = false;
}

export const dissector: Dissector = {
  id: P.IRC,
  on: On.Tcp,
  tcpPorts: [6667],
  budget: 8,
  // ':' prefix, 'C'AP 'N'ICK 'P'ASS 'U'SER either case; (c | 0x20) also lets 0x1a through
  tcpFirstBytes: [0x1a, 0x3a, 0x43, 0x4e, 0x50, 0x55, 0x63, 0x6e, 0x70, 0x75],
  tcpFirstPacket: { short: [0x1a, 0x3a, 0x43, 0x4e, 0x50, 0x55, 0x63, 0x6e, 0x70, 0x75] }, // a line without its end waits
  stream: true,
  fields: ['username'],
  doc: 'IRC (RFC 2812): client registration (CAP/PASS/NICK/USER) and prefixed server messages on any port; USER name.',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as IrcState | undefined;
    const buf = ctx.buf;
    const end = ctx.off + ctx.len;
    const dir = ctx.dir;
    if (st === undefined) {
      const c = buf[ctx.off] | 0x20;
      if (c !== 0x3a && c !== 0x63 && c !== 0x70 && c !== 0x6e && c !== 0x75) return Verdict.Exclude;
      const e = lineEnd(buf, ctx.off, Math.min(end, ctx.off + 512));
      if (e < 0) return ctx.len < 512 ? Verdict.Continue : Verdict.Exclude;
      if (clientLine(buf, ctx.off, e) === '' && !serverLine(buf, ctx.off, e)) return Verdict.Exclude;
      st = new IrcState();
      ctx.state = st;
    }
    let p = ctx.off + st.pos[dir];
    for (;;) {
      const e = lineEnd(buf, p, Math.min(end, p + 512));
      if (e < 0) break;
      if (st.clientDir < 0 || st.clientDir === dir) {
        const w = clientLine(buf, p, e);
        if (w !== '') {
          st.clientDir = dir;
          if (w === 'NICK') st.nick = true;
          else if (w === 'USER' && st.user === '') st.user = buf.toString('utf8', p + 5, e).split(' ')[0];
        } else if (st.clientDir < 0) {
          if (!serverLine(buf, p, e)) return st.detected ? Verdict.Done : Verdict.Exclude;
          st.clientDir = dir ^ 1;
          st.server = true;
        }
      } else if (serverLine(buf, p, e)) {
        st.server = true;
      } else if (!st.detected) {
        return Verdict.Exclude;
      }
      p = e + 2;
    }
    st.pos[dir] = p - ctx.off;
    if (!st.detected) {
      const registered = st.nick && st.user !== '';
      if (!(registered || (st.server && (st.nick || st.user !== '')))) return Verdict.Continue;
      st.detected = true;
      ctx.detect(P.IRC);
    }
    if (st.user !== '') {
      ctx.set('username', st.user);
      return Verdict.Done;
    }
    return Verdict.Detected;
  },
};
