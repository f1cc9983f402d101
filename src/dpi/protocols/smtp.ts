/**
 * SMTP (RFC 5321) on any TCP port: the server's "220" greeting answered by
 * the client's EHLO/HELO (or, when the greeting was missed, EHLO/HELO
 * answered by "250"). Roles come from the content, not from who sent the
 * first packet (the server speaks first).
 * Metadata: server_name is the first word of the greeting when more text
 * follows it (as nDPI reports it), server_banner the greeting text, username
 * from AUTH LOGIN / AUTH PLAIN (RFC 4954, base64) with Clear-Text
 * Credentials. STARTTLS (RFC 3207) accepted with "220" and followed by a TLS
 * handshake relabels the flow SMTPS and reads the ClientHello/ServerHello
 * (SNI, JA3, JA4, version, cipher) through the TLS module.
 * Ignores: the mail transaction (MAIL/RCPT/DATA contents), ESMTP extensions.
 * Also exports the STARTTLS helper used by the FTP, POP3 and IMAP dissectors.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import type { MetaField } from '../meta';
import { lineEnd, startsWithNoCase, ascii, isDigit } from '../bytes';
import { applyClientHello, parseClientHello } from './tls/client-hello';
import { applyServerHello, parseServerHello } from './tls/server-hello';

/** Fields the TLS handshake after STARTTLS may set. */
export const STARTTLS_FIELDS: readonly MetaField[] = [
  'server_name', 'alpn_advertised', 'alpn_negotiated', 'tls_supported_versions', 'tls_ech', 'tls_version',
  'tls_cipher', 'ja3c', 'ja3s', 'ja4',
];

/**
 * The TLS handshake that follows an accepted STARTTLS-like command: each
 * direction's TLS starts at a known stream offset; the first handshake
 * record there (ClientHello from the client, ServerHello from the server) is
 * read when complete. check() returns true once the client's TLS record was
 * seen (the flow is then relabelled by the caller).
 */
export class StartTls {
  /** Stream offset where TLS starts per direction (-1: not known yet). */
  readonly at: [number, number] = [-1, -1];
  readonly done: [boolean, boolean] = [false, false];
  clientDir = -1;
  helloSeen = false;

  /** Reads the handshake record at this direction's TLS offset; true when a TLS record header is there. */
  check(ctx: DissectContext): boolean {
    const dir = ctx.dir;
    const t = this.at[dir];
    if (t < 0 || this.done[dir]) return false;
    const buf = ctx.buf;
    const p = ctx.off + t;
    const end = ctx.off + ctx.len;
    if (end - p < 9) return false;
    if (buf[p] !== 22 || buf[p + 1] !== 3) {
      this.done[dir] = true;
      return false;
    }
    const recLen = (buf[p + 3] << 8) | buf[p + 4];
    const hsLen = (buf[p + 6] << 16) | (buf[p + 7] << 8) | buf[p + 8];
    const avail = Math.min(recLen - 4, hsLen);
    if (p + 9 + avail > end && end - ctx.off < 16384) return true;
    this.done[dir] = true;
    const n = Math.min(avail, end - p - 9);
    if (dir === this.clientDir && buf[p + 5] === 1) {
      const ch = parseClientHello(buf, p + 9, n);
      if (ch !== null) {
        applyClientHello(ctx, ch, 't');
        this.helloSeen = true;
      }
    } else if (dir !== this.clientDir && buf[p + 5] === 2) {
      const sh = parseServerHello(buf, p + 9, n);
      if (sh !== null) applyServerHello(ctx, sh, this.helloSeen);
    }
    return true;
  }

  finished(): boolean {
    return this.done[0] && this.done[1];
  }
}

/** What walkLines() needs of a line-based dissector's per-flow state. */
export interface LineState {
  /** Stream offset of the next unread line per direction. */
  readonly pos: [number, number];
  readonly tls: StartTls;
  detected: boolean;
}

/**
 * Reads this direction's complete CRLF lines (at most maxLine bytes each)
 * from where the previous call stopped up to where its TLS starts, handing
 * each to line(). Returns false when, before detection, a line was refused or
 * no line end came within maxLine bytes: the flow is not this protocol.
 */
export function walkLines<S extends LineState>(ctx: DissectContext, st: S, maxLine: number,
  line: (ctx: DissectContext, st: S, buf: Buffer, p: number, e: number) => boolean): boolean {
  const buf = ctx.buf;
  const end = ctx.off + ctx.len;
  const dir = ctx.dir;
  let p = ctx.off + st.pos[dir];
  for (;;) {
    if (st.tls.at[dir] >= 0 && p - ctx.off >= st.tls.at[dir]) break;
    const e = lineEnd(buf, p, Math.min(end, p + maxLine));
    if (e < 0) {
      if (end - p >= maxLine && !st.detected) return false;
      break;
    }
    if (!line(ctx, st, buf, p, e) && !st.detected) return false;
    p = e + 2;
  }
  st.pos[dir] = p - ctx.off;
  return true;
}

