/**
 * The worker of a frame (src/workers/partition.ts): a symmetric hash of the
 * outer address pair, under every link framing the decoder supports; IP
 * fragments and ICMP errors from the peer follow their flow; frames without
 * an address pair go to worker 0; over random packets, swapping the
 * addresses never changes the worker and every worker gets a share; and the
 * IP header it finds is the one the decoder decodes (committed captures).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { addressPairHash, ipHeaderOffset, UNPLACED_WORKER, workerOf } from '../../src/workers/partition';
import { Decoder } from '../../src/decode/decoder';
import { DecodeResult } from '../../src/decode/packet';
import { openCaptureInput } from '../../src/capture/file-source';
import { rng } from '../support/common';
import { CORPUS, ethIpv4, ROOT, tcp, udp } from '../cli/helpers';
import { CaptureError } from '../../src/util/errors';
import { v4Word, v6Words } from '../flow/helpers';

const MAC = Buffer.from('020000000001020000000002', 'hex');

function ipv4(src: string, dst: string, proto: number, data: Buffer, frag: { id?: number; offset?: number; more?: boolean } = {}): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + data.length, 2);
  ip.writeUInt16BE(frag.id ?? 7, 4);
  ip.writeUInt16BE(((frag.offset ?? 0) >> 3) | (frag.more === true ? 0x2000 : 0), 6);
  ip[8] = 64;
  ip[9] = proto;
  ip.writeInt32BE(v4Word(src), 12);
  ip.writeInt32BE(v4Word(dst), 16);
  return Buffer.concat([ip, data]);
}

function ipv6(src: string, dst: string, next: number, data: Buffer): Buffer {
  const ip = Buffer.alloc(40);
  ip[0] = 0x60;
  ip.writeUInt16BE(data.length, 4);
  ip[6] = next;
  ip[7] = 64;
  const s = v6Words(src);
  const d = v6Words(dst);
  for (let i = 0; i < 4; i++) {
    ip.writeInt32BE(s[i], 8 + 4 * i);
    ip.writeInt32BE(d[i], 24 + 4 * i);
  }
  return Buffer.concat([ip, data]);
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

/** One IP packet in each link framing the decoder supports: [link type, frame]. */
function framings(ip: Buffer): Array<[string, number, Buffer]> {
  const type = u16((ip[0] >> 4) === 4 ? 0x0800 : 0x86dd);
  const v4 = (ip[0] >> 4) === 4;
  const mpls = (bottom: boolean): Buffer => Buffer.from([0x00, 0x01, bottom ? 0x01 : 0x00, 0x40]);
  const sll = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 6]), Buffer.alloc(8), type]);
  const sll2 = Buffer.concat([type, Buffer.from([0, 0, 0, 0, 0, 2, 0, 1, 0, 6]), Buffer.alloc(8)]);
  const nullLe = Buffer.from([v4 ? 2 : 30, 0, 0, 0]);
  const loop = Buffer.from([0, 0, 0, v4 ? 2 : 30]);
  const pppProto = u16(v4 ? 0x0021 : 0x0057);
  const wifi = Buffer.alloc(24);
  wifi[0] = 0x08;
  wifi[1] = 0x01;
  const radiotap = Buffer.from([0, 0, 8, 0, 0, 0, 0, 0]);
  const ppi = Buffer.from([0, 0, 8, 0, 1, 0, 0, 0]);
  const snap = Buffer.concat([Buffer.from([0xaa, 0xaa, 0x03, 0, 0, 0]), type]);
  return [
    ['Ethernet', 1, Buffer.concat([MAC, type, ip])],
    ['802.1Q', 1, Buffer.concat([MAC, u16(0x8100), u16(42), type, ip])],
    ['QinQ', 1, Buffer.concat([MAC, u16(0x88a8), u16(100), u16(0x8100), u16(42), type, ip])],
    ['802.3 LLC/SNAP', 1, Buffer.concat([MAC, u16(8 + ip.length), snap, ip])],
    ['MPLS', 1, Buffer.concat([MAC, u16(0x8847), mpls(false), mpls(true), ip])],
    ['MPLS pseudowire', 1, Buffer.concat([MAC, u16(0x8847), mpls(true), Buffer.alloc(4), MAC, type, ip])],
    ['PPPoE', 1, Buffer.concat([MAC, u16(0x8864), Buffer.from([0x11, 0, 0, 1]), u16(ip.length + 2), pppProto, ip])],
    ['raw IP', 101, ip],
    ['raw IP (DLT 12)', 12, ip],
    ['Linux cooked v1', 113, Buffer.concat([sll, ip])],
    ['Linux cooked v2', 276, Buffer.concat([sll2, ip])],
    ['BSD null', 0, Buffer.concat([nullLe, ip])],
    ['BSD loopback', 108, Buffer.concat([loop, ip])],
    ['PPP', 9, Buffer.concat([Buffer.from([0xff, 0x03]), pppProto, ip])],
    ['Cisco HDLC', 104, Buffer.concat([Buffer.from([0x0f, 0x00]), type, ip])],
    ['802.11', 105, Buffer.concat([wifi, snap, ip])],
    ['radiotap', 127, Buffer.concat([radiotap, wifi, snap, ip])],
    ['PPI', 192, Buffer.concat([ppi, MAC, type, ip])],
  ];
}

