/**
 * Memcached (protocol.txt of the memcached project; binary protocol of the
 * Memcached wiki) over TCP and UDP on any port.
 *  - Text protocol: a client command line (get, gets, gat, gats, set, add,
 *    replace, append, prepend, cas, delete, incr, decr, touch, stats,
 *    version, verbosity, flush_all, quit, and the meta commands mg ms md ma
 *    mn me) confirmed by a server reply line (VALUE, END, STORED,
 *    NOT_STORED, EXISTS, NOT_FOUND, DELETED, TOUCHED, OK, ERROR,
 *    CLIENT_ERROR, SERVER_ERROR, STAT, VERSION, a number, or a meta reply
 *    HD/VA/EN/NF/NS/EX/MN/ME).
 *  - UDP: the 8-byte frame header (request id, sequence number, datagram
 *    count, reserved zero) before a text command or reply is enough.
 *  - Binary protocol: a 24-byte header with magic 0x80 (request) or 0x81
 *    (response), data type 0 and a total body length that covers the key and
 *    extras and ends exactly where the segment ends.
 * Ignores: keys and values.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { indexOfByte } from '../bytes';
import { Words } from './smtp';

const COMMANDS = new Words(['get', 'gets', 'gat', 'gats', 'set', 'add', 'replace', 'append', 'prepend', 'cas', 'delete',
  'incr', 'decr', 'touch', 'stats', 'version', 'verbosity', 'flush_all', 'quit', 'mg', 'ms', 'md', 'ma', 'mn', 'me',
  'shutdown', 'cache_memlimit', 'lru_crawler', 'watch']);
/** Commands valid without arguments. */
const BARE = new Words(['stats', 'version', 'flush_all', 'quit', 'mn', 'shutdown', 'watch']);
const REPLIES = new Words(['VALUE', 'END', 'STORED', 'NOT_STORED', 'EXISTS', 'NOT_FOUND', 'DELETED', 'TOUCHED', 'OK',
  'ERROR', 'CLIENT_ERROR', 'SERVER_ERROR', 'STAT', 'VERSION', 'HD', 'VA', 'EN', 'NF', 'NS', 'EX', 'MN', 'ME']);

/** 1 command, 2 reply, 0 neither, for the CRLF-ended line at p. */
function textKind(buf: Buffer, p: number, end: number): number {
  const lf = indexOfByte(buf, p, Math.min(end, p + 2048), 10);
  if (lf <= p || buf[lf - 1] !== 13) return 0;
  const le = lf - 1;
  let i = p;
  while (i < le && buf[i] !== 0x20 && i - p < 16) i++;
  const n = i - p;
  const c = buf[p];
  if (c >= 0x61 && c <= 0x7a) {
    const w = COMMANDS.find(buf, p, n);
    if (w === undefined || !lowercase(buf, p, n)) return 0;
    return le - p > n || BARE.find(buf, p, n) !== undefined ? 1 : 0;
  }
  if (c >= 0x41 && c <= 0x5a) return REPLIES.find(buf, p, n) !== undefined && uppercase(buf, p, n) ? 2 : 0;
  if (c >= 0x30 && c <= 0x39 && i === le) {
    for (let k = p; k < le; k++) if (buf[k] < 0x30 || buf[k] > 0x39) return 0;
    return 2;
  }
  return 0;
}

function lowercase(buf: Buffer, p: number, n: number): boolean {
  for (let k = p; k < p + n; k++) if (buf[k] >= 0x41 && buf[k] <= 0x5a) return false;
  return true;
}

function uppercase(buf: Buffer, p: number, n: number): boolean {
  for (let k = p; k < p + n; k++) if (buf[k] >= 0x61 && buf[k] <= 0x7a) return false;
  return true;
}

function binary(buf: Buffer, p: number, end: number): boolean {
  if (end - p < 24 || (buf[p] !== 0x80 && buf[p] !== 0x81) || buf[p + 5] !== 0) return false;
  const keyLen = (buf[p + 2] << 8) | buf[p + 3];
  const extras = buf[p + 4];
  const body = ((buf[p + 8] << 24) | (buf[p + 9] << 16) | (buf[p + 10] << 8) | buf[p + 11]) >>> 0;
  return body >= keyLen + extras && p + 24 + body === end && buf[p + 1] <= 0x48;
}

class McState {
  command = false;
  reply = false;
}

export const dissector: Dissector = {
  id: P.Memcached,
  on: On.TcpUdp,
  tcpPorts: [11211],
  udpPorts: [11211],
  budget: 6,
  // binary magic 0x80/0x81; reply words C D E H M N O S T V; lowercase command words a c d f g i l m p q r s t v w
  tcpFirstBytes: [0x43, 0x44, 0x45, 0x48, 0x4d, 0x4e, 0x4f, 0x53, 0x54, 0x56, 0x61, 0x63, 0x64, 0x66, 0x67, 0x69, 0x6c, 0x6d, 0x70, 0x71, 0x72, 0x73, 0x74, 0x76, 0x77, 0x80, 0x81],
  // The text words only (the binary header is 24 bytes). UDP: no short declaration, a 10-15 byte datagram (8-byte
  // frame header, whose first byte is any request id, and a line like "1\r\n") can be a reply.
  tcpFirstPacket: { short: [0x43, 0x44, 0x45, 0x48, 0x4d, 0x4e, 0x4f, 0x53, 0x54, 0x56, 0x61, 0x63, 0x64, 0x66, 0x67, 0x69, 0x6c, 0x6d, 0x70, 0x71, 0x72, 0x73, 0x74, 0x76, 0x77] },
  // UDP frame header (reserved word 0), then a text command/reply or the binary magic.
  udpFirstPacket: { minLen: 10, bytes: [[6, [0]], [7, [0]], [8, [[0x30, 0x39], [0x41, 0x7a], 0x80, 0x81]]] },
  fields: [],
  doc: 'Memcached text protocol (command answered by a reply), its UDP frame header, and the binary protocol header, on any port.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const end = ctx.off + ctx.len;
    let p = ctx.off;
    if (ctx.l4 === 17) {
      if (ctx.len < 10 || buf[p + 6] !== 0 || buf[p + 7] !== 0) return Verdict.Exclude;
      const total = (buf[p + 4] << 8) | buf[p + 5];
      const seq = (buf[p + 2] << 8) | buf[p + 3];
      if (total === 0 || seq >= total) return Verdict.Exclude;
      p += 8;
      const c = buf[p];
      if (((c >= 0x41 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) && textKind(buf, p, end) !== 0) return Verdict.Done;
      if (binary(buf, p, end)) return Verdict.Done;
      return Verdict.Exclude;
    }
    const c = buf[p];
    if (binary(buf, p, end)) return Verdict.Done;
    if (c < 0x41 || c > 0x7a) return ctx.state === undefined || c < 0x30 || c > 0x39 ? Verdict.Exclude : Verdict.Continue;
    const k = textKind(buf, p, end);
    if (k === 0) return Verdict.Exclude;
    let st = ctx.state as McState | undefined;
    if (st === undefined) {
      st = new McState();
      ctx.state = st;
    }
    if (k === 1) st.command = true;
    else st.reply = true;
    return st.command && st.reply ? Verdict.Done : Verdict.Continue;
  },
};
