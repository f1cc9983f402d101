/**
 * Reads what a fluentd forward server sends back (Forward Protocol
 * Specification v1): HELO and PONG in the handshake, {ack: chunk} responses
 * in the transport phase. Bytes arrive in arbitrary pieces; push() returns
 * the complete messages so far and keeps the rest.
 *
 * Each message is msgpack, or JSON when it starts with '{' or '[' (in_forward
 * answers a JSON connection in JSON; those bytes are positive fixints in
 * msgpack, which no server message starts with). Whitespace is skipped only
 * between JSON messages. The msgpack reader here is deliberately small and
 * strict: all formats are understood, but a message may be at most 64 KiB,
 * nest at most 8 levels and hold at most 1024 items per array/map, so a
 * broken or hostile peer cannot make the client allocate much. Anything that
 * is not a well-formed HELO, PONG or ack is a ProtocolFault; the caller turns
 * it into SinkError E_SINK_PROTOCOL. str and bin are both accepted wherever
 * the spec says "str|bin"; HELO nonce and auth salt are kept as raw bytes.
 */

/** A msgpack/JSON value as read from the server (maps keep their entries as pairs). */
export type Wire = null | boolean | number | WireBytes | WireMap | WireExt | Wire[];
export interface WireBytes {
  readonly t: 'str' | 'bin';
  readonly b: Buffer;
}
export interface WireMap {
  readonly t: 'map';
  readonly entries: [Wire, Wire][];
}
export interface WireExt {
  readonly t: 'ext';
  readonly type: number;
  readonly b: Buffer;
}

export interface Helo {
  type: 'helo';
  nonce: Buffer;
  /** User-auth salt; empty when the server does not ask for username/password. */
  auth: Buffer;
  /** false: the server closes the connection after each message. */
  keepalive: boolean;
}
export interface Pong {
  type: 'pong';
  ok: boolean;
  reason: string;
  serverHostname: string;
  digest: string;
}
export interface Ack {
  type: 'ack';
  chunk: string;
}
export type ServerMessage = Helo | Pong | Ack;

/** The server sent something the protocol does not allow. */
export class ProtocolFault extends Error {}

export const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_DEPTH = 8;
const MAX_ITEMS = 1024;

class Incomplete {}
const INCOMPLETE = new Incomplete();

interface Decoded {
  v: Wire;
  end: number;
}

/** Decodes one msgpack value at pos; throws INCOMPLETE when more bytes are needed. */
export function decodeMsgpack(buf: Buffer, pos: number, depth = 0): Decoded {
  if (depth > MAX_DEPTH) throw new ProtocolFault(`msgpack nested deeper than ${MAX_DEPTH} levels`);
  const need = (n: number): void => {
    if (pos + n > buf.length) throw INCOMPLETE;
  };
  need(1);
  const b = buf[pos];
  const p = pos + 1;
  if (b <= 0x7f) return { v: b, end: p };
  if (b >= 0xe0) return { v: b - 0x100, end: p };
  if ((b & 0xf0) === 0x80) return readMap(buf, p, b & 0x0f, depth);
  if ((b & 0xf0) === 0x90) return readArray(buf, p, b & 0x0f, depth);
  if ((b & 0xe0) === 0xa0) return readBytes(buf, p, b & 0x1f, 'str');
  const len = (width: 1 | 2 | 4): number => {
    if (p + width > buf.length) throw INCOMPLETE;
    return width === 1 ? buf[p] : width === 2 ? buf.readUInt16BE(p) : buf.readUInt32BE(p);
  };
  switch (b) {
    case 0xc0:
      return { v: null, end: p };
    case 0xc2:
      return { v: false, end: p };
    case 0xc3:
      return { v: true, end: p };
    case 0xc4:
    case 0xc5:
    case 0xc6: {
      const w = (1 << (b - 0xc4)) as 1 | 2 | 4;
      return readBytes(buf, p + w, len(w), 'bin');
    }
    case 0xd9:
    case 0xda:
    case 0xdb: {
      const w = (1 << (b - 0xd9)) as 1 | 2 | 4;
      return readBytes(buf, p + w, len(w), 'str');
    }
    case 0xc7:
    case 0xc8:
    case 0xc9: {
      const w = (1 << (b - 0xc7)) as 1 | 2 | 4;
      const n = len(w);
      return readExt(buf, p + w, n);
    }
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return readExt(buf, p, 1 << (b - 0xd4));
    case 0xca:
      need(5);
      return { v: buf.readFloatBE(p), end: p + 4 };
    case 0xcb:
      need(9);
      return { v: buf.readDoubleBE(p), end: p + 8 };
    case 0xcc:
      need(2);
      return { v: buf[p], end: p + 1 };
    case 0xcd:
      need(3);
      return { v: buf.readUInt16BE(p), end: p + 2 };
    case 0xce:
      need(5);
      return { v: buf.readUInt32BE(p), end: p + 4 };
    case 0xcf:
      need(9);
      return { v: Number(buf.readBigUInt64BE(p)), end: p + 8 };
    case 0xd0:
      need(2);
      return { v: buf.readInt8(p), end: p + 1 };
    case 0xd1:
      need(3);
      return { v: buf.readInt16BE(p), end: p + 2 };
    case 0xd2:
      need(5);
      return { v: buf.readInt32BE(p), end: p + 4 };
    case 0xd3:
      need(9);
      return { v: Number(buf.readBigInt64BE(p)), end: p + 8 };
    case 0xdc:
    case 0xdd: {
      const w = b === 0xdc ? 2 : 4;
      return readArray(buf, p + w, len(w), depth);
    }
    case 0xde:
    case 0xdf: {
      const w = b === 0xde ? 2 : 4;
      return readMap(buf, p + w, len(w), depth);
    }
    default:
      throw new ProtocolFault(`byte 0x${b.toString(16)} is not a msgpack type`);
  }
}