function worker(linkType: number, frame: Buffer, n: number): number {
  return workerOf(linkType, frame, 0, frame.length, n);
}

test('both directions of a flow go to the same worker, in every link framing', () => {
  for (const [src, dst] of [['192.0.2.1', '198.51.100.7'], ['10.0.0.1', '10.0.0.2'], ['2001:db8::1', '2001:db8:ffff::99']]) {
    const v6 = src.includes(':');
    const mk = (a: string, b: string, sp: number, dp: number): Buffer => (v6 ? ipv6(a, b, 17, udp(sp, dp)) : ipv4(a, b, 17, udp(sp, dp)));
    const forward = framings(mk(src, dst, 40000, 53));
    const back = framings(mk(dst, src, 53, 40000));
    for (let i = 0; i < forward.length; i++) {
      const [name, lt, f] = forward[i];
      const b = back[i][2];
      assert.ok(ipHeaderOffset(lt, f, 0, f.length) >= 0, `${name}: the IP header is found`);
      for (const n of [2, 3, 4, 7, 64]) assert.equal(worker(lt, f, n), worker(lt, b, n), `${name} ${src}<->${dst}, ${n} workers`);
      // The framing does not change the worker: only the addresses do.
      assert.equal(worker(lt, f, 5), worker(1, forward[0][2], 5), `${name}: same worker as plain Ethernet`);
    }
  }
});

test('fragments after the first (no ports) and ICMP errors from the peer go where their flow goes', () => {
  const payload = udp(5000, 6000, Buffer.alloc(3000));
  const first = ethIpv4({ src: '203.0.113.9', dst: '192.0.2.200', proto: 17, data: payload.subarray(0, 1480), id: 99, moreFragments: true });
  const later = ethIpv4({ src: '203.0.113.9', dst: '192.0.2.200', proto: 17, data: payload.subarray(1480, 2960), id: 99, fragOffset: 1480, moreFragments: true });
  const last = ethIpv4({ src: '203.0.113.9', dst: '192.0.2.200', proto: 17, data: payload.subarray(2960), id: 99, fragOffset: 2960 });
  // Port unreachable from the destination host, quoting the datagram.
  const icmp = Buffer.concat([Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), ipv4('203.0.113.9', '192.0.2.200', 17, udp(5000, 6000)).subarray(0, 28)]);
  const unreachable = ethIpv4({ src: '192.0.2.200', dst: '203.0.113.9', proto: 1, data: icmp });
  const reply = ethIpv4({ src: '192.0.2.200', dst: '203.0.113.9', proto: 6, data: tcp(6000, 5000, 0x12) });
  for (const n of [2, 3, 8]) {
    const w = worker(1, first, n);
    for (const [name, f] of [['later fragment', later], ['last fragment', last], ['ICMP error', unreachable], ['another flow between the two hosts', reply]] as const) {
      assert.equal(worker(1, f, n), w, `${name}, ${n} workers`);
    }
  }
});

