/**
 * Zoom media over UDP, as documented by the Zoom traffic analyses of
 * Michel et al. ("Enabling Passive Measurement of Zoom Performance in
 * Production Networks", IMC 2022) and their Wireshark dissector:
 *  - server (SFU/MMR, port 8801) encapsulation: a type byte, then for the
 *    session set-up a type-1 request answered by a type-2 response that
 *    repeats the request's 16-byte session token (bytes 3-18); media and
 *    control frames (types 3 and 5) carry a 3-byte session id, at offset 10
 *    (type 3) or 4 (type 5, followed by the direction byte 0 "to Zoom" or 4
 *    "from Zoom" and an inner media type) — two frames with the same id
 *    identify a flow caught mid-session;
 *  - peer-to-peer set-up (type 0x1f 0x02 0x01 0x00): two address slots, then
 *    a length-prefixed dotted IPv4 address and a length-prefixed 36-character
 *    conference GUID.
 * Zoom's STUN flows are the STUN dissector's (attribute 0x0101/0x0103).
 * Ignores: the encrypted media, the inner RTP/RTCP.
 */
import { P } from '../generated/protocols';
import { Dir, DissectContext, Dissector, On, Verdict } from '../dissector';
import { be32 } from '../bytes';

interface ZoomState {
  /** Type-1 request token holder: the request's offset-3 bytes (16), and its direction. */
  token: Buffer | null;
  tokenDir: Dir;
  /** Session id (24 bits) of a type-3/5 frame already seen, or -1. */
  session: number;
}

/** Inner media types of type-5 frames (audio, video, screen share, RTCP ...). */
function innerType(t: number): boolean {
  return t === 13 || t === 15 || t === 16 || t === 21 || t === 30 || t === 32 || t === 33 || t === 34 || t === 35 || t === 12;
}

function sessionOf(buf: Buffer, off: number, len: number): number {
  const t = buf[off];
  if (t === 5 && len >= 16 && buf[off + 3] === 0) {
    const dirByte = buf[off + 7];
    if ((dirByte !== 0 && dirByte !== 4) || !innerType(buf[off + 8])) return -1;
    return (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6];
  }
  if (t === 3 && len >= 13 && buf[off + 1] === 0 && buf[off + 2] === 0 && buf[off + 3] === 0 && buf[off + 9] === 0) {
    return (buf[off + 10] << 16) | (buf[off + 11] << 8) | buf[off + 12];
  }
  return -1;
}

function digitsDots(buf: Buffer, p: number, n: number): boolean {
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[p + i];
    if (c === 46) dots++;
    else if (c < 48 || c > 57) return false;
  }
  return dots === 3;
}

/** Peer-to-peer set-up datagram: 1f 02 01 00, address slots, length-prefixed IPv4 text and GUID. */
function p2pSetup(buf: Buffer, off: number, len: number): boolean {
  if (len < 28 || be32(buf, off) !== 0x1f020100) return false;
  const n = be32(buf, off + 24);
  if (n < 7 || n > 15 || off + 28 + n + 4 > off + len || !digitsDots(buf, off + 28, n)) return false;
  const g = off + 28 + n;
  const glen = be32(buf, g);
  if (glen !== 36 || g + 4 + 36 > off + len) return false;
  for (const i of [8, 13, 18, 23]) if (buf[g + 4 + i] !== 45) return false;
  return true;
}

export const dissector: Dissector = {
  id: P.Zoom,
  on: On.Udp,
  budget: 8,
  udpFirstBytes: [0x01, 0x03, 0x05, 0x1f], // set-up request, media/control frames, P2P set-up (a type-2 response needs a request)
  udpFirstPacket: { short: [0x03] }, // a 13-15 byte type-3 media frame
  fields: [],
  doc: 'Zoom media over UDP: SFU encapsulation session set-up (type 1/2 with one token) or two media frames of one session, P2P set-up datagrams.',
  dissect(ctx: DissectContext): Verdict {
    const buf = ctx.buf;
    const off = ctx.off;
    const len = ctx.len;
    const t = buf[off];
    if (t === 0x1f) {
      if (p2pSetup(buf, off, len)) {
        ctx.detect(P.Zoom);
        return Verdict.Done;
      }
      return ctx.state === undefined ? Verdict.Exclude : Verdict.Continue;
    }
    if (t < 1 || t > 5) return ctx.state === undefined ? Verdict.Exclude : Verdict.Continue;
    let st = ctx.state as ZoomState | undefined;
    if (t === 1 && len >= 32 && buf[off + 1] === 0) {
      if (st === undefined) {
        st = { token: null, tokenDir: ctx.dir, session: -1 };
        ctx.state = st;
      }
      if (st.token === null) {
        st.token = Buffer.from(buf.subarray(off + 3, off + 19));
        st.tokenDir = ctx.dir;
      }
      return Verdict.Continue;
    }
    if (t === 2 && st !== undefined && st.token !== null && ctx.dir !== st.tokenDir && len >= 19 && buf[off + 1] === 0) {
      if (st.token.compare(buf, off + 3, off + 19) === 0) {
        ctx.detect(P.Zoom);
        return Verdict.Done;
      }
      return Verdict.Continue;
    }
    const s = sessionOf(buf, off, len);
    if (s >= 0) {
      if (st === undefined) {
        st = { token: null, tokenDir: ctx.dir, session: s };
        ctx.state = st;
        return Verdict.Continue;
      }
      if (st.session === s) {
        ctx.detect(P.Zoom);
        return Verdict.Done;
      }
      if (st.session < 0) st.session = s;
      return Verdict.Continue;
    }
    return st === undefined ? Verdict.Exclude : Verdict.Continue;
  },
};
