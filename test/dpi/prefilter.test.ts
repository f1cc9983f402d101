/**
 * The first-packet prefilter's tables: one exclusion mask per first byte
 * value, and per dissector its other byte rules and length bounds, which
 * allows() checks for exactly the dissectors that declare them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector, FIRST_BYTE_MIN_LEN, On, Verdict, byteValues } from '../../src/dpi/dissector';
import { declaredBytes, firstByteSet, FirstPacketFilter } from '../../src/dpi/prefilter';

function stub(decl: Partial<Dissector>): Dissector {
  return { id: 7, on: On.TcpUdp, budget: 4, fields: [], doc: 'test dissector of the prefilter', dissect: () => Verdict.Exclude, ...decl };
}

const packet = (bytes: Record<number, number>, len = 40): Buffer => {
  const b = Buffer.alloc(len, 0x41);
  for (const [o, v] of Object.entries(bytes)) b[Number(o)] = v;
  return b;
};

test('byteValues lists the bytes a bit pattern allows', () => {
  assert.deepEqual(byteValues((b) => (b & 0xf0) === 0x30), [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f]);
});

test('declaredBytes puts the first bytes at offset 0, then the other offsets, per transport', () => {
  const d = stub({ tcpFirstBytes: [1], tcpFirstPacket: { bytes: [[3, [2]]] }, udpFirstPacket: { minLen: 20 } });
  assert.deepEqual(declaredBytes(d, On.Tcp), [[0, [1]], [3, [2]]]);
  assert.deepEqual(declaredBytes(d, On.Udp), []);
  assert.deepEqual(declaredBytes(stub({ on: On.Udp, tcpFirstBytes: [1] }), On.Tcp), []);
});

test('first-byte masks: one bit per dissector leaving the value out, per transport', () => {
  const a = stub({ tcpFirstBytes: [0x16], tcpFirstPacket: { bytes: [[1, [3]]] } });
  const b = stub({ tcpFirstPacket: { bytes: [[5, [[0x10, 0x1f]]]] }, udpFirstBytes: [[0x80, 0xff]] });
  const t = new FirstPacketFilter([a, b], On.Tcp);
  assert.equal(t.words, 1);
  assert.equal(t.firstMasks[0x16], 0);
  assert.equal(t.firstMasks[0x17], 0b01);
  const u = new FirstPacketFilter([a, b], On.Udp);
  assert.equal(u.firstMasks[0x7f], 0b10);
  assert.equal(u.firstMasks[0x80], 0);
  const ex = new Uint32Array(1);
  t.excludeByFirstByte(ex, 0x17);
  assert.equal(ex[0], 0b01);
});

test('short masks: one bit per dissector whose FirstPacket.short leaves the value out; none without it', () => {
  const a = stub({ tcpFirstBytes: [0x16], tcpFirstPacket: { short: [0x16, 0x80] } });
  const b = stub({ tcpFirstBytes: [0x17] });
  const c = stub({ udpFirstPacket: { short: [] } });
  const t = new FirstPacketFilter([a, b, c], On.Tcp);
  assert.equal(t.shortMasks[0x16], 0);
  assert.equal(t.shortMasks[0x80], 0);
  assert.equal(t.shortMasks[0x17], 0b001);
  const u = new FirstPacketFilter([a, b, c], On.Udp);
  for (const v of [0, 0x16, 0xff]) assert.equal(u.shortMasks[v], 0b100);
  const ex = new Uint32Array(1);
  t.excludeShortByFirstByte(ex, 0x17);
  assert.equal(ex[0], 0b001);
  u.excludeShortByFirstByte(ex, 0x00);
  assert.equal(ex[0], 0b101);
});

test('allows(): the other bytes and the length bounds of the dissectors that declare them, per transport', () => {
  const list = [
    stub({ tcpFirstBytes: [0x16], tcpFirstPacket: { bytes: [[1, [3]]] } }),
    stub({ tcpFirstPacket: { bytes: [[FIRST_BYTE_MIN_LEN - 1, [0, [0xf0, 0xff]]]] } }),
    stub({ tcpFirstPacket: { minLen: 30, maxLen: 50 } }),
    stub({ tcpFirstBytes: [0x41] }),
  ];
  const f = new FirstPacketFilter(list, On.Tcp);
  assert.deepEqual([...f.ruled], [1, 1, 1, 0]);
  assert.equal(new FirstPacketFilter(list, On.Udp).ruled.some((r) => r === 1), false);
  const ok = (i: number, p: Buffer, off = 0): boolean => f.allows(i, p, off, p.length - off);
  assert.equal(ok(0, packet({ 1: 3 })), true);
  assert.equal(ok(0, packet({ 1: 4 })), false);
  assert.equal(ok(1, packet({ 15: 0 })), true);
  assert.equal(ok(1, packet({ 15: 0xf7 })), true);
  assert.equal(ok(1, packet({ 15: 1 })), false);
  assert.equal(ok(1, Buffer.concat([Buffer.alloc(7, 1), packet({ 15: 0 })]), 7), true, 'offsets count from the payload start');
  assert.equal(ok(2, packet({}, 29)), false);
  assert.equal(ok(2, packet({}, 30)), true);
  assert.equal(ok(2, packet({}, 50)), true);
  assert.equal(ok(2, packet({}, 51)), false);
  assert.equal(ok(3, packet({}, 16)), true);
});

test('more than 32 dissectors: the first-byte bit lands in the right word, the rules under the right index', () => {
  const list = Array.from({ length: 40 }, () => stub({}));
  list[37] = stub({ udpFirstBytes: [9], udpFirstPacket: { bytes: [[2, [8]]] } });
  const f = new FirstPacketFilter(list, On.Udp);
  assert.equal(f.words, 2);
  const ex = new Uint32Array(2);
  f.excludeByFirstByte(ex, 8);
  assert.deepEqual([...ex], [0, 1 << 5]);
  assert.equal(f.allows(37, packet({ 2: 8 }), 0, 40), true);
  assert.equal(f.allows(37, packet({ 2: 9 }), 0, 40), false);
  assert.equal(f.allows(36, packet({ 2: 9 }), 0, 40), true);
  assert.equal(firstByteSet([9])[9], 1);
});
