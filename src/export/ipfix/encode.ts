/**
 * Binary encoding of IPFIX messages (RFC 7011 §3) and NetFlow v9 export
 * packets (RFC 3954 §5): message header, template sets, data sets and data
 * records, written into a caller's buffer (reused from datagram to datagram).
 *
 * IPFIX: 16-byte message header, Template Set id 2, Data Sets id = template
 * id, enterprise-specific elements with the enterprise bit and a 4-byte PEN,
 * variable-length strings with the 1- or 3-byte length prefix (§7), no set
 * padding. NetFlow v9: 20-byte header, Template FlowSet id 0, fixed-length
 * fields only, every FlowSet padded to a 4-byte boundary (§5.3).
 * Options templates, template withdrawal and structured data (RFC 6313) are
 * not written.
 */
import type { FlowRecord } from '../../flow/record';
import {
  APPLICATION_ID_LENGTH,
  ENGINE_PANA_L7_PEN,
  MAX_STRING_BYTES,
  PEN_NTOP,
  Source,
  VARIABLE_LENGTH,
  flowEndReasonCode,
  type ExportProtocol,
  type Template,
} from './templates';

export const IPFIX_VERSION = 10;
export const NETFLOW9_VERSION = 9;
export const IPFIX_HEADER_LENGTH = 16;
export const NETFLOW9_HEADER_LENGTH = 20;
export const IPFIX_TEMPLATE_SET_ID = 2;
export const NETFLOW9_TEMPLATE_SET_ID = 0;
export const SET_HEADER_LENGTH = 4;

const TWO_32 = 4294967296;

/** Writes an IPv4 dotted quad (decimal, no leading zeros); false when the text is not one. */
export function writeIPv4(text: string, buf: Buffer, off: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return false;
    const n = Number(p);
    if (n > 255) return false;
    buf[off + i] = n;
  }
  return true;
}

function parseGroups(text: string, out: number[]): boolean {
  if (text === '') return true;
  for (const g of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
    out.push(parseInt(g, 16));
  }
  return true;
}

/** Writes an IPv6 address (any RFC 4291 text form, also with a trailing dotted quad); false when invalid. */
export function writeIPv6(text: string, buf: Buffer, off: number): boolean {
  let s = text;
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.indexOf('.', lastColon) > lastColon) {
    const quad = Buffer.alloc(4);
    if (!writeIPv4(s.slice(lastColon + 1), quad, 0)) return false;
    s = `${s.slice(0, lastColon + 1)}${quad.readUInt16BE(0).toString(16)}:${quad.readUInt16BE(2).toString(16)}`;
  }
  const head: number[] = [];
  const rest: number[] = [];
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return false;
    if (!parseGroups(s.slice(0, dbl), head) || !parseGroups(s.slice(dbl + 2), rest)) return false;
    if (head.length + rest.length > 7) return false;
  } else {
    if (!parseGroups(s, head) || head.length !== 8) return false;
  }
  const groups = new Array<number>(8).fill(0);
  head.forEach((g, i) => (groups[i] = g));
  rest.forEach((g, i) => (groups[8 - rest.length + i] = g));
  for (let i = 0; i < 8; i++) buf.writeUInt16BE(groups[i], off + 2 * i);
  return true;
}

function count(v: unknown): number {
  return typeof v === 'number' && v >= 0 && Number.isFinite(v) ? Math.floor(v) : 0;
}

/** Writes an unsigned integer big-endian in `len` bytes (1..8), truncated to the field width. */
export function writeUnsigned(v: number, buf: Buffer, off: number, len: number): void {
  if (len === 8) {
    const hi = Math.floor(v / TWO_32);
    buf.writeUInt32BE(hi % TWO_32, off);
    buf.writeUInt32BE(v % TWO_32, off + 4);
    return;
  }
  let x = v;
  for (let i = len - 1; i >= 0; i--) {
    buf[off + i] = x % 256;
    x = Math.floor(x / 256);
  }
}

/**
 * Writes a string value: variable-length (IPFIX, RFC 7011 §7: one length
 * byte below 255, else 255 and a 2-byte length) or fixed-length, NUL-padded,
 * at most maxBytes of text. Returns the bytes written.
 */
export function writeString(text: string, buf: Buffer, off: number, fieldLength: number, maxBytes = MAX_STRING_BYTES): number {
  if (fieldLength !== VARIABLE_LENGTH) {
    buf.fill(0, off, off + fieldLength);
    buf.write(text, off, Math.min(fieldLength, maxBytes), 'utf8');
    return fieldLength;
  }
  const n = buf.write(text, off + 3, maxBytes, 'utf8');
  if (n < 255) {
    buf.copyWithin(off + 1, off + 3, off + 3 + n);
    buf[off] = n;
    return 1 + n;
  }
  buf[off] = 255;
  buf.writeUInt16BE(n, off + 1);
  return 3 + n;
}

