/**
 * IMAP (RFC 9051, RFC 3501) on any TCP port: the server's untagged greeting
 * ("* OK", "* PREAUTH", "* BYE") answered by a tagged client command
 * ("tag SP command"), or, when the greeting was missed, a tagged command
 * answered by an untagged response or a tagged OK/NO/BAD. Roles come from
 * the content (the server speaks first).
 * Metadata: server_banner (greeting text), username (LOGIN, AUTHENTICATE
 * PLAIN with an initial response, RFC 4959) with Clear-Text Credentials and
 * Unsafe Protocol. STARTTLS accepted with a tagged OK and followed by TLS
 * relabels the flow IMAPS with the ClientHello/ServerHello metadata.
 * Ignores: mailbox contents, literals ({n}) beyond their announcement.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { lineEnd } from '../bytes';
import { saslPlainUser, StartTls, STARTTLS_FIELDS, Words, walkLines } from './smtp';

const COMMANDS = new Words(['CAPABILITY', 'NOOP', 'LOGOUT', 'STARTTLS', 'AUTHENTICATE', 'LOGIN', 'ENABLE', 'SELECT',
  'EXAMINE', 'CREATE', 'DELETE', 'RENAME', 'SUBSCRIBE', 'UNSUBSCRIBE', 'LIST', 'LSUB', 'NAMESPACE', 'STATUS',
  'APPEND', 'IDLE', 'CHECK', 'CLOSE', 'UNSELECT', 'EXPUNGE', 'SEARCH', 'FETCH', 'STORE', 'COPY', 'MOVE', 'UID', 'ID',
  'GETQUOTAROOT', 'GETQUOTA', 'SETQUOTA', 'GETACL', 'SETACL', 'MYRIGHTS', 'LISTRIGHTS', 'COMPRESS', 'XLIST']);

/** A tag: 1 to 32 characters of RFC 9051 "tag" (no '+' and no specials). */
function tagEnd(buf: Buffer, p: number, e: number): number {
  let i = p;
  while (i < e && i - p <= 32) {
    const c = buf[i];
    if (c <= 0x20 || c >= 0x7f || c === 0x28 || c === 0x29 || c === 0x7b || c === 0x25 || c === 0x2a ||
        c === 0x22 || c === 0x5c || c === 0x5d || c === 0x2b) break;
    i++;
  }
  return i > p && i < e && buf[i] === 0x20 && i - p <= 32 ? i : -1;
}

const GREETINGS = new Words(['OK', 'PREAUTH', 'BYE']);
const RESULTS = new Words(['OK', 'NO', 'BAD']);

/** Unquotes an IMAP astring. */
function astring(s: string): string {
  if (s.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(s);
    return m === null ? s.slice(1) : m[1].replace(/\\(.)/g, '$1');
  }
  return s.split(' ')[0];
}

/** An untagged greeting or a tagged IMAP command. */
function firstLineOk(buf: Buffer, p: number, e: number): boolean {
  if (e - p >= 2 && buf[p] === 0x2a && buf[p + 1] === 0x20) {
    return GREETINGS.at(buf, p + 2, e) !== undefined;
  }
  const t = tagEnd(buf, p, e);
  return t > 0 && COMMANDS.at(buf, t + 1, e) !== undefined;
}

class ImapState {
  readonly pos: [number, number] = [0, 0];
  /** First line kind per direction: 0 unseen, 1 server, 2 client. */
  readonly first: [number, number] = [0, 0];
  greeting = false;
  banner = '';
  command = false;
  replied = false;
  detected = false;
  user = '';
  starttlsTag = '';
  readonly tls = new StartTls();
}

function setUser(ctx: DissectContext, st: ImapState, user: string): void {
  if (st.user !== '' || user === '') return;
  st.user = user;
  if (st.detected) {
    ctx.set('username', user);
    ctx.risk(Risk.Clear_Text_Credentials, `Found IMAP username (${user})`);
  }
}

