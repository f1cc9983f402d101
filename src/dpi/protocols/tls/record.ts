/**
 * TLS record layer over TCP (RFC 8446 5.1, RFC 5246 6.2): walks each
 * direction's byte stream record by record (type 20-24, version 3.x,
 * uint16 length) and hands complete handshake messages to the handshake
 * dispatcher. A message inside one record is read where it lies in the
 * stream (the engine keeps each direction's stream from its first byte, so
 * a message cut by a segment boundary is read once the rest is in); only a
 * message spanning records is gathered into a buffer of its own. A
 * Certificate message is read as soon as its first certificate is in,
 * even when the rest of the chain is not.
 * A flow caught after its handshake is recognised like nDPI does: records
 * of type 20/21/23 that end exactly where the stream so far ends.
 * Alerts (type 21) sent in clear with level 2 raise TLS Fatal Alert.
 * Ignores: record contents after ChangeCipherSpec (encrypted), SSLv2 hellos.
 */
import { Risk } from '../../generated/protocols';
import { DissectContext, Verdict } from '../../dissector';
import { firstCertificate, HS_CERTIFICATE, HsState, onMessage, tlsLabel } from './handshake';

const REC_CCS = 20;
const REC_ALERT = 21;
const REC_HANDSHAKE = 22;
const REC_APPDATA = 23;
/** Largest record body: 2^14 plus the expansion TLS 1.2 allows. */
const MAX_RECORD = 16384 + 2048;
/** Largest handshake message gathered (longer ones are not reassembled). */
const MAX_MESSAGE = 65536;

/** Handshake message types a stream may start with before detection. */
function knownHandshakeType(t: number): boolean {
  return t === 1 || t === 2 || t === 4 || t === 11 || t === 12 || t === 13 || t === 14 || t === 16 || t === 20;
}

class Side {
  /** Stream offset up to which records were walked. */
  pos = 0;
  /** Type and bytes still to come of the record being walked (left 0: at a header). */
  type = 0;
  left = 0;
  /** Records seen complete, and those of type CCS/alert/application data. */
  records = 0;
  others = 0;
  /** Invalid record header: this direction is not TLS. */
  bad = false;
  /** Malformed handshake: stop reading handshake messages. */
  hsBad = false;
  ccs = false;
  appData = false;
  /** Stream offset of the next handshake message to read in place (inside the current handshake record). */
  msgAt = 0;
  /** Handshake bytes gathered for a message spanning records: hs[hsPos, hsLen) not yet consumed (hsLen 0: none). */
  hs: Buffer | null = null;
  hsLen = 0;
  hsPos = 0;
}

export class TcpState extends HsState {
  readonly sides: [Side, Side] = [new Side(), new Side()];
  alert = false;
}

