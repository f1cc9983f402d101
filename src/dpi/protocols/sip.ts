/**
 * SIP (RFC 3261, methods of RFC 3262/3265/3311/3428/3515/3903/6086) over
 * UDP and TCP on any port: a request line "METHOD SP sip:|sips: URI ..."
 * ("tel:" URIs need the "SIP/2.0" version) or a status line "SIP/2.0 NNN". Over UDP each datagram is a
 * message (a TURN ChannelData header, RFC 8656 12.4, is skipped); a flow may
 * open with keep-alives (CRLF) before its first message. Over TCP the first
 * message head of each direction is read from the stream.
 * Metadata: user_agent (User-Agent, else Server), sip_from and sip_to (the
 * URIs of From/To, compact forms f/t) of the first message.
 * Ignores: SDP bodies, Via/Contact routing, authentication.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOfByte, startsWithNoCase } from '../bytes';

const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH',
  'INFO', 'REFER', 'MESSAGE', 'UPDATE'].map((m) => ascii(m.toLowerCase()));
const SIP_2 = ascii('sip/2.0');
const SIP = ascii('sip:');
const SIPS = ascii('sips:');
const TEL = ascii('tel:');

/** Length of the start line's method (case-insensitive) followed by SP, or 0. */
function methodLength(buf: Uint8Array, p: number, end: number): number {
  for (const m of METHODS) if (startsWithNoCase(buf, p, end, m) && buf[p + m.length] === 0x20) return m.length;
  return 0;
}

/** 1: SIP start line at p, 0: not SIP, -1: incomplete. */
function startLine(buf: Buffer, p: number, end: number): number {
  const lf = indexOfByte(buf, p, Math.min(end, p + 2048), 10);
  if (lf < 0) return end - p >= 2048 ? 0 : -1;
  let te = lf;
  if (te > p && buf[te - 1] === 13) te--;
  if (startsWithNoCase(buf, p, te, SIP_2)) {
    return te - p >= 11 && buf[p + 7] === 0x20 && buf[p + 8] >= 0x31 && buf[p + 8] <= 0x36 ? 1 : 0;
  }
  const m = methodLength(buf, p, te);
  if (m === 0) return 0;
  const u = p + m + 1;
  // "METHOD SP sip:..." is distinctive on its own (a damaged version at the line end is still SIP to nDPI).
  if (startsWithNoCase(buf, u, te, SIP) || startsWithNoCase(buf, u, te, SIPS)) return 1;
  return startsWithNoCase(buf, u, te, TEL) && te - u > 8 && startsWithNoCase(buf, te - 8, te, SP_SIP_2) ? 1 : 0;
}

const SP_SIP_2 = ascii(' sip/2.0');

/** The URI of a From/To value: inside <...>, else up to ';'. */
function addrUri(v: string): string {
  const lt = v.indexOf('<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    return v.slice(lt + 1, gt > lt ? gt : undefined).trim();
  }
  const semi = v.indexOf(';');
  return (semi >= 0 ? v.slice(0, semi) : v).trim();
}

/** Reads the header lines after the start line at buf[p...]; returns true at the blank line. */
function headers(ctx: DissectContext, buf: Buffer, p: number, end: number): boolean {
  const lf0 = indexOfByte(buf, p, end, 10);
  if (lf0 < 0) return false;
  p = lf0 + 1;
  let ua = '';
  let server = '';
  while (p < end) {
    const lf = indexOfByte(buf, p, Math.min(end, p + 2048), 10);
    const le = lf < 0 ? end : lf;
    let te = le;
    if (te > p && buf[te - 1] === 13) te--;
    if (te === p) break;
    const colon = indexOfByte(buf, p, te, 0x3a);
    if (colon > p) {
      let ne = colon;
      while (ne > p && (buf[ne - 1] === 0x20 || buf[ne - 1] === 9)) ne--;
      const name = buf.toString('latin1', p, ne).toLowerCase();
      const value = buf.toString('utf8', colon + 1, te).trim();
      if (value !== '') {
        if (name === 'user-agent') ua = value;
        else if (name === 'server') server = value;
        else if (name === 'from' || name === 'f') ctx.set('sip_from', addrUri(value));
        else if (name === 'to' || name === 't') ctx.set('sip_to', addrUri(value));
      }
    }
    if (lf < 0) break;
    p = lf + 1;
  }
  if (ua !== '') ctx.set('user_agent', ua);
  else if (server !== '') ctx.set('user_agent', server);
  return p < end;
}

class SipState {
  meta = false;
  readonly checked: [boolean, boolean] = [false, false];
}

/** Skips a TURN ChannelData header (channel 0x4000-0x7FFF, length = rest). */
function channelData(buf: Buffer, p: number, end: number): number {
  if (end - p > 4 && buf[p] >= 0x40 && buf[p] <= 0x7f && ((buf[p + 2] << 8) | buf[p + 3]) === end - p - 4) return p + 4;
  return p;
}

function isKeepAlive(buf: Buffer, p: number, end: number): boolean {
  for (let i = p; i < end; i++) if (buf[i] !== 13 && buf[i] !== 10 && buf[i] !== 0) return false;
  return true;
}

export const dissector: Dissector = {
  id: P.SIP,
  on: On.TcpUdp,
  tcpPorts: [5060, 5061],
  udpPorts: [5060, 5061],
  budget: 6,
  // UDP: CR/LF/NUL keep-alives, TURN ChannelData 0x40-0x7F, letters (methods, 'SIP/2.0', garbled datagrams kept).
  // TCP: any (a first segment without LF is Continue).
  udpFirstBytes: [0x00, 0x0a, 0x0d, [0x40, 0x7f]],
  udpFirstPacket: { short: [0x00, 0x0a, 0x0d, [0x40, 0x7f]] }, // keep-alives, ChannelData, letters (Continue)
  stream: true,
  fields: ['user_agent', 'sip_from', 'sip_to'],
  doc: 'SIP (RFC 3261) over UDP and TCP: request lines with sip:/sips:/tel: URIs and SIP/2.0 status lines on any port; User-Agent, From, To.',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as SipState | undefined;
    const buf = ctx.buf;
    const end = ctx.off + ctx.len;
    if (ctx.l4 === 17) {
      const p = channelData(buf, ctx.off, end);
      const k = startLine(buf, p, end);
      if (k !== 1) {
        if (st !== undefined) return Verdict.Detected;
        // Keep-alives and the odd garbled datagram may precede the first message.
        const c = buf[p];
        return isKeepAlive(buf, p, end) || (c >= 0x41 && c <= 0x7a) ? Verdict.Continue : Verdict.Exclude;
      }
      if (st === undefined) {
        st = new SipState();
        ctx.state = st;
        ctx.detect(P.SIP);
      }
      if (!st.meta) {
        headers(ctx, buf, p, end);
        st.meta = true;
      }
      return Verdict.Done;
    }
    const dir = ctx.dir;
    if (st !== undefined && st.checked[dir]) return Verdict.Detected;
    const k = startLine(buf, ctx.off, end);
    if (k < 0) return st === undefined ? Verdict.Continue : Verdict.Detected;
    if (k === 0) {
      if (st === undefined) return Verdict.Exclude;
      st.checked[dir] = true;
      return Verdict.Detected;
    }
    if (st === undefined) {
      st = new SipState();
      ctx.state = st;
      ctx.detect(P.SIP);
    }
    if (headers(ctx, buf, ctx.off, end) || ctx.len >= 8192) st.checked[dir] = true;
    return st.checked[0] && st.checked[1] ? Verdict.Done : Verdict.Detected;
  },
};
