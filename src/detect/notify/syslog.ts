/**
 * Syslog (RFC 5424) over UDP (RFC 5426: one message per datagram, kept
 * within 2048 octets) or TCP (RFC 6587 octet counting: "LEN SP MSG").
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID name="value" ...] BOM MSG
 *
 * PRI = facility * 8 + severity, the alert's severity mapped to syslog's
 * (critical 2 Critical, high 3 Error, medium 4 Warning, low 5 Notice,
 * info 6 Informational); TIMESTAMP is raised_at in UTC with milliseconds;
 * MSGID is the rule name; one structured-data element (SD-ID configurable,
 * default flowtap@32473 where 32473 is the example enterprise number of
 * RFC 5612: use your organisation's) carries the alert's fields, with `"`,
 * `\` and `]` escaped (section 6.3.3); MSG is the alert's message, preceded
 * by the UTF-8 BOM when it is not plain ASCII (section 6.4). TLS transport
 * (RFC 5425) is not implemented.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { lookup } from 'node:dns/promises';
import { hostname as osHostname } from 'node:os';
import type { Alert } from '../alert';
import { appsText } from '../alert';
import type { SyslogConfig } from '../rules-config';
import { AlertTransport, NotifyError } from './types';

export const SYSLOG_SEVERITY: Record<string, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };
/** Largest UDP message sent (RFC 5426 section 3.2: receivers SHOULD take 2048 octets). */
export const UDP_MAX = 2048;
const BOM = '\ufeff';

function printable(s: string, max: number): string {
  const t = s.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return t === '' ? '-' : t;
}

function sdValue(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => `\\${c}`);
}

export interface SyslogFormat {
  facility: number;
  appName: string;
  hostname: string;
  procId: string;
  sdId: string;
}

/** The alert's fields as SD-PARAMs, most useful first (the optional ones last, dropped first when a datagram is too long). */
function params(a: Alert, full: boolean): [string, string][] {
  const p: [string, string][] = [['rule', a.rule], ['severity', a.severity], ['kind', a.kind]];
  if (a.src_addr !== '') p.push(['src_addr', a.src_addr]);
  p.push(['window_start', String(a.window_start)], ['window_end', String(a.window_end)], ['raised_at', String(a.raised_at)]);
  for (const [k, v] of Object.entries(a.counts)) if (v !== undefined) p.push([k, String(v)]);
  if (a.approximate) p.push(['approximate', 'true']);
  if (a.flow !== undefined) {
    p.push(['dst_addr', a.flow.dst_addr], ['dst_port', String(a.flow.dst_port)], ['protocol_name', a.flow.protocol_name]);
    if (a.flow.server_name !== '') p.push(['server_name', a.flow.server_name]);
  }
  if (full) {
    if (a.applications.length > 0) p.push(['applications', appsText(a.applications)]);
    if (a.community_ids.length > 0) p.push(['community_ids', a.community_ids.join(' ')]);
  }
  return p;
}

/** One RFC 5424 message for the alert (maxBytes: trimmed to fit, for UDP). */
export function formatSyslog(a: Alert, f: SyslogFormat, maxBytes = Infinity): Buffer {
  const pri = f.facility * 8 + (SYSLOG_SEVERITY[a.severity] ?? 6);
  const head = `<${pri}>1 ${new Date(a.raised_at).toISOString()} ${printable(f.hostname, 255)} ${printable(f.appName, 48)} ${printable(f.procId, 128)} ${printable(a.rule, 32)} `;
  const msg = /^[\x00-\x7f]*$/.test(a.message) ? a.message : BOM + a.message;
  for (const full of [true, false]) {
    const sd = `[${f.sdId}${params(a, full).map(([k, v]) => ` ${k}="${sdValue(v)}"`).join('')}]`;
    const b = Buffer.from(`${head}${sd} ${msg}`, 'utf8');
    if (b.length <= maxBytes) return b;
    if (!full) {
      const fixed = Buffer.byteLength(`${head}${sd} `, 'utf8');
      let cut = Math.max(fixed, maxBytes);
      // Do not cut a UTF-8 sequence in two.
      while (cut > fixed && (b[cut] & 0xc0) === 0x80) cut--;
      return b.subarray(0, cut);
    }
  }
  return Buffer.alloc(0);
}

export class SyslogTransport implements AlertTransport {
  readonly name: string;
  private readonly cfg: SyslogConfig;
  private readonly fmt: SyslogFormat;
  private udp: dgram.Socket | null = null;
  private udpAddress = '';
  private tcp: net.Socket | null = null;
  private tcpReady: Promise<net.Socket> | null = null;