function appendHs(s: Side, buf: Buffer, p: number, n: number): boolean {
  if (s.hsLen + n > MAX_MESSAGE + 4) return false;
  let hs = s.hs;
  if (hs === null || hs.length < s.hsLen + n) {
    let size = hs === null ? 1024 : hs.length * 2;
    while (size < s.hsLen + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    if (hs !== null) hs.copy(grown, 0, 0, s.hsLen);
    s.hs = hs = grown;
  }
  buf.copy(hs, s.hsLen, p, p + n);
  s.hsLen += n;
  return true;
}

/**
 * Reads the handshake messages of buf[p, end): complete ones go to the
 * dispatcher, a Certificate still coming has its first certificate read if
 * it is in. Returns the offset of the first message not complete (end when
 * none), or -1 when the messages are malformed.
 */
function readMessages(ctx: DissectContext, st: TcpState, dir: number, buf: Buffer, p: number, end: number): number {
  while (end - p >= 4) {
    const type = buf[p];
    const len = (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
    if (len > MAX_MESSAGE || (!st.detected && !knownHandshakeType(type))) return -1;
    if (end - p - 4 < len) {
      if (type === HS_CERTIFICATE && dir !== st.clientDir && st.clientDir >= 0 && !st.certDone) {
        firstCertificate(ctx, st, buf, p + 4, end - p - 4);
      }
      return p;
    }
    if (!onMessage(ctx, st, dir, type, buf, p + 4, len, false)) return -1;
    p += 4 + len;
  }
  return p;
}

/** Consumes the complete handshake messages gathered for direction dir. */
function drainHs(ctx: DissectContext, st: TcpState, s: Side, dir: number): void {
  const hs = s.hs as Buffer;
  const p = readMessages(ctx, st, dir, hs, s.hsPos, s.hsLen);
  if (p < 0) s.hsBad = true;
  else if (p === s.hsLen) s.hsPos = s.hsLen = 0;
  else s.hsPos = p;
}

/**
 * Handles the handshake record bytes of direction dir that arrived up to
 * stream offset end (absolute in ctx.buf); recordEnded tells whether the
 * record is complete. Messages are read in place from s.msgAt; one left
 * incomplete at the end of its record spans records and is gathered.
 */
function handshakeBytes(ctx: DissectContext, st: TcpState, s: Side, dir: number, start: number, end: number, recordEnded: boolean): void {
  const buf = ctx.buf;
  if (s.hsLen > 0) {
    if (!appendHs(s, buf, start, end - start)) {
      s.hsBad = true;
      return;
    }
    drainHs(ctx, st, s, dir);
    if (s.hsLen === 0) s.msgAt = end - ctx.off;
    return;
  }
  const p = readMessages(ctx, st, dir, buf, ctx.off + s.msgAt, end);
  if (p < 0) {
    s.hsBad = true;
    return;
  }
  s.msgAt = p - ctx.off;
  if (recordEnded && p < end) {
    if (appendHs(s, buf, p, end - p)) s.hsPos = 0;
    else s.hsBad = true;
  }
}

/** Walks the new bytes of direction dir's stream. */
function walk(ctx: DissectContext, st: TcpState, dir: number): void {
  const s = st.sides[dir];
  const buf = ctx.buf;
  const end = ctx.off + ctx.len;
  let p = ctx.off + s.pos;
  while (p < end && !s.bad) {
    if (s.left === 0) {
      if (p + 5 > end) break;
      const type = buf[p];
      const len = (buf[p + 3] << 8) | buf[p + 4];
      if (type < REC_CCS || type > 24 || buf[p + 1] !== 3 || buf[p + 2] > 4 || len > MAX_RECORD) {
        s.bad = true;
        break;
      }
      p += 5;
      s.type = type;
      s.left = len;
      if (type === REC_HANDSHAKE && s.hsLen === 0) s.msgAt = p - ctx.off;
      if (type === REC_ALERT && len === 2 && !s.ccs) {
        if (p + 2 > end) {
          p -= 5;
          s.left = 0;
          break;
        }
        if (buf[p] === 2) {
          st.alert = true;
          ctx.risk(Risk.TLS_Fatal_Alert, 'Found fatal TLS alert');
        }
      }
    }
    const take = Math.min(s.left, end - p);
    s.left -= take;
    if (s.type === REC_HANDSHAKE && !s.ccs && !s.hsBad) handshakeBytes(ctx, st, s, dir, p, p + take, s.left === 0);
    p += take;
    if (s.left === 0) {
      s.records++;
      if (s.type === REC_CCS) s.ccs = true;
      else if (s.type === REC_APPDATA) s.appData = true;
      if (s.type !== REC_HANDSHAKE) s.others++;
    }
  }
  s.pos = p - ctx.off;
}

/** The first bytes of a stream could start a TLS record (content type 20-23, version 3.0-3.4). */
function startsLikeRecord(buf: Buffer, off: number, len: number): boolean {
  const t = buf[off];
  if (t < REC_CCS || t > REC_APPDATA) return false;
  if (len >= 2 && buf[off + 1] !== 3) return false;
  if (len >= 3 && buf[off + 2] > 4) return false;
  return true;
}

export function dissectTcp(ctx: DissectContext): Verdict {
  let st = ctx.state as TcpState | undefined;
  const dir = ctx.dir;
  if (st === undefined) {
    if (ctx.len === 0) return Verdict.Continue;
    if (!startsLikeRecord(ctx.buf, ctx.off, ctx.len)) return Verdict.Exclude;
    if (ctx.len < 5) return Verdict.Continue;
    st = new TcpState(tlsLabel(ctx.serverPort, ctx.clientPort));
    ctx.state = st;
  }
  const s = st.sides[dir];
  if (s.pos === 0 && s.left === 0 && s.records === 0 && ctx.len > 0 && !startsLikeRecord(ctx.buf, ctx.off, ctx.len)) s.bad = true;
  if (!s.bad) walk(ctx, st, dir);
  if (!st.detected) {
    if (s.bad || s.hsBad) return Verdict.Exclude;
    // Caught mid-session: whole records of CCS/alert/application data up to the end of the stream.
    if (s.left === 0 && s.pos === ctx.len && s.others > 0) st.detect(ctx);
    else return Verdict.Continue;
  }
  const server = st.clientDir >= 0 ? st.sides[st.clientDir ^ 1] : null;
  if (server !== null && st.serverHello && (server.ccs || server.appData)) st.certDone = true;
  const a = st.sides[0];
  const b = st.sides[1];
  if (st.complete() || st.alert || (a.appData && b.appData) || (a.ccs && b.ccs)) return Verdict.Done;
  return Verdict.Detected;
}
