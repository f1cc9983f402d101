/**
 * The DPI part of a JSON record that depends on free text: server_name, the
 * other metadata fields dissectors set (in the order they were set), and the
 * risks array with nDPI's names. Written once per record, on the packet
 * thread, into a bounded byte slot (META_ROOM) that travels with the record's
 * numbers to the output thread. Strings are JSON-escaped and UTF-8 encoded
 * here; a value that would not fit is cut at a character boundary, so the
 * line stays valid JSON.
 */
import type { DpiEngine } from '../dpi/engine';
import { RISK_NAMES } from '../dpi/generated/protocols';
import { ascii, putBytes, putUint } from './json-bytes';

/** Bytes reserved per record for the DPI text fields. */
export const META_ROOM = 4096;

const HEX = ascii('0123456789abcdef');
const K_SERVER_NAME = ascii(',"server_name":"');
const K_RISKS = ascii(',"risks":[');

/**
 * Writes s as a JSON string body (no quotes) at buf[p]; stops before `limit`
 * (leaving the string shorter). Returns the end. When the whole string fits,
 * its leading run of characters copied as they are (printable ASCII and DEL,
 * but quote and backslash) goes in one tight loop; the rest, if any, is
 * escaped and UTF-8 encoded character by character.
 */
export function putJsonString(buf: Buffer, p: number, s: string, limit: number): number {
  const n = s.length;
  if (p + n > limit) return putEscaped(buf, p, s, 0, limit);
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7f || c === 0x22 || c === 0x5c) break;
    buf[p + i] = c;
  }
  return i === n ? p + n : putEscaped(buf, p + i, s, i, limit);
}

/** putJsonString() from s[from] on, character by character. */
function putEscaped(buf: Buffer, p: number, s: string, from: number, limit: number): number {
  for (let i = from; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
        if (p + 1 > limit) return p;
        buf[p++] = c;
      } else {
        if (p + 6 > limit) return p;
        buf[p++] = 0x5c;
        if (c === 0x22 || c === 0x5c) buf[p++] = c;
        else if (c === 10) buf[p++] = 0x6e;
        else if (c === 13) buf[p++] = 0x72;
        else if (c === 9) buf[p++] = 0x74;
        else if (c === 8) buf[p++] = 0x62;
        else if (c === 12) buf[p++] = 0x66;
        else {
          buf[p++] = 0x75;
          buf[p++] = 0x30;
          buf[p++] = 0x30;
          buf[p++] = HEX[c >> 4];
          buf[p++] = HEX[c & 15];
        }
      }
    } else if (c < 0x800) {
      if (p + 2 > limit) return p;
      buf[p++] = 0xc0 | (c >> 6);
      buf[p++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          if (p + 4 > limit) return p;
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          buf[p++] = 0xf0 | (c >> 18);
          buf[p++] = 0x80 | ((c >> 12) & 63);
          buf[p++] = 0x80 | ((c >> 6) & 63);
          buf[p++] = 0x80 | (c & 63);
          continue;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (p + 3 > limit) return p;
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 63);
      buf[p++] = 0x80 | (c & 63);
    }
  }
  return p;
}

const keyCache = new Map<string, Uint8Array>();
function key(name: string): Uint8Array {
  let k = keyCache.get(name);
  if (k === undefined) {
    k = ascii(`,"${name}":`);
    keyCache.set(name, k);
  }
  return k;
}

/** Room kept free for closing what is open (quote, brackets) when a value is cut. */
const TAIL = 64;

/**
 * Writes the DPI text fields of flow f into buf[p, p + META_ROOM) and returns
 * the end. Always writes server_name ("" when none) and risks ([] when none).
 */
export function writeDpiMeta(dpi: DpiEngine | null, f: number, buf: Buffer, p: number): number {
  const end = p + META_ROOM;
  const fd = dpi?.flow(f);
  p = putBytes(buf, p, K_SERVER_NAME);
  const sn = fd?.getMeta('server_name');
  if (typeof sn === 'string') p = putJsonString(buf, p, sn, Math.min(end - TAIL, p + 512));
  buf[p++] = 0x22;
  const names = fd?.metaNames;
  const values = fd?.metaValues;
  if (names && values) {
    for (let j = 0; j < names.length; j++) {
      const name = names[j];
      if (name === 'server_name') continue;
      const v = values[j];
      const k = key(name);
      if (p + k.length + TAIL + 16 > end) break;
      p = putBytes(buf, p, k);
      if (typeof v === 'number') {
        if (Number.isFinite(v) && v >= 0 && Number.isInteger(v)) p = putUint(buf, p, v);
        else p += buf.write(Number.isFinite(v) ? String(v) : '0', p, 'latin1');
      } else if (typeof v === 'string') {
        buf[p++] = 0x22;
        p = putJsonString(buf, p, v, end - TAIL);
        buf[p++] = 0x22;
      } else {
        buf[p++] = 0x5b;
        for (let i = 0; i < v.length; i++) {
          if (p + 8 > end - TAIL) break;
          if (i > 0) buf[p++] = 0x2c;
          buf[p++] = 0x22;
          p = putJsonString(buf, p, v[i], end - TAIL);
          buf[p++] = 0x22;
        }
        buf[p++] = 0x5d;
      }
    }
  }
  p = putBytes(buf, p, K_RISKS);
  const risks = fd?.risks;
  if (risks) {
    for (let i = 0; i < risks.length; i++) {
      const name = RISK_NAMES[risks[i]] ?? String(risks[i]);
      if (p + name.length + 8 > end - 2) break;
      if (i > 0) buf[p++] = 0x2c;
      buf[p++] = 0x22;
      p = putJsonString(buf, p, name, end - 2);
      buf[p++] = 0x22;
    }
  }
  buf[p++] = 0x5d;
  return p;
}
