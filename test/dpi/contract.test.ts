/**
 * The contract every dissector in the registry keeps (DESIGN.md, "A
 * dissector"): a well-formed descriptor (a known nDPI id, declared fields that
 * exist, a positive budget, a doc line); never throwing on random or truncated
 * payloads in either direction; never being called for a flow after its
 * packet budget; setting only the fields it declares.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_DISSECTORS } from '../../src/dpi/protocols/index';
import { Dissector, DissectContext, On, Verdict } from '../../src/dpi/dissector';
import { META_FIELDS } from '../../src/dpi/meta';
import { PROTOCOL_NAMES } from '../../src/dpi/generated/protocols';
import { Registry } from '../../src/dpi/registry';
import { dissect, TestPacket } from './harness';
import { rng } from '../support/common';

const name = (d: Dissector): string => `${PROTOCOL_NAMES[d.id] ?? d.id}`;

test('registry: every descriptor is well formed', () => {
  assert.ok(ALL_DISSECTORS.length > 0);
  for (const d of ALL_DISSECTORS) {
    const n = name(d);
    assert.ok(PROTOCOL_NAMES[d.id] !== undefined && d.id !== 0, `${n}: id ${d.id} is an nDPI protocol`);
    for (const a of d.alsoDetects ?? []) assert.ok(PROTOCOL_NAMES[a] !== undefined, `${n}: alsoDetects ${a}`);
    assert.ok((d.on & On.TcpUdp) !== 0 && (d.on & ~On.TcpUdp) === 0, `${n}: transports`);
    assert.ok(Number.isInteger(d.budget) && d.budget >= 1 && d.budget <= 64, `${n}: budget ${d.budget}`);
    assert.ok(typeof d.doc === 'string' && d.doc.length > 10, `${n}: doc line`);
    for (const f of d.fields) assert.ok(f in META_FIELDS, `${n}: field ${f} is declared in meta.ts`);
    for (const p of [...(d.tcpPorts ?? []), ...(d.udpPorts ?? [])]) assert.ok(Number.isInteger(p) && p > 0 && p < 65536, `${n}: port ${p}`);
  }
  const r = new Registry(ALL_DISSECTORS);
  assert.equal(r.size, ALL_DISSECTORS.length);
});

/** The dissector, counting its calls per flow index, throwing if called past its budget. */
function watched(d: Dissector, calls: number[]): Dissector {
  return {
    ...d,
    dissect(ctx: DissectContext): Verdict {
      calls.push(ctx.flowIndex);
      return d.dissect(ctx);
    },
  };
}

function randomBytes(next: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (next() * 256) | 0;
  return b;
}

for (const d of ALL_DISSECTORS) {
  test(`contract: ${name(d)} survives random and truncated payloads, keeps its budget and declared fields`, () => {
    const next = rng(0xc0ffee ^ d.id);
    const transports: ('tcp' | 'udp')[] = [];
    if (d.on & On.Tcp) transports.push('tcp');
    if (d.on & On.Udp) transports.push('udp');
    for (const l4 of transports) {
      const ports = (l4 === 'tcp' ? d.tcpPorts : d.udpPorts) ?? [];
      for (let round = 0; round < 20; round++) {
        const calls: number[] = [];
        const w = watched(d, calls);
        const n = 1 + ((next() * (d.budget + 4)) | 0);
        const pkts: TestPacket[] = [];
        for (let i = 0; i < n; i++) {
          const len = next() < 0.3 ? (next() * 8) | 0 : 1 + ((next() * 600) | 0);
          const b = randomBytes(next, len);
          // Sometimes start with a plausible first byte pattern from another packet of the round.
          pkts.push({ dir: next() < 0.5 ? 0 : 1, payload: b.length > 0 ? b : Buffer.from([0]) });
        }
        const serverPort = ports.length > 0 && next() < 0.7 ? ports[(next() * ports.length) | 0] : 1024 + ((next() * 60000) | 0);
        const r = dissect({ l4, serverPort, dissectors: [w] }, pkts);
        assert.deepEqual(r.undeclared, [], `${name(d)}: fields set without being declared`);
        for (const idx of calls) assert.ok(idx < d.budget, `${name(d)}: called at flow packet ${idx} beyond its budget ${d.budget}`);
      }
      // Truncations of one random payload at every offset.
      const base = randomBytes(next, 96);
      for (let k = 0; k <= base.length; k++) {
        dissect({ l4, serverPort: ports[0] ?? 5000, dissectors: [d] }, [{ payload: base.subarray(0, Math.max(k, 1)) }, { dir: 1, payload: base.subarray(0, Math.max(k, 1)) }]);
      }
    }
  });
}