test('frames without an IP address pair go to worker 0', () => {
  const arp = Buffer.concat([MAC, u16(0x0806), Buffer.alloc(28)]);
  const ip = ipv4('192.0.2.1', '192.0.2.2', 17, udp(1, 2));
  const cases: Array<[string, number, Buffer]> = [
    ['ARP', 1, arp],
    ['an unknown link type', 147, Buffer.concat([MAC, u16(0x0800), ip])],
    ['a truncated IPv4 header', 1, Buffer.concat([MAC, u16(0x0800), ip.subarray(0, 16)])],
    ['a truncated IPv6 header', 101, ipv6('2001:db8::1', '2001:db8::2', 17, udp(1, 2)).subarray(0, 30)],
    ['IP version 5', 101, Buffer.from([0x50, ...ip.subarray(1)])],
    ['an LLC frame without SNAP', 1, Buffer.concat([MAC, u16(40), Buffer.from([0x42, 0x42, 0x03]), Buffer.alloc(37)])],
    ['a Linux netlink frame', 113, Buffer.concat([Buffer.from([0, 0, 0x03, 0x38]), Buffer.alloc(10), u16(0x0800), ip])],
    ['a protected 802.11 frame', 105, Buffer.concat([Buffer.from([0x08, 0x41]), Buffer.alloc(22), Buffer.alloc(40)])],
    ['an empty frame', 1, Buffer.alloc(0)],
    ['MPLS labels without a bottom of stack', 1, Buffer.concat([MAC, u16(0x8847), Buffer.alloc(4 * 30)])],
  ];
  for (const [name, lt, f] of cases) {
    for (const n of [2, 5]) assert.equal(worker(lt, f, n), UNPLACED_WORKER, `${name}, ${n} workers`);
  }
});

test('property: over random packets, swapping the addresses never changes the worker, and every worker gets a fair share', () => {
  const next = rng(0x5eed1);
  const word = (): number => (next() * 0x100000000) | 0;
  for (const n of [2, 3, 4, 16]) {
    const counts = new Array<number>(n).fill(0);
    const rounds = 4000;
    for (let i = 0; i < rounds; i++) {
      const v6 = next() < 0.3;
      const ip = Buffer.alloc(v6 ? 40 : 20);
      ip[0] = v6 ? 0x60 : 0x45;
      const words = v6 ? 8 : 2;
      const base = v6 ? 8 : 12;
      for (let k = 0; k < words; k++) ip.writeInt32BE(word(), base + 4 * k);
      // Now and then both hosts share a prefix, or are the same host.
      if (next() < 0.1) ip.copy(ip, base + (words / 2) * 4, base, base + (words / 2) * 4 - 1);
      const swapped = Buffer.from(ip);
      const half = (words / 2) * 4;
      ip.copy(swapped, base, base + half, base + 2 * half);
      ip.copy(swapped, base + half, base, base + half);
      const frame = Buffer.concat([MAC, u16(v6 ? 0x86dd : 0x0800), ip]);
      const back = Buffer.concat([MAC, u16(v6 ? 0x86dd : 0x0800), swapped]);
      const w = worker(1, frame, n);
      assert.equal(worker(1, back, n), w, `packet ${i}: ${ip.toString('hex')}`);
      assert.equal(addressPairHash(frame, 14, frame.length), addressPairHash(back, 14, back.length));
      assert.ok(w >= 0 && w < n);
      counts[w]++;
    }
    for (let w = 0; w < n; w++) {
      const share = counts[w] / rounds;
      assert.ok(share > 0.6 / n && share < 1.4 / n, `${n} workers: worker ${w} got ${counts[w]} of ${rounds}`);
    }
  }
});

test('the IP header found is the one the decoder reads (sample, fixtures and the nDPI corpus)', async () => {
  const found = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.(pcap|pcapng)$/.test(f)).map((f) => join(dir, f)) : []);
  const files = [join(ROOT, 'samples', 'sample.pcap'), ...found(join(ROOT, 'test', 'fixtures')), ...found(CORPUS)];
  let checked = 0;
  const linkTypes = new Set<number>();
  for (const file of files) {
    const d = new Decoder({ tunnels: false });
    try {
      const src = await openCaptureInput(file);
      await src.run({
        onPacket(linkType, buf, off, caplen, wireLen, tsMs) {
          const r = d.decode(linkType, buf, off, caplen, wireLen, tsMs);
          const at = ipHeaderOffset(linkType, buf, off, off + caplen);
          if (r === DecodeResult.Ok && d.pkt.depth === 0) {
            assert.equal(at, d.pkt.ipOff, `${file}: link type ${linkType}`);
            linkTypes.add(linkType);
            checked++;
          }
        },
      });
    } catch (err) {
      // Corrupt corpus captures (fuzz-*) end early: the packets before were compared.
      if (!(err instanceof CaptureError)) throw err;
    }
  }
  assert.ok(checked > 100, `${checked} packets compared`);
  if (existsSync(CORPUS)) assert.ok(linkTypes.size >= 5, `link types seen: ${[...linkTypes].join(', ')}`);
});
