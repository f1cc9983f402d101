/**
 * Test helpers around the exporter's datagrams: a UDP receiver standing in
 * for a collector (keeps every datagram), a minimal pcap writer (Ethernet,
 * IPv4, UDP) so tshark can dissect what was sent, and tshark runners.
 */
import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';

export class Receiver {
  readonly datagrams: Buffer[] = [];
  private socket: dgram.Socket;
  private waiters: (() => void)[] = [];

  private constructor(socket: dgram.Socket) {
    this.socket = socket;
    socket.on('message', (m) => {
      this.datagrams.push(Buffer.from(m));
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
  }

  static open(host = '127.0.0.1', port = 0): Promise<Receiver> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      s.once('error', reject);
      s.bind(port, host, () => resolve(new Receiver(s)));
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Waits until at least n datagrams arrived (loopback: they do; the timeout only guards against a bug). */
  async waitFor(n: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.datagrams.length < n) {
      if (Date.now() > deadline) throw new Error(`received ${this.datagrams.length} of ${n} datagrams`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** Writes the datagrams as UDP packets 127.0.0.1:40000 -> 127.0.0.1:dstPort in a classic pcap file. */
export function writePcap(file: string, datagrams: readonly Buffer[], dstPort: number): void {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(262144, 16);
  global.writeUInt32LE(1, 20);
  const parts: Buffer[] = [global];
  datagrams.forEach((d, i) => {
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(28 + d.length, 2);
    ip.writeUInt16BE(i & 0xffff, 4);
    ip[8] = 64;
    ip[9] = 17;
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    let sum = 0;
    for (let k = 0; k < 20; k += 2) sum += ip.readUInt16BE(k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(40000, 0);
    udp.writeUInt16BE(dstPort, 2);
    udp.writeUInt16BE(8 + d.length, 4);
    const frame = Buffer.concat([eth, ip, udp, d]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
  });
  writeFileSync(file, Buffer.concat(parts));
}

/** Why tshark cannot be used here, or null. */
export function tsharkMissing(): string | null {
  return spawnSync('tshark', ['-v'], { encoding: 'utf8' }).error ? 'tshark is not installed (apt-get install tshark)' : null;
}

/** Runs tshark on a pcap with the given UDP port dissected as NetFlow/IPFIX. */
export function tshark(file: string, port: number, args: readonly string[]): string {
  const r = spawnSync('tshark', ['-r', file, '-d', `udp.port==${port},cflow`, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`tshark exited ${String(r.status)}: ${r.stderr}`);
  return r.stdout;
}

/** Frames tshark flags as malformed or with expert info (warnings, errors, notes). */
export function tsharkProblems(file: string, port: number): string {
  return tshark(file, port, ['-Y', '_ws.malformed || _ws.expert', '-V']).trim();
}

/** One row per frame: the fields' occurrences, split on '|'. */
export function tsharkFields(file: string, port: number, fields: readonly string[]): string[][][] {
  const out = tshark(file, port, ['-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])]);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t').map((c) => (c === '' ? [] : c.split('|'))));
}
