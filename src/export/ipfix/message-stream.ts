/**
 * Turns batches of flow records into the datagrams of one IPFIX (RFC 7011) or
 * NetFlow v9 (RFC 3954) export stream over UDP: messages of at most `mtu`
 * bytes, the templates at the start of the first message and again every
 * `refreshPackets` messages or `refreshSeconds` seconds (RFC 7011 §8.4,
 * RFC 3954 §9: UDP collectors learn templates only from these resends), and
 * the header sequence number (IPFIX: data records sent before the message in
 * this observation domain; v9: export packets sent before this one).
 *
 * Datagrams are views into one arena reused by the next pack() call, so the
 * caller sends them before packing again.
 */
import type { FlowRecord } from '../../flow/record';
import { MessageWriter, maxRecordLength, templateSetLength, IPFIX_HEADER_LENGTH, NETFLOW9_HEADER_LENGTH } from './encode';
import { templatesFor, type ExportProtocol, type Template } from './templates';

export interface MessageStreamOptions {
  protocol: ExportProtocol;
  /** IPFIX observation domain id / v9 source id. */
  domain: number;
  /** Largest datagram (UDP payload) in bytes. */
  mtu: number;
  /** Resend the templates after this many messages without them (0: never for this reason). */
  refreshPackets: number;
  /** Resend the templates when they were last sent this many seconds ago (0: never for this reason). */
  refreshSeconds: number;
}

export interface PackResult {
  /** Datagrams in sending order (views into the stream's arena). */
  datagrams: Buffer[];
  /** Records left out because they cannot be encoded (address not of its ip_version, longer than the mtu). */
  invalid: number;
  /** The first left-out record, for the log. */
  reason?: string;
}

const TWO_32 = 4294967296;

/** Smallest mtu that holds the header, both templates and the longest record. */
export function minimumMtu(protocol: ExportProtocol): number {
  const templates = templatesFor(protocol);
  const header = protocol === 'ipfix' ? IPFIX_HEADER_LENGTH : NETFLOW9_HEADER_LENGTH;
  const longest = Math.max(...templates.map(maxRecordLength)) + 4 + 3;
  return header + Math.max(templateSetLength(protocol, templates), longest);
}

export class MessageStream {
  readonly templates: readonly [Template, Template];
  private readonly opts: MessageStreamOptions;
  private readonly writer: MessageWriter;
  private arena: Buffer;
  private readonly startMs: number;
  /** IPFIX: data records sent; v9: export packets sent (both modulo 2^32). */
  private sequence = 0;
  private templatesSentMs = -1;
  private messagesSinceTemplates = 0;

  constructor(opts: MessageStreamOptions, nowMs: number) {
    this.opts = opts;
    this.templates = templatesFor(opts.protocol);
    this.writer = new MessageWriter(opts.protocol, Math.max(...this.templates.map(maxRecordLength)));
    this.arena = Buffer.alloc(opts.mtu * 4);
    this.startMs = nowMs;
  }

  /** Makes the next message start with the templates (after a collector error or a new socket). */
  forceTemplates(): void {
    this.templatesSentMs = -1;
  }

  private templatesDue(nowMs: number): boolean {
    const o = this.opts;
    if (this.templatesSentMs < 0) return true;
    if (o.refreshPackets > 0 && this.messagesSinceTemplates >= o.refreshPackets) return true;
    return o.refreshSeconds > 0 && nowMs - this.templatesSentMs >= o.refreshSeconds * 1000;
  }

  private slot(i: number): number {
    const need = (i + 1) * this.opts.mtu;
    // Earlier datagrams of this pack() stay views into the old arena.
    if (need > this.arena.length) this.arena = Buffer.alloc(Math.max(need, this.arena.length * 2));
    return i * this.opts.mtu;
  }

  private finishMessage(nowMs: number, withTemplates: boolean, out: Buffer[], start: number): void {
    const w = this.writer;
    const ipfix = this.opts.protocol === 'ipfix';
    const len = w.finish({
      exportTimeSec: Math.floor(nowMs / 1000),
      sequence: this.sequence,
      domain: this.opts.domain,
      sysUpTimeMs: Math.max(0, nowMs - this.startMs),
    });
    this.sequence = (this.sequence + (ipfix ? w.dataRecords : 1)) % TWO_32;
    if (withTemplates) {
      this.templatesSentMs = nowMs;
      this.messagesSinceTemplates = 0;
    } else {
      this.messagesSinceTemplates++;
    }
    out.push(this.arena.subarray(start, start + len));
  }

  /** A message holding only the templates (sent to probe a collector before data). */
  templatesOnly(nowMs: number): Buffer {
    const start = this.slot(0);
    this.writer.begin(this.arena, start, this.opts.mtu);
    this.writer.addTemplates(this.templates);
    const out: Buffer[] = [];
    this.finishMessage(nowMs, true, out, start);
    return out[0];
  }

  /** Encodes the batch into datagrams. */
  pack(batch: readonly FlowRecord[], nowMs: number): PackResult {
    const out: Buffer[] = [];
    const result: PackResult = { datagrams: out, invalid: 0 };
    const w = this.writer;
    let open = false;
    let withTemplates = false;
    let start = 0;
    const openMessage = (): void => {
      start = this.slot(out.length);
      w.begin(this.arena, start, this.opts.mtu);
      withTemplates = this.templatesDue(nowMs);
      if (withTemplates) w.addTemplates(this.templates);
      open = true;
    };
    for (const r of batch) {
      const t = r.ip_version === 6 ? this.templates[1] : this.templates[0];
      if (!open) openMessage();
      let status = w.addRecord(t, r);
      // A full message is sent and the record goes to the next one; that may
      // start with templates again and be full before the record, then once more.
      for (let tries = 0; status === 'full' && tries < 2 && (w.dataRecords > 0 || withTemplates); tries++) {
        this.finishMessage(nowMs, withTemplates, out, start);
        openMessage();
        status = w.addRecord(t, r);
      }
      if (status !== 'ok') {
        result.invalid++;
        if (result.reason === undefined) {
          const what = `flow ${String(r.flow_id)}: ${String(r.src_addr)} -> ${String(r.dst_addr)}`;
          result.reason = status === 'full' ? `${what} does not fit in a datagram of ${this.opts.mtu} bytes` : `${what} is not an IPv${t.ipVersion} flow`;
        }
      }
    }
    if (open && w.dataRecords > 0) this.finishMessage(nowMs, withTemplates, out, start);
    return result;
  }
}