function readBytes(buf: Buffer, pos: number, n: number, t: 'str' | 'bin'): Decoded {
  if (n > MAX_MESSAGE_BYTES) throw new ProtocolFault(`msgpack ${t} of ${n} bytes is larger than a server message may be`);
  if (pos + n > buf.length) throw INCOMPLETE;
  return { v: { t, b: Buffer.from(buf.subarray(pos, pos + n)) }, end: pos + n };
}

function readExt(buf: Buffer, pos: number, n: number): Decoded {
  if (n > MAX_MESSAGE_BYTES) throw new ProtocolFault(`msgpack ext of ${n} bytes is larger than a server message may be`);
  if (pos + 1 + n > buf.length) throw INCOMPLETE;
  return { v: { t: 'ext', type: buf.readInt8(pos), b: Buffer.from(buf.subarray(pos + 1, pos + 1 + n)) }, end: pos + 1 + n };
}

function readArray(buf: Buffer, pos: number, n: number, depth: number): Decoded {
  if (n > MAX_ITEMS) throw new ProtocolFault(`msgpack array of ${n} items is larger than a server message may be`);
  const items: Wire[] = [];
  let at = pos;
  for (let i = 0; i < n; i++) {
    const d = decodeMsgpack(buf, at, depth + 1);
    items.push(d.v);
    at = d.end;
  }
  return { v: items, end: at };
}

function readMap(buf: Buffer, pos: number, n: number, depth: number): Decoded {
  if (n > MAX_ITEMS) throw new ProtocolFault(`msgpack map of ${n} entries is larger than a server message may be`);
  const entries: [Wire, Wire][] = [];
  let at = pos;
  for (let i = 0; i < n; i++) {
    const k = decodeMsgpack(buf, at, depth + 1);
    const v = decodeMsgpack(buf, k.end, depth + 1);
    entries.push([k.v, v.v]);
    at = v.end;
  }
  return { v: { t: 'map', entries }, end: at };
}

/** End (exclusive) of the JSON array/object starting at pos, or -1 if it is not complete yet. */
function jsonEnd(buf: Buffer, pos: number): number {
  let depth = 0;
  let inString = false;
  for (let i = pos; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH + 1) throw new ProtocolFault(`JSON nested deeper than ${MAX_DEPTH} levels`);
    } else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

function fromJson(v: unknown): Wire {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'string') return { t: 'str', b: Buffer.from(v, 'utf8') };
  if (Array.isArray(v)) return v.map(fromJson);
  const entries: [Wire, Wire][] = Object.entries(v as Record<string, unknown>).map(([k, x]) => [fromJson(k), fromJson(x)]);
  return { t: 'map', entries };
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Splits the server's byte stream into messages. */
export class ServerMessageReader {
  private buf: Buffer = Buffer.alloc(0);
  private jsonSeen = false;

