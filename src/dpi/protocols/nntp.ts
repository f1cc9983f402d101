/**
 * NNTP (RFC 3977, AUTHINFO RFC 4643) on any TCP port, labelled Usenet as
 * nDPI does: the server's "200"/"201" greeting answered by an NNTP command,
 * or, when the greeting was missed, an NNTP-only command (AUTHINFO, GROUP,
 * ARTICLE, XOVER, MODE READER, ...) answered by a three-digit reply. The
 * greeting codes differ from FTP's and SMTP's "220".
 * Metadata: username (AUTHINFO USER) with Clear-Text Credentials,
 * server_banner (greeting text).
 * Ignores: articles, overview data, posting.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { lineEnd } from '../bytes';
import { replyLine, Words } from './smtp';

/** NNTP commands; true marks those FTP/SMTP/POP3 do not share. */
const COMMANDS = new Map<string, boolean>([
  ['ARTICLE', true], ['AUTHINFO', true], ['BODY', true], ['CAPABILITIES', true], ['GROUP', true], ['HDR', true],
  ['HEAD', true], ['IHAVE', true], ['LAST', true], ['LISTGROUP', true], ['NEWGROUPS', true], ['NEWNEWS', true],
  ['NEXT', true], ['OVER', true], ['POST', true], ['XOVER', true], ['XHDR', true], ['XPAT', true],
  ['TAKETHIS', true], ['CHECK', true], ['DATE', false], ['HELP', false], ['LIST', false], ['MODE', false],
  ['QUIT', false], ['STAT', false], ['STARTTLS', false],
]);

const WORDS = new Words([...COMMANDS.keys()]);

function commandOf(buf: Buffer, p: number, e: number): string | undefined {
  return WORDS.at(buf, p, e, 12);
}

class NntpState {
  readonly pos: [number, number] = [0, 0];
  readonly first: [number, number] = [0, 0];
  greeting = false;
  banner = '';
  command = '';
  specific = false;
  replied = false;
  detected = false;
  user = '';
}

function line(ctx: DissectContext, st: NntpState, buf: Buffer, p: number, e: number): boolean {
  const dir = ctx.dir;
  if (replyLine(buf, p, e)) {
    if (st.first[dir] === 0) st.first[dir] = 1;
    if (st.first[dir] !== 1) return false;
    const code = (buf[p] - 48) * 100 + (buf[p + 1] - 48) * 10 + (buf[p + 2] - 48);
    if (!st.greeting && !st.replied && (code === 200 || code === 201)) {
      st.greeting = true;
      st.banner = buf.toString('utf8', Math.min(p + 4, e), e).trim();
    } else {
      st.replied = true;
    }
    return true;
  }
  const cmd = commandOf(buf, p, e);
  if (st.first[dir] === 0) st.first[dir] = cmd !== undefined ? 2 : 3;
  if (st.first[dir] !== 2) return false;
  if (cmd === undefined) return true;
  if (st.command === '') {
    st.command = cmd;
    st.specific = COMMANDS.get(cmd) === true || /^MODE READER/i.test(buf.toString('latin1', p, Math.min(e, p + 11)));
  }
  if (cmd === 'AUTHINFO' && st.user === '') {
    const m = /^AUTHINFO\s+USER\s+(\S+)/i.exec(buf.toString('utf8', p, e));
    if (m !== null) {
      st.user = m[1];
      if (st.detected) {
        ctx.set('username', st.user);
        ctx.risk(Risk.Clear_Text_Credentials, `Found NNTP username (${st.user})`);
      }
    }
  }
  return true;
}

export const dissector: Dissector = {
  id: P.Usenet,
  on: On.Tcp,
  tcpPorts: [119],
  budget: 12,
  tcpFirstBytes: [[0x10, 0x19], [0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]], // reply digits, command letters (the | 0x20 test also admits 0x10-0x19)
  tcpFirstPacket: { short: [[0x10, 0x19], [0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]] }, // a line without its end waits
  stream: true,
  fields: ['server_banner', 'username'],
  doc: 'NNTP/Usenet (RFC 3977): 200/201 greeting and NNTP commands on any port; banner, AUTHINFO USER name.',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as NntpState | undefined;
    const buf = ctx.buf;
    const end = ctx.off + ctx.len;
    const dir = ctx.dir;
    if (st === undefined) {
      const c = buf[ctx.off] | 0x20;
      if (!(c >= 0x30 && c <= 0x39) && !(c >= 0x61 && c <= 0x7a)) return Verdict.Exclude;
      let e = lineEnd(buf, ctx.off, Math.min(end, ctx.off + 1024));
      if (e < 0) {
        if (ctx.len >= 1024) return Verdict.Exclude;
        e = end;
      }
      if (!replyLine(buf, ctx.off, e) && commandOf(buf, ctx.off, e) === undefined) {
        return e === end ? Verdict.Continue : Verdict.Exclude;
      }
      st = new NntpState();
      ctx.state = st;
    }
    let p = ctx.off + st.pos[dir];
    for (;;) {
      let e = lineEnd(buf, p, Math.min(end, p + 1024));
      if (e < 0) {
        if (end - p >= 1024) return st.detected ? Verdict.Done : Verdict.Exclude;
        // A client command sent without its line end still counts (the segment ends it).
        if (st.detected || st.first[dir] === 1 || end - p < 4 || commandOf(buf, p, end) === undefined) break;
        e = end;
      }
      if (!line(ctx, st, buf, p, e) && !st.detected) return Verdict.Exclude;
      if (e === end) {
        p = end;
        break;
      }
      p = e + 2;
    }
    st.pos[dir] = p - ctx.off;
    if (!st.detected) {
      const both = st.first[0] !== 0 && st.first[1] !== 0;
      if (both && st.command !== '' && (st.greeting || (st.specific && st.replied))) {
        st.detected = true;
        ctx.detect(P.Usenet);
        if (st.banner !== '') ctx.set('server_banner', st.banner);
        if (st.user !== '') {
          ctx.set('username', st.user);
          ctx.risk(Risk.Clear_Text_Credentials, `Found NNTP username (${st.user})`);
        }
      } else {
        return Verdict.Continue;
      }
    }
    return Verdict.Detected;
  },
};
