/**
 * DTLS record layer (RFC 6347 4.1, RFC 9147 4 for the DTLSCiphertext-less
 * 1.3 hellos): 13-byte record headers (type, version 0xfeff/0xfefd/0xfefc
 * or OpenSSL's pre-standard 0x0100, epoch, 48-bit sequence, length), one or
 * more records filling a datagram exactly; epoch-0 handshake records carry
 * 12-byte handshake headers (type, length, message_seq, fragment_offset,
 * fragment_length) and fragments are reassembled per message_seq.
 * A flow caught mid-session is recognised from an application data record.
 * Alerts in clear with level 2 raise TLS Fatal Alert.
 * Ignores: encrypted records (epoch > 0), DTLS 1.3 unified headers.
 */
import { Risk } from '../../generated/protocols';
import { P } from '../../generated/protocols';
import { DissectContext, Verdict } from '../../dissector';
import { HsState, onMessage } from './handshake';

const REC_CCS = 20;
const REC_ALERT = 21;
const REC_HANDSHAKE = 22;
const REC_APPDATA = 23;
const MAX_MESSAGE = 65536;
const MAX_PENDING = 8;

/** A handshake message being reassembled from fragments. */
interface Pending {
  seq: number;
  type: number;
  data: Buffer;
  have: Uint8Array;
  missing: number;
}

export class DtlsState extends HsState {
  readonly pending: [Pending[], Pending[]] = [[], []];
  readonly ccs: [boolean, boolean] = [false, false];
  readonly appData: [boolean, boolean] = [false, false];
  readonly done: [Set<number>, Set<number>] = [new Set(), new Set()];
  alert = false;
}

function versionOk(hi: number, lo: number): boolean {
  return (hi === 0xfe && (lo === 0xff || lo === 0xfd || lo === 0xfc)) || (hi === 0x01 && lo === 0x00);
}

/** Checks that buf[off, off + len) is a sequence of DTLS records filling it exactly. */
function looksLikeDtls(buf: Buffer, off: number, len: number): boolean {
  const end = off + len;
  let p = off;
  if (len < 13) return false;
  while (p < end) {
    if (p + 13 > end) return false;
    const t = buf[p];
    if (t < REC_CCS || t > REC_APPDATA || !versionOk(buf[p + 1], buf[p + 2])) return false;
    const n = (buf[p + 11] << 8) | buf[p + 12];
    if (n === 0 || p + 13 + n > end) return false;
    p += 13 + n;
  }
  return true;
}

/** Adds one fragment; returns the complete message when it is whole. */
function addFragment(st: DtlsState, dir: number, type: number, mlen: number, seq: number,
  buf: Buffer, p: number, foff: number, flen: number): Pending | null {
  const list = st.pending[dir];
  let m = list.find((x) => x.seq === seq);
  if (m === undefined) {
    if (list.length >= MAX_PENDING) return null;
    m = { seq, type, data: Buffer.alloc(mlen), have: new Uint8Array(mlen), missing: mlen };
    list.push(m);
  }
  if (m.type !== type || m.data.length !== mlen) return null;
  buf.copy(m.data, foff, p, p + flen);
  for (let i = foff; i < foff + flen; i++) {
    if (m.have[i] === 0) {
      m.have[i] = 1;
      m.missing--;
    }
  }
  if (m.missing > 0) return null;
  list.splice(list.indexOf(m), 1);
  return m;
}

