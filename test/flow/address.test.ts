/**
 * Address text forms: IPv4 dotted quads (including the sign-bit range of the
 * Int32 words) and IPv6 in RFC 5952 canonical form (section 4 cases, the
 * IPv4-mapped form of section 5), cross-checked against Node's own WHATWG URL
 * serializer for random addresses rich in zero groups.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressToString, ipv4ToString, ipv6ToString } from '../../src/flow/address';
import { rng, v4Word, v6Words } from './helpers';

function six(groups: number[]): string {
  const a = new Int32Array(4);
  for (let i = 0; i < 4; i++) a[i] = (groups[2 * i] << 16) | groups[2 * i + 1];
  return ipv6ToString(a, 0);
}

test('IPv4 words print as dotted quads, high bit included', () => {
  assert.equal(ipv4ToString(v4Word('0.0.0.0')), '0.0.0.0');
  assert.equal(ipv4ToString(v4Word('10.1.2.3')), '10.1.2.3');
  assert.equal(ipv4ToString(v4Word('192.168.255.1')), '192.168.255.1');
  assert.equal(ipv4ToString(v4Word('255.255.255.255')), '255.255.255.255');
  assert.equal(ipv4ToString(-1), '255.255.255.255');
  assert.equal(ipv4ToString(0x80000000 | 0), '128.0.0.0');
});

test('RFC 5952: the unspecified and loopback addresses', () => {
  assert.equal(six([0, 0, 0, 0, 0, 0, 0, 0]), '::');
  assert.equal(six([0, 0, 0, 0, 0, 0, 0, 1]), '::1');
  assert.equal(six([1, 0, 0, 0, 0, 0, 0, 0]), '1::');
});

test('RFC 5952: lower-case hex, leading zeros dropped, longest run of zero groups compressed', () => {
  assert.equal(six([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), '2001:db8::1');
  assert.equal(six([0x2001, 0x0db8, 0xabcd, 0x0012, 0, 0, 0, 0x0a]), '2001:db8:abcd:12::a');
  assert.equal(six([0xfe80, 0, 0, 0, 0x0202, 0xb3ff, 0xfe1e, 0x8329]), 'fe80::202:b3ff:fe1e:8329');
  assert.equal(six([0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff]), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
});

test('RFC 5952 4.2.2: a single zero group is not compressed', () => {
  assert.equal(six([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), '2001:db8:0:1:1:1:1:1');
  assert.equal(six([0, 1, 2, 3, 4, 5, 6, 7]), '0:1:2:3:4:5:6:7');
  assert.equal(six([1, 2, 3, 4, 5, 6, 7, 0]), '1:2:3:4:5:6:7:0');
});

test('RFC 5952 4.2.3: the longest run wins; the leftmost on ties', () => {
  assert.equal(six([0x2001, 0, 0, 1, 0, 0, 0, 1]), '2001:0:0:1::1');
  assert.equal(six([0x2001, 0, 0, 0, 1, 0, 0, 1]), '2001::1:0:0:1');
  assert.equal(six([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), '2001:db8::1:0:0:1');
  assert.equal(six([1, 0, 0, 2, 0, 0, 3, 4]), '1::2:0:0:3:4');
  assert.equal(six([0, 0, 1, 0, 0, 0, 0, 0]), '0:0:1::');
  assert.equal(six([0, 0, 0, 1, 0, 0, 0, 2]), '::1:0:0:0:2');
});

test('RFC 5952 section 5: IPv4-mapped addresses keep the dotted tail', () => {
  assert.equal(six([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]), '::ffff:1.2.3.4');
  assert.equal(six([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0001]), '::ffff:192.168.0.1');
  // Not mapped: other prefixes stay hexadecimal.
  assert.equal(six([0, 0, 0, 0, 0, 0xfffe, 0x0102, 0x0304]), '::fffe:102:304');
  assert.equal(six([0, 0, 0, 0, 0xffff, 0, 0x0102, 0x0304]), '::ffff:0:102:304');
});

test('addressToString picks the form by IP version and reads at an offset', () => {
  const a = new Int32Array(8);
  a[0] = v4Word('10.0.0.1');
  a.set(v6Words('2001:db8::42'), 4);
  assert.equal(addressToString(4, a, 0), '10.0.0.1');
  assert.equal(addressToString(6, a, 4), '2001:db8::42');
});

test('random IPv6 addresses print as Node\'s WHATWG URL serializer does', () => {
  const rand = rng(5952);
  let compressed = 0;
  for (let n = 0; n < 20_000; n++) {
    const g: number[] = [];
    const zeroBias = rand();
    for (let i = 0; i < 8; i++) {
      const r = rand();
      g.push(r < zeroBias ? 0 : r < zeroBias + 0.05 ? Math.floor(rand() * 16) : Math.floor(rand() * 65536));
    }
    // The URL serializer prints IPv4-mapped addresses in hex; RFC 5952 section 5 does not.
    if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) continue;
    const full = g.map((x) => x.toString(16).padStart(4, '0')).join(':');
    const want = new URL(`http://[${full}]/`).hostname.slice(1, -1);
    const got = six(g);
    assert.equal(got, want, `groups ${full}`);
    // Round trip through our own parser.
    assert.deepEqual(Array.from(v6Words(got)), Array.from(v6Words(full)));
    if (got.includes('::')) compressed++;
  }
  assert.ok(compressed > 5000, `only ${compressed} compressed forms exercised`);
});
