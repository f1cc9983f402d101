/**
 * The first-packet prefilter in the engine: a dissector declaring
 * tcpFirstBytes/udpFirstBytes (tcpFirstPacket/udpFirstPacket) is not called
 * for a flow whose first payload packet (of at least FIRST_BYTE_MIN_LEN
 * bytes) begins with another byte (has another byte at a declared offset, or
 * a length out of bounds), and is called as before otherwise (declared
 * bytes, later packets, other transport). A shorter first packet is held
 * only to FirstPacket.short.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector, DissectContext, FIRST_BYTE_MIN_LEN, On, Verdict } from '../../src/dpi/dissector';
import { Registry } from '../../src/dpi/registry';
import { firstByteSet } from '../../src/dpi/prefilter';
import { dissect } from './harness';

/** A dissector that counts its calls, detects on 'Z' and otherwise asks for more. */
function counting(calls: number[], decl: Partial<Dissector>): Dissector {
  return {
    id: 7,
    on: On.TcpUdp,
    budget: 8,
    fields: [],
    doc: 'test dissector counting its calls',
    ...decl,
    dissect(ctx: DissectContext): Verdict {
      calls.push(ctx.flowIndex);
      return ctx.buf[ctx.off] === 0x5a ? Verdict.Done : Verdict.Continue;
    },
  };
}

const body = (first: number, len: number): Buffer => Buffer.concat([Buffer.from([first]), Buffer.alloc(len - 1, 0x41)]);

test('firstByteSet lists single bytes and inclusive ranges', () => {
  const s = firstByteSet([0x16, [0x30, 0x32], 0xff]);
  assert.deepEqual([...s.keys()].filter((b) => s[b] === 1), [0x16, 0x30, 0x31, 0x32, 0xff]);
});

test('registry masks: one bit per dissector whose declaration leaves the byte out, per transport', () => {
  const a = counting([], { tcpFirstBytes: [0x16] });
  const b = counting([], { udpFirstBytes: [[0x80, 0xff]] });
  const r = new Registry([a, b]);
  assert.equal(r.words, 1);
  assert.equal(r.tcpFilter.firstMasks[0x16], 0);
  assert.equal(r.tcpFilter.firstMasks[0x17], 0b01);
  assert.equal(r.udpFilter.firstMasks[0x17], 0b10);
  assert.equal(r.udpFilter.firstMasks[0x80], 0);
});

test('a dissector is not called for a flow whose first packet begins with a byte it does not declare', () => {
  const calls: number[] = [];
  const r = dissect({ l4: 'tcp', serverPort: 5000, dissectors: [counting(calls, { tcpFirstBytes: [0x5a] })] }, [
    { payload: body(0x47, 40) },
    { dir: 1, payload: body(0x5a, 40) },
  ]);
  assert.deepEqual(calls, []);
  assert.equal(r.name, 'Unknown');
});

test('it is called as before when the first byte is declared, on later packets, and on the other transport', () => {
  const calls: number[] = [];
  const d = counting(calls, { tcpFirstBytes: [0x47, 0x5a] });
  const r = dissect({ l4: 'tcp', serverPort: 5000, dissectors: [d] }, [{ payload: body(0x47, 40) }, { dir: 1, payload: body(0x5a, 40) }]);
  assert.deepEqual(calls, [0, 1]);
  assert.notEqual(r.name, 'Unknown');
  calls.length = 0;
  dissect({ l4: 'udp', serverPort: 5000, dissectors: [d] }, [{ payload: body(0x01, 40) }]);
  assert.deepEqual(calls, [0], 'no udpFirstBytes: any first byte');
});

test(`a first packet shorter than ${FIRST_BYTE_MIN_LEN} bytes is offered whatever its first byte, unless the dissector declares short first bytes`, () => {
  const calls: number[] = [];
  dissect({ l4: 'udp', serverPort: 5000, dissectors: [counting(calls, { udpFirstBytes: [0x5a] })] }, [
    { payload: body(0x01, FIRST_BYTE_MIN_LEN - 1) },
    { dir: 1, payload: body(0x01, 40) },
  ]);
  assert.deepEqual(calls, [0, 1]);
  calls.length = 0;
  const shortOnly = counting(calls, { udpFirstBytes: [0x5a], udpFirstPacket: { short: [0x02] } });
  for (const first of [0x01, 0x5a]) {
    dissect({ l4: 'udp', serverPort: 5000, dissectors: [shortOnly] }, [{ payload: body(first, 1) }, { dir: 1, payload: body(0x5a, 40) }]);
    dissect({ l4: 'udp', serverPort: 5000, dissectors: [shortOnly] }, [{ payload: body(first, FIRST_BYTE_MIN_LEN - 1) }]);
  }
  assert.deepEqual(calls, [], 'short first packets beginning with a byte left out of short are not offered, whatever the long declaration');
  dissect({ l4: 'udp', serverPort: 5000, dissectors: [shortOnly] }, [{ payload: body(0x02, 3) }, { dir: 1, payload: body(0x01, 40) }]);
  assert.deepEqual(calls, [0, 1], 'a short first packet beginning with a declared byte is offered, and later packets as before');
  calls.length = 0;
  dissect({ l4: 'tcp', serverPort: 5000, dissectors: [shortOnly] }, [{ payload: body(0x01, 3) }]);
  assert.deepEqual(calls, [0], 'udpFirstPacket.short leaves TCP alone');
  calls.length = 0;
  dissect({ l4: 'udp', serverPort: 5000, dissectors: [counting(calls, { udpFirstPacket: { short: [] } })] }, [
    { payload: body(0x5a, 1) },
    { dir: 1, payload: body(0x5a, 2) },
  ]);
  assert.deepEqual(calls, [], 'short: [] leaves out every short first packet, and the flow with it');
});

test('a dissector is not called for a first packet with an undeclared byte at a declared offset, or a length out of bounds', () => {
  const calls: number[] = [];
  const d = counting(calls, { udpFirstPacket: { minLen: 20, maxLen: 100, bytes: [[3, [0x41]], [15, [0x41, 0x42]]] } });
  const run = (first: Buffer): void => {
    dissect({ l4: 'udp', serverPort: 5000, dissectors: [d] }, [{ payload: first }, { dir: 1, payload: body(0x01, 40) }]);
  };
  const p = body(0x01, 40);
  p[15] = 0x43;
  run(p);
  run(Buffer.concat([body(0x01, 3), Buffer.from([0x40]), body(0x41, 36)]));
  run(body(0x01, 19));
  run(body(0x01, 101));
  assert.deepEqual(calls, []);
  run(body(0x01, 20));
  run(body(0x01, 100));
  assert.deepEqual(calls, [0, 1, 0, 1]);
  calls.length = 0;
  run(body(0x01, FIRST_BYTE_MIN_LEN - 1));
  assert.deepEqual(calls, [0, 1], 'a short first packet is offered whatever its bytes and length');
});

test('the port-hinted dissector is held to its first-packet declarations too', () => {
  const calls: number[] = [];
  const d = counting(calls, { udpPorts: [5000], udpFirstPacket: { bytes: [[2, [0x41]]] } });
  dissect({ l4: 'udp', serverPort: 5000, dissectors: [d] }, [{ payload: Buffer.concat([body(0x01, 2), body(0x42, 38)]) }, { dir: 1, payload: body(0x01, 40) }]);
  assert.deepEqual(calls, []);
  dissect({ l4: 'udp', serverPort: 5000, dissectors: [d] }, [{ payload: body(0x01, 40) }, { dir: 1, payload: body(0x01, 40) }]);
  assert.deepEqual(calls, [0, 1]);
});