/**
 * A table of ASCII words (protocol commands) looked up without allocating:
 * find() compares letters case-insensitively and returns the table's own
 * string, so no string is made for a line that matches nothing.
 */
export class Words {
  readonly names: readonly string[];
  private readonly bytes: Uint8Array[];

  constructor(names: readonly string[]) {
    this.names = names;
    this.bytes = names.map((n) => ascii(n.toUpperCase()));
  }

  /** The word buf[p, p + n) when it is in the table, else undefined. */
  find(buf: Uint8Array, p: number, n: number): string | undefined {
    const b = this.bytes;
    for (let k = 0; k < b.length; k++) {
      const w = b[k];
      if (w.length !== n) continue;
      let i = 0;
      for (; i < n; i++) {
        let c = buf[p + i];
        if (c >= 0x61 && c <= 0x7a) c -= 32;
        if (c !== w[i]) break;
      }
      if (i === n) return this.names[k];
    }
    return undefined;
  }

  /** The word at p (letters, then SP or the line end e) when it is in the table. */
  at(buf: Uint8Array, p: number, e: number, max = 16): string | undefined {
    let i = p;
    while (i < e && i - p <= max && ((buf[i] | 0x20) >= 0x61 && (buf[i] | 0x20) <= 0x7a || buf[i] === 0x5f)) i++;
    if (i === p || i - p > max || (i < e && buf[i] !== 0x20)) return undefined;
    return this.find(buf, p, i - p);
  }
}

