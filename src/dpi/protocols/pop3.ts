/**
 * POP3 (RFC 1939, CAPA/extensions RFC 2449, STLS RFC 2595, AUTH RFC 5034)
 * on any TCP port: the server's "+OK" greeting answered by a POP3 command,
 * or, when the greeting was missed, a POP3 command answered by "+OK"/"-ERR".
 * Roles come from the content (the server speaks first).
 * Metadata: server_banner (greeting text), username (USER, APOP, AUTH PLAIN)
 * with Clear-Text Credentials and Unsafe Protocol. STLS accepted with "+OK"
 * and followed by TLS relabels the flow POPS with the ClientHello/ServerHello
 * metadata.
 * Ignores: message contents (RETR/TOP), multi-line listings.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, lineEnd, startsWith } from '../bytes';
import { saslPlainUser, StartTls, STARTTLS_FIELDS, Words, walkLines } from './smtp';

const COMMANDS = new Words(['USER', 'PASS', 'APOP', 'STAT', 'LIST', 'RETR', 'DELE', 'NOOP', 'RSET', 'QUIT', 'TOP',
  'UIDL', 'CAPA', 'STLS', 'AUTH', 'UTF8', 'LANG']);

const OK = ascii('+OK');
const ERR = ascii('-ERR');

function commandOf(buf: Buffer, p: number, e: number): string | undefined {
  return COMMANDS.at(buf, p, e, 4);
}

/** "+OK" or "-ERR" followed by SP or the line end. */
function statusOf(buf: Buffer, p: number, e: number): number {
  if (startsWith(buf, p, e, OK) && (e - p === 3 || buf[p + 3] === 0x20)) return 1;
  if (startsWith(buf, p, e, ERR) && (e - p === 4 || buf[p + 4] === 0x20)) return 2;
  return 0;
}

class Pop3State {
  readonly pos: [number, number] = [0, 0];
  /** First line kind per direction: 0 unseen, 1 status, 2 command. */
  readonly first: [number, number] = [0, 0];
  greeting = false;
  banner = '';
  command = false;
  replied = false;
  detected = false;
  user = '';
  /** AUTH PLAIN sent without an initial response: the next client line carries it. */
  plainNext = false;
  stls = false;
  readonly tls = new StartTls();
}

function setUser(ctx: DissectContext, st: Pop3State, user: string): void {
  if (st.user !== '' || user === '') return;
  st.user = user;
  if (st.detected) {
    ctx.set('username', user);
    ctx.risk(Risk.Clear_Text_Credentials, `Found username (${user})`);
  }
}

/** Handles one line; false when it cannot be POP3. */
function line(ctx: DissectContext, st: Pop3State, buf: Buffer, p: number, e: number): boolean {
  const dir = ctx.dir;
  const status = statusOf(buf, p, e);
  if (st.first[dir] === 0) st.first[dir] = status !== 0 ? 1 : 2;
  if (st.first[dir] === 1) {
    if (!st.greeting && !st.replied && status === 1) {
      st.greeting = true;
      st.banner = buf.toString('utf8', Math.min(p + 4, e), e).trim();
    } else if (status !== 0) {
      st.replied = true;
      if (status === 1 && st.stls && st.tls.at[dir] < 0) st.tls.at[dir] = e + 2 - ctx.off;
    }
    return true;
  }
  if (st.plainNext) {
    st.plainNext = false;
    const u = saslPlainUser(buf.toString('latin1', p, e));
    if (u !== undefined) setUser(ctx, st, u);
    return true;
  }
  const cmd = commandOf(buf, p, e);
  if (cmd === undefined) return st.command;
  st.command = true;
  const arg = buf.toString('utf8', Math.min(p + cmd.length + 1, e), e).trim();
  if (cmd === 'USER') setUser(ctx, st, arg);
  else if (cmd === 'APOP') setUser(ctx, st, arg.split(' ')[0]);
  else if (cmd === 'AUTH') {
    const a = arg.split(/\s+/);
    if (a[0].toUpperCase() === 'PLAIN') {
      if (a.length > 1) {
        const u = saslPlainUser(a[1]);
        if (u !== undefined) setUser(ctx, st, u);
      } else {
        st.plainNext = true;
      }
    }
  } else if (cmd === 'STLS') {
    st.stls = true;
    st.tls.clientDir = dir;
    st.tls.at[dir] = e + 2 - ctx.off;
  }
  return true;
}

export const dissector: Dissector = {
  id: P.POP3,
  alsoDetects: [P.POPS],
  on: On.Tcp,
  tcpPorts: [110],
  budget: 24,
  tcpFirstBytes: [0x2b, 0x2d, [0x41, 0x5a], [0x61, 0x7a]], // '+'OK, '-'ERR, command letters
  tcpFirstPacket: { short: [0x2b, 0x2d, [0x41, 0x5a], [0x61, 0x7a]] }, // a line without its end is Continue
  stream: true,
  fields: ['server_banner', 'username', ...STARTTLS_FIELDS],
  doc: 'POP3 (RFC 1939): +OK greeting and POP3 commands on any port; banner, USER/APOP/AUTH PLAIN user; STLS followed by TLS as POPS.',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as Pop3State | undefined;
    const buf = ctx.buf;
    const end = ctx.off + ctx.len;
    const dir = ctx.dir;
    if (st === undefined) {
      const c = buf[ctx.off];
      if (c !== 0x2b && c !== 0x2d && !((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a)) return Verdict.Exclude;
      const e = lineEnd(buf, ctx.off, Math.min(end, ctx.off + 1024));
      if (e < 0) return ctx.len < 1024 ? Verdict.Continue : Verdict.Exclude;
      if (statusOf(buf, ctx.off, e) === 0 && commandOf(buf, ctx.off, e) === undefined) return Verdict.Exclude;
      st = new Pop3State();
      ctx.state = st;
    }
    if (!walkLines(ctx, st, 1024, line)) return Verdict.Exclude;
    if (!st.detected) {
      if (st.command && (st.greeting || st.replied) && st.first[0] !== 0 && st.first[1] !== 0 && st.first[0] !== st.first[1]) {
        st.detected = true;
        ctx.detect(P.POP3);
        ctx.risk(Risk.Unsafe_Protocol);
        if (st.banner !== '') ctx.set('server_banner', st.banner);
        if (st.user !== '') {
          ctx.set('username', st.user);
          ctx.risk(Risk.Clear_Text_Credentials, `Found username (${st.user})`);
        }
      } else {
        return Verdict.Continue;
      }
    }
    if (st.tls.at[dir] >= 0 && st.pos[dir] >= st.tls.at[dir]) {
      if (st.tls.check(ctx) && dir === st.tls.clientDir && st.tls.helloSeen) ctx.detect(P.POPS);
      if (st.tls.finished()) return Verdict.Done;
    }
    return Verdict.Detected;
  },
};