function numberOf(r: FlowRecord, s: Source): number {
  switch (s) {
    case Source.SrcPort:
      return count(r.src_port);
    case Source.DstPort:
      return count(r.dst_port);
    case Source.Proto:
      return count(r.ip_protocol);
    case Source.FirstMs:
      return count(r.first_switched_ms);
    case Source.LastMs:
      return count(r.last_switched_ms);
    case Source.OutBytes:
      return count(r.out_bytes);
    case Source.OutPkts:
      return count(r.out_pkts);
    case Source.InBytes:
      return count(r.in_bytes);
    case Source.InPkts:
      return count(r.in_pkts);
    case Source.OutFlags:
      return count(r.out_tcp_flags);
    case Source.InFlags:
      return count(r.in_tcp_flags);
    case Source.AllFlags:
      return count(r.out_tcp_flags) | count(r.in_tcp_flags);
    case Source.IcmpTypeCode:
      return r.icmp_type === undefined ? 0 : ((count(r.icmp_type) & 0xff) << 8) | (count(r.icmp_code) & 0xff);
    case Source.Vlan:
      return count(r.vlan_id);
    case Source.EndReason:
      return flowEndReasonCode(r.flow_end_reason);
    case Source.FlowId:
      return count(r.flow_id);
    case Source.NdpiId:
      return count(r.detected_protocol);
    default:
      return 0;
  }
}

/**
 * Encodes one data record of `t` at buf[off]; returns its length, or -1 when
 * the record's addresses do not fit the template (not an address of that IP
 * version). `buf` must have room for the longest record of the template.
 */
export function encodeRecord(t: Template, r: FlowRecord, buf: Buffer, off: number): number {
  let p = off;
  for (const field of t.fields) {
    switch (field.source) {
      case Source.SrcAddr:
      case Source.DstAddr: {
        const text = field.source === Source.SrcAddr ? r.src_addr : r.dst_addr;
        const ok = typeof text === 'string' && (t.ipVersion === 4 ? writeIPv4(text, buf, p) : writeIPv6(text, buf, p));
        if (!ok) return -1;
        p += field.length;
        break;
      }
      case Source.ApplicationId:
        buf[p] = ENGINE_PANA_L7_PEN;
        buf.writeUInt32BE(PEN_NTOP, p + 1);
        buf.writeUInt16BE(count(r.detected_protocol) & 0xffff, p + 5);
        p += APPLICATION_ID_LENGTH;
        break;
      case Source.AppName:
        p += writeString(typeof r.protocol_name === 'string' ? r.protocol_name : '', buf, p, field.length);
        break;
      default:
        writeUnsigned(numberOf(r, field.source), buf, p, field.length);
        p += field.length;
    }
  }
  return p - off;
}

/** Longest data record of a template (variable strings at MAX_STRING_BYTES). */
export function maxRecordLength(t: Template): number {
  let n = 0;
  for (const field of t.fields) n += field.length === VARIABLE_LENGTH ? 3 + MAX_STRING_BYTES : field.length;
  return n;
}

/** Length of a template record (RFC 7011 §3.4.1 / RFC 3954 §5.2). */
export function templateRecordLength(protocol: ExportProtocol, t: Template): number {
  let n = 4;
  for (const field of t.fields) n += protocol === 'ipfix' && field.ie.pen !== 0 ? 8 : 4;
  return n;
}

/** Length of a template set holding `templates` (v9: with padding). */
export function templateSetLength(protocol: ExportProtocol, templates: readonly Template[]): number {
  let n = SET_HEADER_LENGTH;
  for (const t of templates) n += templateRecordLength(protocol, t);
  return protocol === 'netflow9' ? (n + 3) & ~3 : n;
}

export interface MessageHeader {
  /** Export time, seconds since the epoch. */
  exportTimeSec: number;
  /** IPFIX: data records sent before this message; v9: export packets sent before this one. */
  sequence: number;
  /** IPFIX observation domain id / v9 source id. */
  domain: number;
  /** v9 only: milliseconds since the exporter started. */
  sysUpTimeMs: number;
}

/**
 * Builds one message in a caller's buffer: begin(), then templates and
 * records until a record does not fit, then finish(). Records of the same
 * template that follow each other share one data set.
 */
export class MessageWriter {
  readonly protocol: ExportProtocol;
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private limit = 0;
  private pos = 0;
  private setStart = -1;
  private setId = -1;
  private scratch: Buffer;
  /** Data records in the message. */
  dataRecords = 0;
  /** Template records in the message. */
  templateRecords = 0;

