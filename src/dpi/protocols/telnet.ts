/**
 * Telnet (RFC 854 protocol, RFC 855 option negotiation) on any TCP port: a
 * direction whose first segment is made only of well-formed IAC commands
 * (IAC WILL/WONT/DO/DONT option, IAC SB ... IAC SE, IAC and a one-byte
 * command), once two such commands were seen in the flow (which almost every
 * Telnet session opens with).
 * Metadata: username, the line the client types after the server's
 * "login:" prompt (IAC sequences removed), with Clear-Text Credentials;
 * Unsafe Protocol.
 * Ignores: the negotiated option values, the terminal data stream.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOf } from '../bytes';

const IAC = 255;
const SB = 250;
const SE = 240;
const LOGIN = ascii('ogin:');

/** Number of IAC commands when buf[p, end) is only IAC commands, -1 otherwise (0 when incomplete). */
function iacCommands(buf: Buffer, p: number, end: number): number {
  let n = 0;
  while (p < end) {
    if (buf[p] !== IAC || p + 1 >= end) return -1;
    const c = buf[p + 1];
    if (c >= 251 && c <= 254) {
      if (p + 2 >= end) return -1;
      p += 3;
    } else if (c === SB) {
      let q = p + 3;
      while (q + 1 < end && !(buf[q] === IAC && buf[q + 1] === SE)) q++;
      if (q + 1 >= end) return -1;
      p = q + 2;
    } else if (c >= 241 && c <= 249) {
      p += 2;
    } else {
      return -1;
    }
    n++;
  }
  return n;
}

class TelnetState {
  commands = 0;
  detected = false;
  /** Stream offset where the client's answer to "login:" starts (-1: no prompt yet). */
  loginAt = -1;
  clientDir = -1;
  /** Stream length per direction at its last segment, and how far the prompt was searched. */
  readonly len: [number, number] = [0, 0];
  readonly searched: [number, number] = [0, 0];
  user = false;
}

/** The login name typed in buf[p, end) up to CR/LF, IAC sequences removed; undefined while incomplete. */
function typedLine(buf: Buffer, p: number, end: number): string | undefined {
  const out: number[] = [];
  while (p < end && out.length < 64) {
    const c = buf[p];
    if (c === IAC) {
      if (p + 1 >= end) return undefined;
      const k = buf[p + 1];
      if (k >= 251 && k <= 254) p += 3;
      else if (k === SB) {
        let q = p + 2;
        while (q + 1 < end && !(buf[q] === IAC && buf[q + 1] === SE)) q++;
        p = q + 2;
      } else p += 2;
      continue;
    }
    if (c === 13 || c === 10 || c === 0) return Buffer.from(out).toString('utf8');
    if (c === 8 || c === 0x7f) out.pop();
    else if (c >= 0x20) out.push(c);
    p++;
  }
  return out.length >= 64 ? Buffer.from(out).toString('utf8') : undefined;
}

export const dissector: Dissector = {
  id: P.Telnet,
  on: On.Tcp,
  tcpPorts: [23],
  budget: 40,
  stream: true,
  fields: ['username'],
  doc: 'Telnet (RFC 854/855): option negotiation (IAC WILL/WONT/DO/DONT/SB) on any port; the user name typed after "login:".',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as TelnetState | undefined;
    const buf = ctx.buf;
    const end = ctx.off + ctx.len;
    const dir = ctx.dir;
    if (st === undefined || !st.detected) {
      if (ctx.dirIndex === 0) {
        const n = buf[ctx.off] === IAC ? iacCommands(buf, ctx.off, end) : -1;
        if (n < 0) {
          // A text banner may come first; the other side may still negotiate.
          if (st === undefined && ctx.flowIndex !== 0) return Verdict.Exclude;
        } else {
          if (st === undefined) {
            st = new TelnetState();
            ctx.state = st;
          }
          st.commands += n;
        }
      }
      if (st === undefined) return ctx.flowIndex === 0 ? Verdict.Continue : Verdict.Exclude;
      if (st.commands < 2) return ctx.flowIndex < 4 ? Verdict.Continue : Verdict.Exclude;
      st.detected = true;
      ctx.detect(P.Telnet);
      ctx.risk(Risk.Unsafe_Protocol);
    }
    if (st.user) return Verdict.Done;
    if (st.loginAt < 0) {
      const p = indexOf(buf, ctx.off + st.searched[dir], end, LOGIN);
      st.searched[dir] = Math.max(0, ctx.len - LOGIN.length);
      if (p >= 0) {
        // The server prompts; the client's next keystrokes are the name.
        st.clientDir = dir ^ 1;
        st.loginAt = st.len[st.clientDir];
      }
      st.len[dir] = ctx.len;
      return Verdict.Detected;
    }
    st.len[dir] = ctx.len;
    if (dir !== st.clientDir) return Verdict.Detected;
    const name = typedLine(buf, ctx.off + st.loginAt, end);
    if (name !== undefined) {
      st.user = true;
      if (name !== '') {
        ctx.set('username', name);
        ctx.risk(Risk.Clear_Text_Credentials, `Found Telnet username (${name})`);
      }
      return Verdict.Done;
    }
    return Verdict.Detected;
  },
};