/** Decodes base64 text to latin1, or undefined when it is not base64. */
export function fromBase64(s: string): string | undefined {
  const t = s.trim();
  if (t === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return undefined;
  return Buffer.from(t, 'base64').toString('latin1');
}

/** The authentication identity of a SASL PLAIN message (RFC 4616): authzid NUL authcid NUL passwd. */
export function saslPlainUser(b64: string): string | undefined {
  const d = fromBase64(b64);
  if (d === undefined) return undefined;
  const parts = d.split('\0');
  if (parts.length !== 3) return undefined;
  return parts[1] !== '' ? parts[1] : undefined;
}

const EHLO = ascii('ehlo ');
const HELO = ascii('helo ');
const AUTH = ascii('auth ');
const STARTTLS = ascii('starttls');

/** True when buf[p, e) is a reply line "NNN" followed by SP, '-' or the line end. */
export function replyLine(buf: Uint8Array, p: number, e: number): boolean {
  return e - p >= 3 && isDigit(buf[p]) && isDigit(buf[p + 1]) && isDigit(buf[p + 2]) &&
    (e - p === 3 || buf[p + 3] === 0x20 || buf[p + 3] === 0x2d);
}

const enum Auth {
  None = 0,
  LoginUser = 1,
  LoginPass = 2,
  Plain = 3,
}

class SmtpState {
  /** Stream offset of the next line per direction. */
  readonly pos: [number, number] = [0, 0];
  /** First line kind per direction: 0 unseen, 1 reply, 2 command, 3 other. */
  readonly first: [number, number] = [0, 0];
  greeting = false;
  /** Greeting host and text, reported once the flow is SMTP. */
  host = '';
  banner = '';
  hello = false;
  ok250 = false;
  detected = false;
  auth = Auth.None;
  starttls = false;
  readonly tls = new StartTls();
}

function replyText(ctx: DissectContext, st: SmtpState, buf: Buffer, p: number, e: number): void {
  const code = (buf[p] - 48) * 100 + (buf[p + 1] - 48) * 10 + (buf[p + 2] - 48);
  if (code === 220 && !st.greeting && !st.starttls) {
    st.greeting = true;
    let i = p + 4;
    if (e - p > 4 && buf[p + 4] !== 0x28) {
      while (i < e && buf[i] !== 0x20) i++;
      if (i + 1 < e) st.host = buf.toString('latin1', p + 4, i).toLowerCase();
    }
    if (e - p > 4) st.banner = buf.toString('utf8', p + 4, e);
  } else if (code === 220 && st.starttls && st.tls.at[ctx.dir] < 0) {
    st.tls.at[ctx.dir] = e + 2 - ctx.off;
  } else if (code === 250) {
    st.ok250 = true;
  }
}

function commandText(ctx: DissectContext, st: SmtpState, buf: Buffer, p: number, e: number): void {
  if (startsWithNoCase(buf, p, e, EHLO) || startsWithNoCase(buf, p, e, HELO)) {
    st.hello = true;
    st.auth = Auth.None;
  } else if (startsWithNoCase(buf, p, e, AUTH)) {
    const args = buf.toString('latin1', p + 5, e).trim().split(/\s+/);
    const mech = args[0].toUpperCase();
    if (mech === 'LOGIN') {
      st.auth = Auth.LoginUser;
      if (args.length > 1) {
        const u = fromBase64(args[1]);
        if (u !== undefined) {
          ctx.set('username', u);
          ctx.risk(Risk.Clear_Text_Credentials, `Found SMTP username (${u})`);
          st.auth = Auth.LoginPass;
        }
      }
    } else if (mech === 'PLAIN') {
      st.auth = Auth.Plain;
      if (args.length > 1) {
        const u = saslPlainUser(args[1]);
        if (u !== undefined) {
          ctx.set('username', u);
          ctx.risk(Risk.Clear_Text_Credentials, `Found SMTP username (${u})`);
        }
        st.auth = Auth.None;
      }
    }
  } else if (e - p === STARTTLS.length && startsWithNoCase(buf, p, e, STARTTLS)) {
    st.starttls = true;
    st.tls.clientDir = ctx.dir;
    st.tls.at[ctx.dir] = e + 2 - ctx.off;
  } else if (st.auth === Auth.LoginUser || st.auth === Auth.Plain) {
    const line = buf.toString('latin1', p, e);
    const u = st.auth === Auth.Plain ? saslPlainUser(line) : fromBase64(line);
    if (u !== undefined) {
      ctx.set('username', u);
      ctx.risk(Risk.Clear_Text_Credentials, `Found SMTP username (${u})`);
    }
    st.auth = st.auth === Auth.LoginUser ? Auth.LoginPass : Auth.None;
  } else if (st.auth === Auth.LoginPass) {
    st.auth = Auth.None;
  }
}

export const dissector: Dissector = {
  id: P.SMTP,
  alsoDetects: [P.SMTPS],
  on: On.Tcp,
  tcpPorts: [25, 587],
  budget: 24,
  tcpFirstBytes: [[0x30, 0x39], 0x45, 0x48, 0x65, 0x68], // reply code digit, 'E'HLO/'H'ELO
  tcpFirstPacket: { short: [[0x30, 0x39], 0x45, 0x48, 0x65, 0x68] }, // a line cut short waits (Continue)
  stream: true,
  fields: ['server_banner', 'username', ...STARTTLS_FIELDS],
  doc: 'SMTP (RFC 5321): 220 greeting and EHLO/HELO on any port; greeting host and banner, AUTH LOGIN/PLAIN user; STARTTLS followed by TLS as SMTPS.',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as SmtpState | undefined;
    const buf = ctx.buf;
    const end = ctx.off + ctx.len;
    const dir = ctx.dir;
    if (st === undefined) {
      // Cheap first look: a reply code or a command letter.
      const c = buf[ctx.off];
      if (!isDigit(c) && !((c | 0x20) === 0x65 || (c | 0x20) === 0x68)) return Verdict.Exclude;
      const e = lineEnd(buf, ctx.off, Math.min(end, ctx.off + 1024));
      if (e < 0) return ctx.len < 1024 ? Verdict.Continue : Verdict.Exclude;
      if (!replyLine(buf, ctx.off, e) && !startsWithNoCase(buf, ctx.off, e, EHLO) && !startsWithNoCase(buf, ctx.off, e, HELO)) {
        return Verdict.Exclude;
      }
      st = new SmtpState();
      ctx.state = st;
    }
    if (st.tls.at[dir] >= 0 && st.pos[dir] >= st.tls.at[dir]) {
      if (st.tls.check(ctx) && dir === st.tls.clientDir && st.tls.helloSeen) ctx.detect(P.SMTPS);
      return st.tls.finished() ? Verdict.Done : Verdict.Detected;
    }
    let p = ctx.off + st.pos[dir];
    for (;;) {
      if (st.tls.at[dir] >= 0 && p - ctx.off >= st.tls.at[dir]) break;
      const e = lineEnd(buf, p, Math.min(end, p + 1024));
      if (e < 0) {
        if (end - p >= 1024) return st.detected ? Verdict.Done : Verdict.Exclude;
        break;
      }
      const reply = replyLine(buf, p, e);
      if (st.first[dir] === 0) {
        st.first[dir] = reply ? 1 : (startsWithNoCase(buf, p, e, EHLO) || startsWithNoCase(buf, p, e, HELO)) ? 2 : 3;
        if (st.first[dir] === 3 && !st.detected) return Verdict.Exclude;
      }
      if (reply) replyText(ctx, st, buf, p, e);
      else if (st.first[dir] === 2) commandText(ctx, st, buf, p, e);
      p = e + 2;
    }
    st.pos[dir] = p - ctx.off;
    if (!st.detected) {
      if (st.hello && (st.greeting || st.ok250)) {
        st.detected = true;
        ctx.detect(P.SMTP);
        if (st.host !== '') ctx.set('server_name', st.host);
        if (st.banner !== '') ctx.set('server_banner', st.banner);
      } else {
        return Verdict.Continue;
      }
    }
    if (st.tls.at[dir] >= 0 && st.pos[dir] >= st.tls.at[dir]) {
      if (st.tls.check(ctx) && dir === st.tls.clientDir && st.tls.helloSeen) ctx.detect(P.SMTPS);
    }
    return Verdict.Detected;
  },
};