  constructor(protocol: ExportProtocol, maxRecord: number) {
    this.protocol = protocol;
    this.scratch = Buffer.alloc(maxRecord);
  }

  private get headerLength(): number {
    return this.protocol === 'ipfix' ? IPFIX_HEADER_LENGTH : NETFLOW9_HEADER_LENGTH;
  }

  /** Starts a message at buf[start] of at most `capacity` bytes. */
  begin(buf: Buffer, start: number, capacity: number): void {
    this.buf = buf;
    this.start = start;
    this.limit = start + capacity;
    this.pos = start + this.headerLength;
    this.setStart = -1;
    this.setId = -1;
    this.dataRecords = 0;
    this.templateRecords = 0;
  }

  /** Bytes written so far (header included). */
  get length(): number {
    return this.pos - this.start;
  }

  private padLength(): number {
    return this.protocol === 'netflow9' ? 3 : 0;
  }

  private closeSet(): void {
    if (this.setStart < 0) return;
    if (this.protocol === 'netflow9') {
      while ((this.pos - this.setStart) % 4 !== 0) this.buf[this.pos++] = 0;
    }
    this.buf.writeUInt16BE(this.pos - this.setStart, this.setStart + 2);
    this.setStart = -1;
    this.setId = -1;
  }

  private openSet(id: number): void {
    this.closeSet();
    this.setStart = this.pos;
    this.setId = id;
    this.buf.writeUInt16BE(id, this.pos);
    this.buf.writeUInt16BE(0, this.pos + 2);
    this.pos += SET_HEADER_LENGTH;
  }

  /** Adds a template set with `templates`; false (nothing written) when it does not fit. */
  addTemplates(templates: readonly Template[]): boolean {
    const need = templateSetLength(this.protocol, templates);
    this.closeSet();
    if (this.pos + need > this.limit) return false;
    const ipfix = this.protocol === 'ipfix';
    this.openSet(ipfix ? IPFIX_TEMPLATE_SET_ID : NETFLOW9_TEMPLATE_SET_ID);
    const b = this.buf;
    for (const t of templates) {
      b.writeUInt16BE(t.id, this.pos);
      b.writeUInt16BE(t.fields.length, this.pos + 2);
      this.pos += 4;
      for (const field of t.fields) {
        if (ipfix) {
          const pen = field.ie.pen;
          b.writeUInt16BE(pen !== 0 ? 0x8000 | field.ie.id : field.ie.id, this.pos);
          b.writeUInt16BE(field.length, this.pos + 2);
          this.pos += 4;
          if (pen !== 0) {
            b.writeUInt32BE(pen, this.pos);
            this.pos += 4;
          }
        } else {
          b.writeUInt16BE(field.ie.v9, this.pos);
          b.writeUInt16BE(field.length, this.pos + 2);
          this.pos += 4;
        }
      }
      this.templateRecords++;
    }
    this.closeSet();
    return true;
  }

  /**
   * Adds one data record. 'full': it does not fit in what is left (nothing
   * written); 'invalid': the record cannot be encoded with this template.
   */
  addRecord(t: Template, r: FlowRecord): 'ok' | 'full' | 'invalid' {
    const n = encodeRecord(t, r, this.scratch, 0);
    if (n < 0) return 'invalid';
    const setHeader = this.setId === t.id ? 0 : SET_HEADER_LENGTH;
    if (this.pos + setHeader + n + this.padLength() > this.limit) return 'full';
    if (setHeader !== 0) this.openSet(t.id);
    this.scratch.copy(this.buf, this.pos, 0, n);
    this.pos += n;
    this.dataRecords++;
    return 'ok';
  }

  /** Closes the last set and writes the header; returns the message length. */
  finish(h: MessageHeader): number {
    this.closeSet();
    const b = this.buf;
    const s = this.start;
    const len = this.pos - s;
    if (this.protocol === 'ipfix') {
      b.writeUInt16BE(IPFIX_VERSION, s);
      b.writeUInt16BE(len, s + 2);
      b.writeUInt32BE(h.exportTimeSec % TWO_32, s + 4);
      b.writeUInt32BE(h.sequence % TWO_32, s + 8);
      b.writeUInt32BE(h.domain, s + 12);
    } else {
      b.writeUInt16BE(NETFLOW9_VERSION, s);
      b.writeUInt16BE(this.dataRecords + this.templateRecords, s + 2);
      b.writeUInt32BE(h.sysUpTimeMs % TWO_32, s + 4);
      b.writeUInt32BE(h.exportTimeSec % TWO_32, s + 8);
      b.writeUInt32BE(h.sequence % TWO_32, s + 12);
      b.writeUInt32BE(h.domain, s + 16);
    }
    return len;
  }
}
