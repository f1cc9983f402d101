/**
 * FTP control connection (RFC 959, with RFC 2228 AUTH/PROT/PBSZ, RFC 2389
 * FEAT/OPTS, RFC 2428 EPRT/EPSV, RFC 3659 MDTM/SIZE/MLST, RFC 7151 HOST)
 * on any TCP port: the server's "220" (or "120") greeting answered by an FTP
 * command, or, when the greeting was missed, an FTP-only command (USER,
 * PASV, RETR, ...) answered by a three-digit reply. A client opening with
 * EHLO/HELO is SMTP, not FTP; POP3 also has USER but answers "+OK".
 * Metadata: server_banner (greeting text), username (USER) with
 * Clear-Text Credentials and Unsafe Protocol. AUTH TLS/SSL accepted with
 * "234" (RFC 4217) and followed by TLS relabels the flow FTPS with the
 * ClientHello/ServerHello metadata.
 * FTP_DATA (weak, first payload of a flow only): a Unix "ls -l" listing line
 * or, for payloads of 256 bytes or more, a well-known file signature.
 * Ignores: the data connections' addresses announced by PORT/PASV.
 */
import { P, Risk } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, lineEnd, startsWith } from '../bytes';
import { replyLine, StartTls, STARTTLS_FIELDS, Words, walkLines } from './smtp';

/** FTP commands (uppercase); true marks those no other line protocol here shares. */
const COMMANDS = new Map<string, boolean>([
  ['USER', true], ['PASS', true], ['ACCT', true], ['CWD', true], ['CDUP', true], ['SMNT', true], ['REIN', true],
  ['PORT', true], ['PASV', true], ['TYPE', true], ['STRU', true], ['RETR', true], ['STOR', true], ['STOU', true],
  ['APPE', true], ['ALLO', true], ['REST', true], ['RNFR', true], ['RNTO', true], ['ABOR', true], ['DELE', true],
  ['RMD', true], ['MKD', true], ['PWD', true], ['NLST', true], ['SITE', true], ['SYST', true], ['PROT', true],
  ['PBSZ', true], ['FEAT', true], ['OPTS', true], ['EPRT', true], ['EPSV', true], ['MDTM', true], ['SIZE', true],
  ['MLST', true], ['MLSD', true], ['XCUP', true], ['XMKD', true], ['XPWD', true], ['XRMD', true], ['CLNT', true],
  ['AUTH', false], ['ADAT', false], ['CCC', false], ['MIC', false], ['CONF', false], ['ENC', false], ['LANG', false],
  ['HOST', false], ['MODE', false], ['LIST', false], ['STAT', false], ['HELP', false], ['NOOP', false], ['QUIT', false],
]);

const WORDS = new Words([...COMMANDS.keys()]);

/** The command word of a line (uppercase) when it is an FTP command followed by SP or the line end. */
function commandOf(buf: Buffer, p: number, e: number): string | undefined {
  return WORDS.at(buf, p, e, 4);
}

class FtpState {
  readonly pos: [number, number] = [0, 0];
  /** First line kind per direction: 0 unseen, 1 reply, 2 command. */
  readonly first: [number, number] = [0, 0];
  greeting = false;
  banner = '';
  /** First command and whether it is FTP-only. */
  command = '';
  specific = false;
  replied = false;
  detected = false;
  user = '';
  authTls = false;
  readonly tls = new StartTls();
}

function report(ctx: DissectContext, st: FtpState): void {
  ctx.detect(P.FTP_CONTROL);
  ctx.risk(Risk.Unsafe_Protocol);
  if (st.banner !== '') ctx.set('server_banner', st.banner);
  if (st.user !== '') {
    ctx.set('username', st.user);
    ctx.risk(Risk.Clear_Text_Credentials, `Found FTP username (${st.user})`);
  }
}

function line(ctx: DissectContext, st: FtpState, buf: Buffer, p: number, e: number): boolean {
  const dir = ctx.dir;
  if (replyLine(buf, p, e)) {
    if (st.first[dir] === 0) st.first[dir] = 1;
    if (st.first[dir] !== 1) return false;
    const code = (buf[p] - 48) * 100 + (buf[p + 1] - 48) * 10 + (buf[p + 2] - 48);
    if (!st.greeting && !st.replied && (code === 220 || code === 120)) {
      st.greeting = true;
      st.banner = buf.toString('utf8', p + 4 < e ? p + 4 : e, e).trim();
    } else {
      st.replied = true;
    }
    if (code === 234 && st.authTls && st.tls.at[dir] < 0) st.tls.at[dir] = e + 2 - ctx.off;
    return true;
  }
  const cmd = commandOf(buf, p, e);
  if (st.first[dir] === 0) st.first[dir] = cmd !== undefined ? 2 : 3;
  if (st.first[dir] !== 2) return false;
  if (cmd === undefined) return true;
  if (st.command === '') {
    st.command = cmd;
    st.specific = COMMANDS.get(cmd) === true;
  }
  if (cmd === 'USER' && st.user === '') {
    st.user = buf.toString('utf8', p + 5 < e ? p + 5 : e, e).trim();
    if (st.detected && st.user !== '') {
      ctx.set('username', st.user);
      ctx.risk(Risk.Clear_Text_Credentials, `Found FTP username (${st.user})`);
    }
  } else if (cmd === 'AUTH') {
    const mech = buf.toString('latin1', p + 5 < e ? p + 5 : e, e).trim().toUpperCase();
    if (mech === 'TLS' || mech === 'SSL' || mech === 'TLS-C' || mech === 'TLS-P') {
      st.authTls = true;
      st.tls.clientDir = dir;
      st.tls.at[dir] = e + 2 - ctx.off;
    }
  }
  return true;
}