  constructor(cfg: SyslogConfig) {
    this.cfg = cfg;
    this.name = `syslog ${cfg.transport}://${net.isIPv6(cfg.host) ? `[${cfg.host}]` : cfg.host}:${cfg.port}`;
    this.fmt = { facility: cfg.facility, appName: cfg.appName, hostname: cfg.hostname ?? osHostname(), procId: String(process.pid), sdId: cfg.sdId };
  }

  send(a: Alert): Promise<void> {
    return this.cfg.transport === 'udp' ? this.sendUdp(formatSyslog(a, this.fmt, UDP_MAX)) : this.sendTcp(formatSyslog(a, this.fmt));
  }

  private withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new NotifyError('E_NOTIFY_TIMEOUT', `${this.cfg.host}:${this.cfg.port}: ${what} took longer than ${this.cfg.timeoutMs} ms`)), this.cfg.timeoutMs);
      p.then((v) => {
        clearTimeout(t);
        resolve(v);
      }, (e: unknown) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  private async sendUdp(msg: Buffer): Promise<void> {
    if (this.udp === null) {
      let address = this.cfg.host;
      let family = net.isIP(address);
      if (family === 0) {
        try {
          const r = await this.withTimeout(lookup(this.cfg.host), 'name resolution');
          address = r.address;
          family = r.family;
        } catch (e) {
          if (e instanceof NotifyError) throw e;
          throw new NotifyError('E_NOTIFY_CONNECT', `${this.cfg.host}: cannot resolve the name (${(e as Error).message})`);
        }
      }
      const s = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
      s.on('error', () => {
        s.close();
        if (this.udp === s) this.udp = null;
      });
      s.unref();
      this.udp = s;
      this.udpAddress = address;
    }
    const s = this.udp;
    await this.withTimeout(new Promise<void>((resolve, reject) => {
      s.send(msg, this.cfg.port, this.udpAddress, (err) => {
        if (err) reject(new NotifyError('E_NOTIFY_CONNECT', `${this.cfg.host}:${this.cfg.port}: ${err.message}`));
        else resolve();
      });
    }), 'sending');
  }

  private connect(): Promise<net.Socket> {
    if (this.tcpReady !== null) return this.tcpReady;
    const p = new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: this.cfg.host, port: this.cfg.port });
      const fail = (err: Error): void => {
        s.destroy();
        if (this.tcp === s || this.tcp === null) {
          this.tcp = null;
          this.tcpReady = null;
        }
        reject(new NotifyError('E_NOTIFY_CONNECT', `${this.cfg.host}:${this.cfg.port}: ${err.message}`));
      };
      s.once('error', fail);
      s.once('connect', () => {
        s.removeListener('error', fail);
        s.setNoDelay(true);
        s.on('error', () => {
          s.destroy();
        });
        s.on('close', () => {
          if (this.tcp === s) {
            this.tcp = null;
            this.tcpReady = null;
          }
        });
        // The collector sends nothing back; reading keeps a closing peer visible.
        s.on('data', () => undefined);
        this.tcp = s;
        resolve(s);
      });
    });
    this.tcpReady = this.withTimeout(p, 'connecting').catch((e: unknown) => {
      this.tcpReady = null;
      throw e;
    });
    return this.tcpReady;
  }

  private async sendTcp(msg: Buffer): Promise<void> {
    const s = await this.connect();
    const frame = Buffer.concat([Buffer.from(`${msg.length} `, 'ascii'), msg]);
    await this.withTimeout(new Promise<void>((resolve, reject) => {
      if (s.destroyed) {
        reject(new NotifyError('E_NOTIFY_CONNECT', `${this.cfg.host}:${this.cfg.port}: connection closed`));
        return;
      }
      s.write(frame, (err) => {
        if (err) {
          s.destroy();
          reject(new NotifyError('E_NOTIFY_CONNECT', `${this.cfg.host}:${this.cfg.port}: ${err.message}`));
        } else resolve();
      });
    }), 'sending');
  }

  async close(): Promise<void> {
    if (this.udp !== null) {
      this.udp.close();
      this.udp = null;
    }
    const s = this.tcp;
    this.tcp = null;
    this.tcpReady = null;
    if (s !== null && !s.destroyed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          s.destroy();
          resolve();
        }, 1000);
        s.end(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
