/**
 * Fuzz tests for the text the exporter parses: IPv4 / IPv6 address text
 * (checked against Node's net.isIPv4 / isIPv6 and the WHATWG URL host parser)
 * and the collector URL with options (only E_SINK_CONFIG errors, never a
 * crash). Seeded, so a failure can be replayed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv4, isIPv6 } from 'node:net';
import { writeIPv4, writeIPv6 } from '../../../src/export/ipfix/encode';
import { IpfixTransport } from '../../../src/export/ipfix/ipfix-transport';
import { SinkError } from '../../../src/export/sinks/transport';
import { rng } from '../../support/common';
import { fullIPv6 } from './decode';

function whatwgIPv6(s: string): boolean {
  try {
    new URL(`http://[${s}]/`);
    return true;
  } catch {
    return false;
  }
}

function randomText(rand: () => number, alphabet: string, maxLength: number): string {
  let s = '';
  const n = Math.floor(rand() * maxLength);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

function mutate(rand: () => number, s: string, alphabet: string): string {
  const i = Math.floor(rand() * (s.length + 1));
  const c = alphabet[Math.floor(rand() * alphabet.length)];
  switch (Math.floor(rand() * 3)) {
    case 0:
      return s.slice(0, i) + c + s.slice(i);
    case 1:
      return s.slice(0, i) + s.slice(i + 1);
    default:
      return s.slice(0, i) + c + s.slice(i + 1);
  }
}

const V6_ALPHABET = '0123456789abcdefABCDEF:.';

test('IPv6 text: accepted exactly when Node and the WHATWG parser accept it, with the same 16 bytes', () => {
  const rand = rng(0x6006);
  const buf = Buffer.alloc(16);
  const seeds = ['::', '::1', '2001:db8::1', '1:2:3:4:5:6:7:8', '::ffff:192.0.2.1', 'fe80::1:2:3:4', '1::', '::1.2.3.4', '1:2:3:4:5:6:1.2.3.4'];
  let accepted = 0;
  for (let i = 0; i < 30_000; i++) {
    let s: string;
    if (i % 3 === 0) s = randomText(rand, V6_ALPHABET, 24);
    else {
      s = seeds[i % seeds.length];
      const edits = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < edits; k++) s = mutate(rand, s, V6_ALPHABET);
    }
    const mine = writeIPv6(s, buf, 0);
    assert.equal(mine, isIPv6(s), `net.isIPv6 disagrees on ${JSON.stringify(s)}`);
    assert.equal(mine, whatwgIPv6(s), `WHATWG URL disagrees on ${JSON.stringify(s)}`);
    if (mine) {
      accepted++;
      const groups: string[] = [];
      for (let g = 0; g < 16; g += 2) groups.push(buf.readUInt16BE(g).toString(16).padStart(4, '0'));
      assert.equal(groups.join(':'), fullIPv6(s), JSON.stringify(s));
    }
  }
  assert.ok(accepted > 1000, `only ${accepted} valid inputs generated`);
});

test('IPv4 text: accepted exactly when net.isIPv4 accepts it, with its 4 bytes', () => {
  const rand = rng(0x4004);
  const buf = Buffer.alloc(4);
  const alphabet = '0123456789.';
  let accepted = 0;
  for (let i = 0; i < 30_000; i++) {
    const s = i % 2 === 0 ? randomText(rand, alphabet, 18) : mutate(rand, `${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`, alphabet);
    const mine = writeIPv4(s, buf, 0);
    assert.equal(mine, isIPv4(s), JSON.stringify(s));
    if (mine) {
      accepted++;
      assert.equal([...buf].join('.'), s);
    }
  }
  assert.ok(accepted > 1000);
});

test('collector URLs and options: a transport or an E_SINK_CONFIG error, never anything else', () => {
  const rand = rng(0x0d1);
  const parts = ['udp://', 'tcp://', 'http://', '[', ']', '::1', '127.0.0.1', 'host', ':', '4739', '0', '65536', '99999', '@', 'user', '/', '?', '#', '%', ' ', '-', '.', 'é', '', 'udp:'];
  for (let i = 0; i < 5_000; i++) {
    let url = '';
    const n = 1 + Math.floor(rand() * 7);
    for (let k = 0; k < n; k++) url += parts[Math.floor(rand() * parts.length)];
    const mtu = [undefined, 0, 100, 512, 1400, 65507, 65508, -1, 1.5, Number.NaN][Math.floor(rand() * 10)];
    const protocol = rand() < 0.5 ? 'ipfix' : 'netflow9';
    try {
      const t = new IpfixTransport({ protocol, url, mtu });
      assert.match(t.name, /^(ipfix|netflow9) udp:\/\/\S+:\d+$/);
    } catch (e) {
      assert.ok(e instanceof SinkError, `${JSON.stringify(url)}: ${String(e)}`);
      assert.equal(e.code, 'E_SINK_CONFIG');
      assert.ok(!e.message.includes('\n'));
    }
  }
});