  /** Bytes received that do not form a complete message yet. */
  get pendingBytes(): number {
    return this.buf.length;
  }

  /** Adds bytes; returns the complete messages they finish. Throws ProtocolFault. */
  push(chunk: Buffer): ServerMessage[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: ServerMessage[] = [];
    let pos = 0;
    for (;;) {
      if (this.jsonSeen) while (pos < this.buf.length && isWs(this.buf[pos])) pos++;
      if (pos >= this.buf.length) break;
      const first = this.buf[pos];
      let value: Wire;
      let end: number;
      if (first === 0x7b || first === 0x5b) {
        end = jsonEnd(this.buf, pos);
        if (end < 0) break;
        let parsed: unknown;
        try {
          parsed = JSON.parse(this.buf.toString('utf8', pos, end));
        } catch {
          throw new ProtocolFault('the server sent malformed JSON');
        }
        value = fromJson(parsed);
        this.jsonSeen = true;
      } else {
        try {
          const d = decodeMsgpack(this.buf, pos);
          value = d.v;
          end = d.end;
        } catch (e) {
          if (e === INCOMPLETE) break;
          throw e;
        }
      }
      out.push(classify(value));
      pos = end;
    }
    this.buf = pos === 0 ? this.buf : Buffer.from(this.buf.subarray(pos));
    if (this.buf.length > MAX_MESSAGE_BYTES) throw new ProtocolFault(`the server sent more than ${MAX_MESSAGE_BYTES} bytes without completing a message`);
    return out;
  }
}

const text = (w: Wire | undefined): string | null => (w !== null && w !== undefined && typeof w === 'object' && !Array.isArray(w) && w.t === 'str' ? w.b.toString('utf8') : null);
const bytes = (w: Wire | undefined): Buffer | null =>
  w !== null && w !== undefined && typeof w === 'object' && !Array.isArray(w) && (w.t === 'str' || w.t === 'bin') ? w.b : null;

function mapGet(m: WireMap, key: string): Wire | undefined {
  for (const [k, v] of m.entries) if (text(k) === key) return v;
  return undefined;
}

/** A short description of a value for error messages (its type and size, not its content). */
export function describe(v: Wire): string {
  if (v === null) return 'nil';
  if (Array.isArray(v)) {
    const head = v.length > 0 ? text(v[0]) : null;
    return `an array of ${v.length}${head !== null && /^[A-Za-z]{1,8}$/.test(head) ? ` starting with "${head}"` : ''}`;
  }
  if (typeof v === 'object') return v.t === 'map' ? `a map with ${v.entries.length} entries` : v.t === 'ext' ? `an ext of type ${v.type}` : `a ${v.t} of ${v.b.length} bytes`;
  return `a ${typeof v}`;
}

/** Turns a decoded value into a server message; anything else is a ProtocolFault. */
export function classify(v: Wire): ServerMessage {
  if (Array.isArray(v)) {
    const kind = text(v[0]);
    if (kind === 'HELO' && v.length === 2 && v[1] !== null && typeof v[1] === 'object' && !Array.isArray(v[1]) && v[1].t === 'map') {
      const nonce = bytes(mapGet(v[1], 'nonce'));
      const authValue = mapGet(v[1], 'auth');
      const auth = authValue === undefined || authValue === null ? Buffer.alloc(0) : bytes(authValue);
      const keepalive = mapGet(v[1], 'keepalive');
      if (nonce !== null && auth !== null && (keepalive === undefined || typeof keepalive === 'boolean')) {
        return { type: 'helo', nonce, auth, keepalive: keepalive !== false };
      }
      throw new ProtocolFault('the server sent a malformed HELO');
    }
    if (kind === 'PONG') {
      const [, ok, reason, host, digest] = v;
      if (v.length === 5 && typeof ok === 'boolean' && text(reason) !== null && text(host) !== null && text(digest) !== null) {
        return { type: 'pong', ok, reason: text(reason)!, serverHostname: text(host)!, digest: text(digest)! };
      }
      throw new ProtocolFault('the server sent a malformed PONG');
    }
  } else if (v !== null && typeof v === 'object' && v.t === 'map') {
    const chunk = text(mapGet(v, 'ack'));
    if (chunk !== null) return { type: 'ack', chunk };
  }
  throw new ProtocolFault(`the server sent ${describe(v)}, which is not a HELO, PONG or ack`);
}
