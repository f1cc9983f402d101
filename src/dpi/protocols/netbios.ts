/**
 * NetBIOS over TCP/UDP (RFC 1001/1002):
 *  - name service (RFC 1002 4.2, usually UDP 137): a DNS-style header with an
 *    opcode of query (0), registration (5), release (6), WACK (7), refresh
 *    (8/9) or multi-homed registration (15), at most one record per section,
 *    and a question or answer whose name starts as a first-level encoded
 *    NetBIOS name (length 32, letters 'A'..'P', RFC 1001 14.1);
 *  - datagram service (RFC 1002 4.4, usually UDP 138): message types 0x10..0x16
 *    with reserved flag bits clear; direct and broadcast datagrams must have
 *    DGM_LENGTH equal to the bytes after the 14-byte header and an encoded
 *    source name (or the sender's address as SOURCE_IP). Their user data is an
 *    SMB mailslot message, so they are labelled NetBIOS.SMBv1 as nDPI does;
 *  - session service (RFC 1002 4.3, usually TCP 139): a SESSION REQUEST (0x81)
 *    carrying two encoded names. SMB carried in session messages is
 *    recognised by smb.ts.
 * server_name is the decoded name (question/answer name, datagram source
 * name, called name), without its 16th (suffix) byte and trailing spaces,
 * lower-cased, as nDPI reports it; a damaged encoding keeps what decoded.
 * Risks on SMBv1 datagrams: Unsafe Protocol, and SMB Insecure Vers unless the
 * SMB command is Transaction (mailslot browsing, as nDPI tolerates it).
 * Ignores: name service resource data, NetBIOS scope labels after the first,
 * session messages other than the request.
 */
import { P, Risk } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { be16, be32 } from '../bytes';

const NAME_LEN = 32;
const SMB1_TRANS = 0x25;

/** True when buf[p] is an encoded-name character ('A'..'P'). */
function nibble(c: number): boolean {
  return c >= 0x41 && c <= 0x50;
}

/** True when an encoded name starts at p: length byte 32 and at least its first two characters valid. */
function encodedNameStart(buf: Buffer, p: number, end: number): boolean {
  return p + 3 <= end && buf[p] === NAME_LEN && nibble(buf[p + 1]) && nibble(buf[p + 2]);
}

/** True when a complete, valid encoded name (32 letters then scope labels and a 0) ends inside [p, end); returns its end or -1. */
function encodedNameEnd(buf: Buffer, p: number, end: number): number {
  if (p + 1 + NAME_LEN > end || buf[p] !== NAME_LEN) return -1;
  for (let i = p + 1; i <= p + NAME_LEN; i++) if (!nibble(buf[i])) return -1;
  p += 1 + NAME_LEN;
  while (p < end) {
    const l = buf[p];
    if (l === 0) return p + 1;
    if (l > 63) return -1;
    p += 1 + l;
  }
  return -1;
}

/**
 * Decodes the first-level encoded name at p (metadata only: allocates):
 * pairs of 'A'..'P' to bytes until a bad character; a complete name loses
 * its suffix byte; then up to the first NUL, trailing spaces trimmed,
 * lower-cased, non-printable bytes as '?'.
 */
export function netbiosName(buf: Buffer, p: number, end: number): string {
  if (p >= end) return '';
  const n = Math.min(buf[p] >> 1, 16);
  const out: number[] = [];
  let complete = true;
  for (let i = 0; i < n; i++) {
    const a = p + 1 + 2 * i;
    if (a + 1 >= end || !nibble(buf[a]) || !nibble(buf[a + 1])) {
      complete = false;
      break;
    }
    out.push(((buf[a] - 0x41) << 4) | (buf[a + 1] - 0x41));
  }
  if (complete && out.length > 0) out.pop();
  const nul = out.indexOf(0);
  if (nul >= 0) out.length = nul;
  while (out.length > 0 && out[out.length - 1] === 32) out.pop();
  let s = '';
  for (const c of out) {
    const l = c >= 65 && c <= 90 ? c + 32 : c;
    s += l >= 32 && l <= 126 ? String.fromCharCode(l) : '?';
  }
  return s;
}

/** Name service packet: the offset of the name to report, or -1 when not one. */
function nameService(buf: Buffer, off: number, end: number): number {
  if (end - off < 12 + 3) return -1;
  const flags = be16(buf, off + 2);
  const opcode = (flags >> 11) & 0xf;
  if (!(opcode === 0 || (opcode >= 5 && opcode <= 9) || opcode === 15)) return -1;
  const qd = be16(buf, off + 4);
  const an = be16(buf, off + 6);
  const ns = be16(buf, off + 8);
  const ar = be16(buf, off + 10);
  if (qd > 1 || an > 1 || ns > 1 || ar > 1 || qd + an === 0) return -1;
  return encodedNameStart(buf, off + 12, end) ? off + 12 : -1;
}