function line(ctx: DissectContext, st: ImapState, buf: Buffer, p: number, e: number): boolean {
  const dir = ctx.dir;
  const untagged = e - p >= 2 && buf[p] === 0x2a && buf[p + 1] === 0x20;
  if (st.first[dir] === 0) st.first[dir] = untagged ? 1 : 2;
  if (st.first[dir] === 1) {
    if (untagged) {
      const w = GREETINGS.at(buf, p + 2, e);
      if (!st.greeting && !st.replied && w !== undefined) {
        st.greeting = true;
        st.banner = buf.toString('utf8', Math.min(p + 3 + w.length, e), e).trim();
      } else {
        st.replied = true;
      }
      return true;
    }
    const t = tagEnd(buf, p, e);
    if (t > 0) {
      const w = RESULTS.at(buf, t + 1, e);
      if (w !== undefined) {
        st.replied = true;
        if (w === 'OK' && st.starttlsTag !== '' && buf.toString('latin1', p, t) === st.starttlsTag && st.tls.at[dir] < 0) {
          st.tls.at[dir] = e + 2 - ctx.off;
        }
      }
    }
    return true;
  }
  const t = tagEnd(buf, p, e);
  if (t < 0) return st.command;
  const cmd = COMMANDS.at(buf, t + 1, e);
  if (cmd === undefined) return st.command;
  st.command = true;
  const arg = buf.toString('utf8', Math.min(t + 2 + cmd.length, e), e).trim();
  if (cmd === 'LOGIN') setUser(ctx, st, astring(arg));
  else if (cmd === 'AUTHENTICATE') {
    const a = arg.split(/\s+/);
    if (a[0].toUpperCase() === 'PLAIN' && a.length > 1) {
      const u = saslPlainUser(a[1]);
      if (u !== undefined) setUser(ctx, st, u);
    }
  } else if (cmd === 'STARTTLS') {
    st.starttlsTag = buf.toString('latin1', p, t);
    st.tls.clientDir = dir;
    st.tls.at[dir] = e + 2 - ctx.off;
  }
  return true;
}

export const dissector: Dissector = {
  id: P.IMAP,
  alsoDetects: [P.IMAPS],
  on: On.Tcp,
  tcpPorts: [143],
  budget: 24,
  stream: true,
  tcpFirstBytes: [[0x21, 0x7e]], // '*' greeting or a tag: printable ASCII (anything printable while the first line is incomplete)
  tcpFirstPacket: { short: [[0x21, 0x7e]] }, // an incomplete first line waits
  fields: ['server_banner', 'username', ...STARTTLS_FIELDS],
  doc: 'IMAP (RFC 9051): untagged greeting and tagged commands on any port; banner, LOGIN user; STARTTLS followed by TLS as IMAPS.',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as ImapState | undefined;
    const buf = ctx.buf;
    const end = ctx.off + ctx.len;
    const dir = ctx.dir;
    if (st === undefined) {
      const c = buf[ctx.off];
      if (c <= 0x20 || c >= 0x7f) return Verdict.Exclude;
      const e = lineEnd(buf, ctx.off, Math.min(end, ctx.off + 2048));
      if (e < 0) return ctx.len < 2048 ? Verdict.Continue : Verdict.Exclude;
      if (!firstLineOk(buf, ctx.off, e)) return Verdict.Exclude;
      st = new ImapState();
      ctx.state = st;
    }
    if (!walkLines(ctx, st, 2048, line)) return Verdict.Exclude;
    if (!st.detected) {
      if (st.command && (st.greeting || st.replied) && st.first[0] !== 0 && st.first[1] !== 0 && st.first[0] !== st.first[1]) {
        st.detected = true;
        ctx.detect(P.IMAP);
        ctx.risk(Risk.Unsafe_Protocol);
        if (st.banner !== '') ctx.set('server_banner', st.banner);
        if (st.user !== '') {
          ctx.set('username', st.user);
          ctx.risk(Risk.Clear_Text_Credentials, `Found IMAP username (${st.user})`);
        }
      } else {
        return Verdict.Continue;
      }
    }
    if (st.tls.at[dir] >= 0 && st.pos[dir] >= st.tls.at[dir]) {
      if (st.tls.check(ctx) && dir === st.tls.clientDir && st.tls.helloSeen) ctx.detect(P.IMAPS);
      if (st.tls.finished()) return Verdict.Done;
    }
    return Verdict.Detected;
  },
};