/** Handles the handshake fragments of one epoch-0 record body; false when malformed. */
function handshakeRecord(ctx: DissectContext, st: DtlsState, dir: number, buf: Buffer, p: number, end: number): boolean {
  while (p + 12 <= end) {
    const type = buf[p];
    const mlen = (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
    const seq = (buf[p + 4] << 8) | buf[p + 5];
    const foff = (buf[p + 6] << 16) | (buf[p + 7] << 8) | buf[p + 8];
    const flen = (buf[p + 9] << 16) | (buf[p + 10] << 8) | buf[p + 11];
    p += 12;
    if (mlen > MAX_MESSAGE || foff + flen > mlen || p + flen > end) return false;
    if (!st.done[dir].has(seq)) {
      if (foff === 0 && flen === mlen) {
        st.done[dir].add(seq);
        if (!onMessage(ctx, st, dir, type, buf, p, mlen, true)) return false;
      } else if (flen > 0) {
        const m = addFragment(st, dir, type, mlen, seq, buf, p, foff, flen);
        if (m !== null) {
          st.done[dir].add(seq);
          if (!onMessage(ctx, st, dir, type, m.data, 0, mlen, true)) return false;
        }
      }
    }
    p += flen;
  }
  return p === end;
}

/** A STUN message (RFC 8489 5: two zero bits, length multiple of 4 covering the rest, magic cookie). */
function looksLikeStun(buf: Buffer, off: number, len: number): boolean {
  return len >= 20 && (buf[off] & 0xc0) === 0 && ((buf[off + 2] << 8) | buf[off + 3]) === len - 20 &&
    (len & 3) === 0 && buf[off + 4] === 0x21 && buf[off + 5] === 0x12 && buf[off + 6] === 0xa4 && buf[off + 7] === 0x42;
}

export function dissectUdp(ctx: DissectContext): Verdict {
  let st = ctx.state as DtlsState | undefined;
  const buf = ctx.buf;
  const dir = ctx.dir;
  if (st === undefined) {
    if (ctx.len < 13) return Verdict.Exclude;
    const t = buf[ctx.off];
    if (t >= REC_CCS && t <= REC_APPDATA) {
      if (!versionOk(buf[ctx.off + 1], buf[ctx.off + 2])) return Verdict.Exclude;
      // A damaged record may be followed by good ones (WebRTC stacks retransmit).
      if (!looksLikeDtls(buf, ctx.off, ctx.len)) return Verdict.Continue;
      st = new DtlsState(P.DTLS);
      // Other datagrams came first: DTLS multiplexed in a STUN/WebRTC session handed over by STUN.
      st.afterStun = ctx.flowIndex > 0;
    } else if (t <= 1 && looksLikeStun(buf, ctx.off, ctx.len)) {
      st = new DtlsState(P.DTLS);
      st.afterStun = true;
      ctx.state = st;
      return Verdict.Continue;
    } else {
      return Verdict.Exclude;
    }
    ctx.state = st;
  }
  if (!st.detected && looksLikeStun(buf, ctx.off, ctx.len)) return Verdict.Continue;
  if (looksLikeDtls(buf, ctx.off, ctx.len)) {
    const end = ctx.off + ctx.len;
    let p = ctx.off;
    while (p < end) {
      const type = buf[p];
      const epoch = (buf[p + 3] << 8) | buf[p + 4];
      const n = (buf[p + 11] << 8) | buf[p + 12];
      const body = p + 13;
      p = body + n;
      if (type === REC_HANDSHAKE && epoch === 0) {
        if (!handshakeRecord(ctx, st, dir, buf, body, body + n) && !st.detected) return Verdict.Exclude;
      } else if (type === REC_CCS) {
        st.ccs[dir] = true;
      } else if (type === REC_ALERT && epoch === 0 && n === 2) {
        if (buf[body] === 2) {
          st.alert = true;
          ctx.risk(Risk.TLS_Fatal_Alert, 'Found fatal TLS alert');
        }
      } else if (type === REC_APPDATA) {
        st.appData[dir] = true;
        st.detect(ctx);
      }
    }
  } else if (!st.detected) {
    return st.afterStun ? Verdict.Continue : Verdict.Exclude;
  }
  if (!st.detected) return Verdict.Continue;
  const server = st.clientDir >= 0 ? st.clientDir ^ 1 : -1;
  if (server >= 0 && st.serverHello && st.ccs[server]) st.certDone = true;
  if (st.complete() || st.alert || (st.appData[0] && st.appData[1])) return Verdict.Done;
  return Verdict.Detected;
}