/** Source address of the packet as a 32-bit word (IPv4 only; 0 otherwise). */
function srcIpv4(ctx: DissectContext): number {
  return ctx.ipVersion === 4 ? ctx.srcAddr[ctx.srcAddrOff] >>> 0 : 0;
}

function dissectUdp(ctx: DissectContext): Verdict {
  const buf = ctx.buf;
  const off = ctx.off;
  const end = off + ctx.len;
  const t = buf[off];
  if (t >= 0x10 && t <= 0x16) {
    if (ctx.len < 14 || (buf[off + 1] & 0xf0) !== 0) return Verdict.Exclude;
    if (t <= 0x12) {
      // Direct unique/group and broadcast datagrams: header, source and destination names, SMB user data.
      if (be16(buf, off + 10) !== ctx.len - 14) return Verdict.Exclude;
      const srcEnd = encodedNameEnd(buf, off + 14, end);
      if (srcEnd < 0 && be32(buf, off + 4) !== srcIpv4(ctx)) return Verdict.Exclude;
      ctx.set('server_name', netbiosName(buf, off + 14, end));
      const dstEnd = srcEnd < 0 ? -1 : encodedNameEnd(buf, srcEnd, end);
      const user = dstEnd;
      if (user >= 0 && !(user + 9 <= end && buf[user] === 0xff && buf[user + 1] === 0x53 && buf[user + 2] === 0x4d && buf[user + 3] === 0x42)) {
        ctx.detect(P.NetBIOS);
        return Verdict.Done;
      }
      ctx.detect(P.SMBv1, P.NetBIOS);
      ctx.set('smb_version', 'SMBv1');
      ctx.risk(Risk.Unsafe_Protocol, 'Found SMBv1');
      if (user >= 0 && buf[user + 4] !== SMB1_TRANS) ctx.risk(Risk.SMB_Insecure_Vers, 'Found SMBv1');
      return Verdict.Done;
    }
    if (t === 0x13) {
      // Datagram error: 10-byte header and an error code.
      if (ctx.len !== 11 || buf[off + 10] < 0x82 || buf[off + 10] > 0x84) return Verdict.Exclude;
      ctx.detect(P.NetBIOS);
      return Verdict.Done;
    }
    // Query request / positive / negative query response: 10-byte header and a destination name.
    if (encodedNameEnd(buf, off + 10, end) < 0) return Verdict.Exclude;
    ctx.set('server_name', netbiosName(buf, off + 10, end));
    ctx.detect(P.NetBIOS);
    return Verdict.Done;
  }
  const name = nameService(buf, off, end);
  if (name < 0) return Verdict.Exclude;
  ctx.set('server_name', netbiosName(buf, name, end));
  ctx.detect(P.NetBIOS);
  return Verdict.Done;
}

function dissectTcp(ctx: DissectContext): Verdict {
  if (ctx.dir !== Dir.C2S || ctx.dirIndex !== 0) return Verdict.Exclude;
  const buf = ctx.buf;
  const off = ctx.off;
  const end = off + ctx.len;
  // SESSION REQUEST: type 0x81, flags (bit 0 extends the length), length, called name, calling name.
  if (ctx.len < 4 + 2 * 34 || buf[off] !== 0x81 || (buf[off + 1] & 0xfe) !== 0) return Verdict.Exclude;
  const len = ((buf[off + 1] & 1) << 16) | be16(buf, off + 2);
  if (len !== ctx.len - 4) return Verdict.Exclude;
  const called = encodedNameEnd(buf, off + 4, end);
  if (called < 0 || encodedNameEnd(buf, called, end) !== end) return Verdict.Exclude;
  ctx.set('server_name', netbiosName(buf, off + 4, end));
  ctx.detect(P.NetBIOS);
  return Verdict.Done;
}

export const dissector: Dissector = {
  id: P.NetBIOS,
  alsoDetects: [P.SMBv1],
  on: On.TcpUdp,
  tcpPorts: [139],
  udpPorts: [137, 138, 139],
  budget: 2,
  tcpFirstBytes: [0x81], // SESSION REQUEST
  // UDP: a 15-byte name service packet (starting with its transaction ID) is taken.
  tcpFirstPacket: { short: [] }, // a SESSION REQUEST is 72 bytes and more
  fields: ['server_name', 'smb_version'],
  doc: 'NetBIOS name, datagram and session services (RFC 1001/1002): encoded NetBIOS names, datagrams carrying SMB mailslots (NetBIOS.SMBv1); the decoded name.',
  dissect(ctx: DissectContext): Verdict {
    return ctx.l4 === 17 ? dissectUdp(ctx) : dissectTcp(ctx);
  },
};
