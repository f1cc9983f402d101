/**
 * EndpointCache behaves as the Map it replaces (keys "l4/ipv/address/port",
 * set() deletes then sets, the oldest entry goes beyond capacity) through long
 * random sequences, IPv4 keys read one address word, and get()/set() do not
 * allocate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointCache } from '../../src/dpi/endpoint-cache';
import { rng } from '../support/common';
import { collectionsDuring } from '../support/gc';

/** The reference: a Map in set order, as the engine kept it before. */
class MapModel {
  readonly m = new Map<string, number>();
  constructor(private readonly cap: number) {}
  private key(l4: number, ipv: number, a: Int32Array, off: number, port: number): string {
    return ipv === 4 ? `${l4}/4/${a[off]}/${port}` : `${l4}/6/${a[off]},${a[off + 1]},${a[off + 2]},${a[off + 3]}/${port}`;
  }
  get(l4: number, ipv: number, a: Int32Array, off: number, port: number): number {
    return this.m.get(this.key(l4, ipv, a, off, port)) ?? -1;
  }
  set(l4: number, ipv: number, a: Int32Array, off: number, port: number, v: number): void {
    const k = this.key(l4, ipv, a, off, port);
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.cap) this.m.delete(this.m.keys().next().value as string);
  }
}

for (const cap of [1, 2, 7, 64]) {
  test(`endpoint cache: same answers as the Map model, capacity ${cap}`, () => {
    const next = rng(cap * 31 + 1);
    const c = new EndpointCache(cap);
    const m = new MapModel(cap);
    const a = new Int32Array(8);
    const pick = (n: number): number => (next() * n) | 0;
    for (let step = 0; step < 20000; step++) {
      const ipv = next() < 0.5 ? 4 : 6;
      const l4 = next() < 0.5 ? 6 : 17;
      const off = pick(2) * 4;
      // Few distinct values, so keys repeat often; IPv4's unused words change without changing the key.
      a[off] = pick(5) - 2;
      for (let w = 1; w < 4; w++) a[off + w] = ipv === 6 ? pick(2) : pick(1000);
      const port = pick(4) * 21845;
      if (next() < 0.5) {
        const v = pick(1 << 30);
        c.set(l4, ipv, a, off, port, v);
        m.set(l4, ipv, a, off, port, v);
        assert.equal(c.size, m.m.size);
      } else {
        assert.equal(c.get(l4, ipv, a, off, port), m.get(l4, ipv, a, off, port), `step ${step}`);
      }
    }
  });
}

test('endpoint cache: an empty cache answers -1 and allocates nothing until set', () => {
  const c = new EndpointCache(4);
  assert.equal(c.get(6, 4, new Int32Array(8), 0, 80), -1);
  assert.equal(c.size, 0);
  assert.throws(() => new EndpointCache(0), RangeError);
});


test('endpoint cache: get and set allocate nothing', async () => {
  const c = new EndpointCache(1024);
  const a = new Int32Array(8);
  let found = 0;
  const loop = (n: number): void => {
    for (let i = 0; i < n; i++) {
      a[0] = i & 4095;
      a[4] = i;
      c.set(17, (i & 1) === 0 ? 4 : 6, a, 0, i & 0xffff, i & 0xffff);
      if (c.get(17, 6, a, 4, 3478) >= 0) found++;
    }
  };
  const gcs = await collectionsDuring(loop, 100_000, 300_000);
  assert.equal(gcs, 0, `${gcs} garbage collections during 300,000 sets and gets`);
  assert.ok(found >= 0);
});
