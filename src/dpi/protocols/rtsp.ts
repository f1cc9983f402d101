/**
 * RTSP 1.0/2.0 (RFC 2326, RFC 7826) on any TCP port: a request line
 * "METHOD SP (rtsp|rtsps|rtspu)://... or * SP RTSP/x.y" with an RTSP method,
 * or a status line "RTSP/x.y NNN". The first message head of each direction
 * is read from the reassembled stream.
 * Metadata: user_agent (User-Agent), server_banner (Server).
 * Ignores: SDP bodies, interleaved RTP ($-framed) data, RTSP tunnelled in HTTP.
 */
import { P } from '../generated/protocols';
import { DissectContext, Dissector, On, Verdict } from '../dissector';
import { ascii, indexOfByte, startsWith, startsWithNoCase } from '../bytes';

const METHODS = ['OPTIONS', 'DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN', 'GET_PARAMETER',
  'SET_PARAMETER', 'REDIRECT', 'RECORD', 'PLAY_NOTIFY'].map(ascii);
const RTSP_SLASH = ascii('RTSP/');
const SP_RTSP = ascii(' RTSP/');
const SCHEME = ascii('rtsp');
const H_UA = ascii('user-agent');
const H_SERVER = ascii('server');

function methodLength(buf: Uint8Array, p: number, end: number): number {
  for (const m of METHODS) if (startsWith(buf, p, end, m) && buf[p + m.length] === 0x20) return m.length;
  return 0;
}

/** 1: a request or status line, 0: not RTSP, -1: need more bytes. */
function startLine(buf: Buffer, p: number, end: number): number {
  const lf = indexOfByte(buf, p, Math.min(end, p + 4096), 10);
  if (lf < 0) return end - p >= 4096 ? 0 : -1;
  let te = lf;
  if (te > p && buf[te - 1] === 13) te--;
  if (startsWith(buf, p, te, RTSP_SLASH)) return te - p >= 12 && buf[p + 8] === 0x20 ? 1 : 0;
  const m = methodLength(buf, p, te);
  if (m === 0 || te - p < m + 10 || !startsWith(buf, te - 9, te - 3, SP_RTSP)) return 0;
  const t = p + m + 1;
  return buf[t] === 0x2a || startsWithNoCase(buf, t, te, SCHEME) ? 1 : 0;
}

class RtspState {
  readonly pos: [number, number] = [0, 0];
  readonly kind: [number, number] = [0, 0];
  readonly done: [boolean, boolean] = [false, false];
}

function headers(ctx: DissectContext, st: RtspState): void {
  const dir = ctx.dir;
  const buf = ctx.buf;
  const end = ctx.off + ctx.len;
  let p = ctx.off + st.pos[dir];
  while (!st.done[dir]) {
    const lf = indexOfByte(buf, p, Math.min(end, p + 4096), 10);
    if (lf < 0) {
      if (end - p >= 4096) st.done[dir] = true;
      break;
    }
    let te = lf;
    if (te > p && buf[te - 1] === 13) te--;
    if (te === p) st.done[dir] = true;
    else if (p !== ctx.off) {
      const colon = indexOfByte(buf, p, te, 0x3a);
      if (colon > p) {
        let vs = colon + 1;
        while (vs < te && (buf[vs] === 0x20 || buf[vs] === 9)) vs++;
        const n = colon - p;
        if (n === H_UA.length && startsWithNoCase(buf, p, colon, H_UA) && vs < te) {
          ctx.set('user_agent', buf.toString('utf8', vs, te).trim());
        } else if (n === H_SERVER.length && startsWithNoCase(buf, p, colon, H_SERVER) && vs < te) {
          ctx.set('server_banner', buf.toString('utf8', vs, te).trim());
        }
      }
    }
    p = lf + 1;
  }
  st.pos[dir] = p - ctx.off;
}

export const dissector: Dissector = {
  id: P.RTSP,
  on: On.Tcp,
  tcpPorts: [554, 8554],
  budget: 8,
  tcpFirstBytes: [[0x41, 0x5a]], // upper-case method or 'R'TSP/
  tcpFirstPacket: { short: [[0x41, 0x5a]] }, // a line cut short waits (Continue)
  stream: true,
  fields: ['user_agent', 'server_banner'],
  doc: 'RTSP (RFC 2326/7826): request lines with rtsp:// targets and RTSP/x.y status lines on any port; User-Agent and Server.',
  dissect(ctx: DissectContext): Verdict {
    let st = ctx.state as RtspState | undefined;
    const dir = ctx.dir;
    if (st === undefined || st.kind[dir] === 0) {
      const c = ctx.buf[ctx.off];
      if (c < 0x41 || c > 0x5a) {
        if (st === undefined) return Verdict.Exclude;
        st.kind[dir] = 2;
        st.done[dir] = true;
      } else {
        const k = startLine(ctx.buf, ctx.off, ctx.off + ctx.len);
        if (k < 0) return st === undefined ? Verdict.Continue : Verdict.Detected;
        if (k === 0) {
          if (st === undefined) return Verdict.Exclude;
          st.kind[dir] = 2;
          st.done[dir] = true;
        } else {
          if (st === undefined) {
            st = new RtspState();
            ctx.state = st;
            ctx.detect(P.RTSP);
          }
          st.kind[dir] = 1;
        }
      }
    }
    headers(ctx, st);
    return st.done[0] && st.done[1] ? Verdict.Done : Verdict.Detected;
  },
};
