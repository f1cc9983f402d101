/**
 * The building blocks of the detectors: CIDR lists on address words,
 * distinct counting (exact, then linear counting), the bounded source index
 * (eviction of the least recently used), the top-labels counters, and
 * message templates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrList, parseCidr } from '../../src/detect/cidr';
import { DistinctColumn, EXACT_VALUES, SATURATED_COUNT } from '../../src/detect/distinct';
import { SourceIndex, SourceOwner } from '../../src/detect/source-index';
import { TopLabels } from '../../src/detect/top-labels';
import { formatDuration, renderTemplate, topApp } from '../../src/detect/alert';
import { rng } from '../support/common';
import { v4Word, v6Words } from '../flow/helpers';

test('cidr-lists-match-ipv4-and-ipv6-addresses-held-as-words', () => {
  const l = CidrList.parse(['10.0.0.0/8', '192.168.1.7', '2001:db8:1::/48', '0.0.0.0/32']);
  const a = new Int32Array(4);
  const v4 = (s: string): boolean => {
    a[0] = v4Word(s);
    return l.contains(4, a, 0);
  };
  assert.equal(v4('10.255.1.2'), true);
  assert.equal(v4('11.0.0.1'), false);
  assert.equal(v4('192.168.1.7'), true);
  assert.equal(v4('192.168.1.8'), false);
  assert.equal(l.contains(6, v6Words('2001:db8:1:ffff::5'), 0), true);
  assert.equal(l.contains(6, v6Words('2001:db8:2::5'), 0), false);
  assert.equal(CidrList.parse(['0.0.0.0/0']).containsText('203.0.113.9'), true);
  assert.equal(new CidrList([]).containsText('10.0.0.1'), false);
});

test('cidr-blocks-with-host-bits-or-bad-lengths-are-refused-with-the-fix', () => {
  assert.match(parseCidr('10.1.2.3/8') as string, /host bits set after \/8; did you mean 10\.0\.0\.0\/8\?/);
  assert.match(parseCidr('10.0.0.0/33') as string, /prefix length must be 0\.\.32/);
  assert.match(parseCidr('bastion-1') as string, /not an IPv4 or IPv6 address/);
  assert.match(parseCidr('2001:db8::1/32') as string, /did you mean 2001:db8::\/32/);
  assert.match(parseCidr('010.0.0.1') as string, /not an IPv4/);
});

test('distinct-counts-are-exact-up-to-the-exact-size-then-estimated-within-a-few-percent', () => {
  const c = new DistinctColumn(12345);
  c.grow(4);
  for (let i = 0; i < EXACT_VALUES; i++) {
    assert.equal(c.add(0, 1000 + i), true);
    assert.equal(c.add(0, 1000 + i), false, 'a repeat is not new');
  }
  assert.equal(c.count(0), EXACT_VALUES);
  assert.equal(c.approximate(0), false);
  for (let i = EXACT_VALUES; i < 1000; i++) c.add(0, 1000 + i);
  for (let i = 0; i < 1000; i++) c.add(0, 1000 + i);
  assert.equal(c.approximate(0), true);
  assert.ok(Math.abs(c.count(0) - 1000) <= 60, `estimate ${c.count(0)} for 1000`);
  for (let i = 0; i < 100; i++) c.add(1, i * 7919);
  assert.ok(Math.abs(c.count(1) - 100) <= 6, `estimate ${c.count(1)} for 100`);
  assert.equal(c.count(2), 0, 'slots are independent');
  c.clear(0);
  assert.equal(c.count(0), 0);
  assert.equal(c.approximate(0), false);
});

test('distinct-counting-saturates-visibly-instead-of-wrapping', () => {
  const c = new DistinctColumn(1);
  c.grow(1);
  for (let i = 0; i < 200_000; i++) c.add(0, i);
  assert.equal(c.saturated(0), true);
  assert.equal(c.count(0), SATURATED_COUNT);
});

class Owner implements SourceOwner {
  cap = 0;
  evicted: number[] = [];
  resets = 0;
  grow(cap: number): void {
    this.cap = cap;
  }
  evicting(slot: number): void {
    this.evicted.push(slot);
  }
  reset(): void {
    this.resets++;
  }
}

test('source-index-finds-sources-and-evicts-the-least-recently-used-at-its-limit', () => {
  const o = new Owner();
  const idx = new SourceIndex(64, 99, o, 16);
  const a = new Int32Array(4);
  const slotOf = (w: number): number => {
    a[0] = w;
    return idx.acquire(4, a, 0);
  };
  const slots = new Map<number, number>();
  for (let w = 1; w <= 64; w++) slots.set(w, slotOf(w));
  assert.equal(idx.count, 64);
  assert.equal(o.cap, 64, 'grew by doubling up to the limit');
  assert.equal(slotOf(1), slots.get(1), 'same source, same slot (and now most recent)');
  slotOf(1000);
  assert.equal(idx.evictions, 1);
  assert.deepEqual(o.evicted, [slots.get(2)], 'source 2 was the least recently used');
  a[0] = 2;
  assert.equal(idx.find(4, a, 0), -1);
  a[0] = 1;
  assert.equal(idx.find(4, a, 0), slots.get(1));
  // IPv6 sources with the same first word are different sources.
  const x = v6Words('2001:db8::1');
  const y = v6Words('2001:db8::2');
  assert.notEqual(idx.acquire(6, x, 0), idx.acquire(6, y, 0));
  assert.equal(idx.find(6, x, 0), idx.acquire(6, x, 0));
});

test('source-index-stays-consistent-under-random-churn', () => {
  const o = new Owner();
  const idx = new SourceIndex(500, 3, o, 16);
  const r = rng(42);
  const a = new Int32Array(4);
  const live = new Map<number, number>();
  for (let i = 0; i < 20_000; i++) {
    a[0] = Math.floor(r() * 2000);
    const s = idx.acquire(4, a, 0);
    live.set(a[0], s);
  }
  assert.equal(idx.count, 500);
  let found = 0;
  for (const [w, s] of live) {
    a[0] = w;
    const f = idx.find(4, a, 0);
    if (f >= 0) {
      found++;
      assert.equal(f, s);
      assert.equal(idx.addr[f << 2], w);
    }
  }
  assert.equal(found, 500, 'exactly the 500 tracked sources are found');
});

test('top-labels-keep-the-most-frequent-labels-of-a-source', () => {
  const t = new TopLabels();
  t.grow(2);
  for (let i = 0; i < 50; i++) t.add(0, 7);
  for (let i = 0; i < 20; i++) t.add(0, 9);
  for (let i = 0; i < 30; i++) t.add(0, 100 + i);
  const top = t.top(0);
  assert.equal(top[0].label, 7);
  assert.equal(top[0].flows, 50);
  assert.equal(top[1].label, 9);
  assert.equal(t.total[0], 100);
  assert.deepEqual(t.top(1), []);
});

test('templates-fill-placeholders-and-keep-literal-braces', () => {
  assert.equal(renderTemplate('{src_addr} has {count} {{x}} {unknown}', { src_addr: '10.0.0.1', count: 3 }), '10.0.0.1 has 3 {x} {unknown}');
  assert.equal(formatDuration(26), '26 ms');
  assert.equal(formatDuration(12_400), '12 s');
  assert.equal(formatDuration(90_000), '1 min 30 s');
  assert.equal(topApp([{ name: 'Unknown', flows: 5 }, { name: 'Skype', flows: 5 }]), 'Skype');
  assert.equal(topApp([]), 'Unknown');
});
