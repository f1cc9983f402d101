/**
 * Loads the TLS/DTLS byte fixtures of test/fixtures/dpi/tls: one packet a
 * line, "<dir> <hex payload>" (dir 0 client to server, 1 server to client),
 * extracted with tshark from nDPI corpus pcaps (each file's header says
 * which pcap and frames).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestPacket } from '../harness';

const CANDIDATES = [
  join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'dpi', 'tls'),
  join(process.cwd(), 'test', 'fixtures', 'dpi', 'tls'),
];

export function fixture(name: string): TestPacket[] {
  const dir = CANDIDATES.find((d) => existsSync(join(d, name)));
  if (dir === undefined) throw new Error(`fixture ${name} not found`);
  const out: TestPacket[] = [];
  for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [d, h] = line.split(' ');
    out.push({ dir: d === '1' ? 1 : 0, payload: Buffer.from(h, 'hex') });
  }
  return out;
}

/** Splits a TLS byte stream into records: [type, body] pairs. */
export function records(stream: Buffer): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  let p = 0;
  while (p + 5 <= stream.length) {
    const n = stream.readUInt16BE(p + 3);
    out.push([stream[p], stream.subarray(p + 5, p + 5 + n)]);
    p += 5 + n;
  }
  return out;
}

/** Builds TLS records of the given type carrying data, at most max bytes of body each. */
export function toRecords(type: number, data: Buffer, max: number, version = 0x0303): Buffer {
  const parts: Buffer[] = [];
  for (let p = 0; p < data.length; p += max) {
    const body = data.subarray(p, Math.min(data.length, p + max));
    const h = Buffer.from([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff]);
    parts.push(h, body);
  }
  return Buffer.concat(parts);
}