const ftpControl: Dissector = {
  id: P.FTP_CONTROL,
  alsoDetects: [P.FTPS],
  on: On.Tcp,
  tcpPorts: [21],
  budget: 24,
  stream: true,
  // reply digits, command letters (either case); the check (c | 0x20) also lets 0x10..0x19 through
  tcpFirstBytes: [[0x10, 0x19], [0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  tcpFirstPacket: { short: [[0x10, 0x19], [0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]] }, // a line cut short waits (Continue)
  fields: ['server_banner', 'username', ...STARTTLS_FIELDS],
  doc: 'FTP control (RFC 959): 220 greeting and FTP commands on any port; banner, USER name; AUTH TLS followed by TLS as FTPS.',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as FtpState | undefined;
    const buf = ctx.buf;
    const end = ctx.off + ctx.len;
    const dir = ctx.dir;
    if (st === undefined) {
      const c = buf[ctx.off] | 0x20;
      if (!(c >= 0x30 && c <= 0x39) && !(c >= 0x61 && c <= 0x7a)) return Verdict.Exclude;
      const e = lineEnd(buf, ctx.off, Math.min(end, ctx.off + 1024));
      if (e < 0) return ctx.len < 1024 ? Verdict.Continue : Verdict.Exclude;
      if (!replyLine(buf, ctx.off, e) && commandOf(buf, ctx.off, e) === undefined) return Verdict.Exclude;
      st = new FtpState();
      ctx.state = st;
    }
    if (!walkLines(ctx, st, 1024, line)) return Verdict.Exclude;
    if (!st.detected) {
      const both = st.first[0] !== 0 && st.first[1] !== 0;
      if (both && st.command !== '' && (st.greeting || (st.specific && st.replied))) {
        st.detected = true;
        report(ctx, st);
      } else {
        return Verdict.Continue;
      }
    }
    if (st.tls.at[dir] >= 0 && st.pos[dir] >= st.tls.at[dir]) {
      if (st.tls.check(ctx) && dir === st.tls.clientDir && st.tls.helloSeen) ctx.detect(P.FTPS);
      if (st.tls.finished()) return Verdict.Done;
    }
    return Verdict.Detected;
  },
};

const PERM = ascii('-rwxsStTl');

/** A Unix "ls -l" line: type, nine permission characters, then a space, '+', '.' or '@'. */
function listingLine(buf: Buffer, p: number, end: number): boolean {
  if (end - p < 12) return false;
  const t = buf[p];
  if (t !== 0x2d && t !== 0x64 && t !== 0x6c && t !== 0x62 && t !== 0x63 && t !== 0x70 && t !== 0x73) return false;
  for (let i = 1; i <= 9; i++) if (PERM.indexOf(buf[p + i]) < 0) return false;
  const c = buf[p + 10];
  return c === 0x20 || c === 0x2b || c === 0x2e || c === 0x40;
}

const FILE_MAGIC: readonly Uint8Array[] = [
  ascii('PK\x03\x04'), ascii('%PDF'), ascii('GIF8'), ascii('\x89PNG'), ascii('Rar!'), ascii('7z\xbc\xaf'),
  ascii('\x1f\x8b\x08'), ascii('\xff\xd8\xff'), ascii('OggS'), ascii('fLaC'), ascii('BZh'),
];

const ftpData: Dissector = {
  id: P.FTP_DATA,
  on: On.Tcp,
  tcpPorts: [20],
  budget: 1,
  weak: true,
  // listing types - b c d l p s; file magic % 7 B G O P R f 0x1f 0x89 0xff
  tcpFirstBytes: [0x1f, 0x25, 0x2d, 0x37, 0x42, 0x47, 0x4f, 0x50, 0x52, [0x62, 0x64], 0x66, 0x6c, 0x70, 0x73, 0x89, 0xff],
  tcpFirstPacket: { short: [0x2d, [0x62, 0x64], 0x6c, 0x70, 0x73] }, // a 12-15 byte listing line; file magic needs 256 bytes
  fields: [],
  doc: 'FTP data (weak): a flow opening with a Unix directory listing line, or with a common file signature in a large first segment.',
  dissect(ctx: DissectContext): Verdict {
    if (ctx.flowIndex !== 0) return Verdict.Exclude;
    const buf = ctx.buf;
    const p = ctx.off;
    const end = p + ctx.len;
    if (listingLine(buf, p, end)) {
      const lf = buf.indexOf(10, p);
      if (lf > p && lf < end) return Verdict.Done;
    }
    if (ctx.len >= 256) for (const m of FILE_MAGIC) if (startsWith(buf, p, end, m)) return Verdict.Done;
    return Verdict.Exclude;
  },
};

export const dissectors: Dissector[] = [ftpControl, ftpData];
