/**
 * A small IPFIX (RFC 7011) / NetFlow v9 (RFC 3954) message reader for the
 * tests: header, sets, template records and data records (fields by
 * "pen/id" for IPFIX, "id" for v9). Strict: throws on any length or layout
 * error, so an encoder bug cannot go unnoticed. Written from the RFCs, not
 * from the encoder.
 */

export interface DecodedField {
  pen: number;
  id: number;
  length: number;
}

export interface DecodedSet {
  id: number;
  /** Bytes of the set including its 4-byte header (and padding). */
  length: number;
  templates: { id: number; fields: DecodedField[] }[];
  records: Map<string, Buffer>[];
  /** Trailing bytes after the last record (padding). */
  padding: number;
}

export interface DecodedMessage {
  version: number;
  /** IPFIX: message length; v9: record count. */
  lengthOrCount: number;
  exportTime: number;
  sequence: number;
  domain: number;
  /** v9 only. */
  sysUpTime: number;
  sets: DecodedSet[];
  dataRecords: number;
  templateRecords: number;
}

export type TemplateStore = Map<number, DecodedField[]>;

export const key = (pen: number, id: number): string => (pen === 0 ? String(id) : `${pen}/${id}`);

export function decodeMessage(msg: Buffer, store: TemplateStore = new Map()): DecodedMessage {
  const version = msg.readUInt16BE(0);
  let p: number;
  let out: DecodedMessage;
  if (version === 10) {
    if (msg.readUInt16BE(2) !== msg.length) throw new Error(`IPFIX length ${msg.readUInt16BE(2)} != datagram ${msg.length}`);
    out = { version, lengthOrCount: msg.readUInt16BE(2), exportTime: msg.readUInt32BE(4), sequence: msg.readUInt32BE(8), domain: msg.readUInt32BE(12), sysUpTime: 0, sets: [], dataRecords: 0, templateRecords: 0 };
    p = 16;
  } else if (version === 9) {
    out = { version, lengthOrCount: msg.readUInt16BE(2), sysUpTime: msg.readUInt32BE(4), exportTime: msg.readUInt32BE(8), sequence: msg.readUInt32BE(12), domain: msg.readUInt32BE(16), sets: [], dataRecords: 0, templateRecords: 0 };
    p = 20;
  } else {
    throw new Error(`unknown version ${version}`);
  }
  const ipfix = version === 10;
  while (p < msg.length) {
    if (p + 4 > msg.length) throw new Error(`set header cut at ${p}`);
    const id = msg.readUInt16BE(p);
    const length = msg.readUInt16BE(p + 2);
    if (length < 4 || p + length > msg.length) throw new Error(`bad set length ${length} at ${p}`);
    const end = p + length;
    const set: DecodedSet = { id, length, templates: [], records: [], padding: 0 };
    let q = p + 4;
    if ((ipfix && id === 2) || (!ipfix && id === 0)) {
      while (end - q >= 4) {
        const tid = msg.readUInt16BE(q);
        const n = msg.readUInt16BE(q + 2);
        if (tid < 256) break;
        q += 4;
        const fields: DecodedField[] = [];
        for (let i = 0; i < n; i++) {
          if (q + 4 > end) throw new Error('template record cut');
          let fid = msg.readUInt16BE(q);
          const flen = msg.readUInt16BE(q + 2);
          q += 4;
          let pen = 0;
          if (ipfix && fid & 0x8000) {
            fid &= 0x7fff;
            if (q + 4 > end) throw new Error('enterprise number cut');
            pen = msg.readUInt32BE(q);
            q += 4;
          }
          fields.push({ pen, id: fid, length: flen });
        }
        set.templates.push({ id: tid, fields });
        store.set(tid, fields);
        out.templateRecords++;
      }
      set.padding = end - q;
    } else if (id >= 256) {
      const fields = store.get(id);
      if (fields === undefined) throw new Error(`data set ${id} without template`);
      const minLen = fields.reduce((s, f) => s + (f.length === 0xffff ? 1 : f.length), 0);
      if (minLen === 0) throw new Error(`template ${id} has no fields`);
      while (end - q >= minLen) {
        const rec = new Map<string, Buffer>();
        for (const f of fields) {
          let len = f.length;
          if (len === 0xffff) {
            if (!ipfix) throw new Error('variable length in v9');
            len = msg[q];
            q += 1;
            if (len === 255) {
              len = msg.readUInt16BE(q);
              q += 2;
            }
          }
          if (q + len > end) throw new Error('record cut');
          rec.set(key(f.pen, f.id), msg.subarray(q, q + len));
          q += len;
        }
        set.records.push(rec);
        out.dataRecords++;
      }
      set.padding = end - q;
    } else {
      throw new Error(`unexpected set id ${id}`);
    }
    out.sets.push(set);
    p = end;
  }
  return out;
}

/** Unsigned big-endian integer value of a field (up to 8 bytes). */
export function uint(b: Buffer | undefined): number {
  if (b === undefined) throw new Error('missing field');
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

export function ipv4(b: Buffer | undefined): string {
  if (b === undefined || b.length !== 4) throw new Error('bad IPv4 field');
  return [...b].join('.');
}

/** IPv6 field as 8 full hex groups (compare with fullIPv6()). */
export function ipv6(b: Buffer | undefined): string {
  if (b === undefined || b.length !== 16) throw new Error('bad IPv6 field');
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i).toString(16).padStart(4, '0'));
  return g.join(':');
}

/** Expands an IPv6 text (RFC 5952 or any RFC 4291 form) to 8 full hex groups, independently of the encoder. */
export function fullIPv6(text: string): string {
  const host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const [a, b] = host.includes('::') ? host.split('::') : [host, undefined];
  const head = a === '' ? [] : a.split(':');
  const tail = b === undefined || b === '' ? [] : b.split(':');
  const zeros = new Array<string>(8 - head.length - tail.length).fill('0');
  return [...head, ...(b === undefined ? [] : zeros), ...tail].map((g) => g.padStart(4, '0')).join(':');
}

export function text(b: Buffer | undefined): string {
  if (b === undefined) throw new Error('missing field');
  const z = b.indexOf(0);
  return b.subarray(0, z < 0 ? b.length : z).toString('utf8');
}
