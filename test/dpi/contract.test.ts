/**
 * The contract every dissector in the registry keeps (DESIGN.md, "A
 * dissector"): a well-formed descriptor (a known nDPI id, declared fields that
 * exist, a positive budget, a doc line); never throwing on random or truncated
 * payloads in either direction; never being called for a flow after its
 * packet budget; setting only the fields it declares; excluding, without a
 * label or metadata, every first packet whose first byte its
 * tcpFirstBytes/udpFirstBytes leave out, and every first packet that
 * otherwise matches its declarations but for one byte or its length
 * (tcpFirstPacket/udpFirstPacket), and every short first packet whose first
 * byte FirstPacket.short leaves out: the engine skips it there on that promise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_DISSECTORS } from '../../src/dpi/protocols/index';
import { Dissector, DissectContext, FIRST_BYTE_MIN_LEN, On, Verdict } from '../../src/dpi/dissector';
import { FlowDpi } from '../../src/dpi/flow-dpi';
import { Cursor } from '../../src/dpi/cursor';
import { META_FIELDS } from '../../src/dpi/meta';
import { PROTOCOL_NAMES } from '../../src/dpi/generated/protocols';
import { Registry } from '../../src/dpi/registry';
import { declaredBytes, firstByteSet } from '../../src/dpi/prefilter';
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
      // One dissector list for every run: the harness builds one registry per list.
      const calls: number[] = [];
      const list = [watched(d, calls)];
      const only = [d];
      for (let round = 0; round < 20; round++) {
        calls.length = 0;
        const n = 1 + ((next() * (d.budget + 4)) | 0);
        const pkts: TestPacket[] = [];
        for (let i = 0; i < n; i++) {
          const len = next() < 0.3 ? (next() * 8) | 0 : 1 + ((next() * 600) | 0);
          const b = randomBytes(next, len);
          // Sometimes start with a plausible first byte pattern from another packet of the round.
          pkts.push({ dir: next() < 0.5 ? 0 : 1, payload: b.length > 0 ? b : Buffer.from([0]) });
        }
        const serverPort = ports.length > 0 && next() < 0.7 ? ports[(next() * ports.length) | 0] : 1024 + ((next() * 60000) | 0);
        const r = dissect({ l4, serverPort, dissectors: list }, pkts);
        assert.deepEqual(r.undeclared, [], `${name(d)}: fields set without being declared`);
        for (const idx of calls) assert.ok(idx < d.budget, `${name(d)}: called at flow packet ${idx} beyond its budget ${d.budget}`);
      }
      // Truncations of one random payload at every offset.
      const base = randomBytes(next, 96);
      for (let k = 0; k <= base.length; k++) {
        dissect({ l4, serverPort: ports[0] ?? 5000, dissectors: only }, [{ payload: base.subarray(0, Math.max(k, 1)) }, { dir: 1, payload: base.subarray(0, Math.max(k, 1)) }]);
      }
    }
  });
}

/** The context of a flow's first payload packet, sent by the client (dir 0) or the server (dir 1). */
function firstPacket(l4: 'tcp' | 'udp', payload: Buffer, dir: 0 | 1, serverPort: number): { ctx: DissectContext; touched(): boolean } {
  const fd = new FlowDpi(1);
  const clientPort = 40000;
  let touched = false;
  const touch = (): void => {
    touched = true;
  };
  const ctx = {
    buf: payload, off: 0, len: payload.length, cur: new Cursor().reset(payload, 0, payload.length), dir, l4: l4 === 'tcp' ? 6 : 17,
    srcPort: dir === 0 ? clientPort : serverPort, dstPort: dir === 0 ? serverPort : clientPort, clientPort, serverPort,
    dirIndex: 0, flowIndex: 0, c2sPackets: dir === 0 ? 1 : 0, s2cPackets: dir === 0 ? 0 : 1, tsMs: 1_700_000_000_000,
    ipVersion: 4, srcAddr: Int32Array.from([0x0a000001, 0, 0, 0, 0x0a000002, 0, 0, 0]), srcAddrOff: dir === 0 ? 0 : 4,
    dstAddr: Int32Array.from([0x0a000001, 0, 0, 0, 0x0a000002, 0, 0, 0]), dstAddrOff: dir === 0 ? 4 : 0,
    flow: fd, state: undefined, detect: touch, set: touch, risk: touch,
  } as unknown as DissectContext;
  return { ctx, touched: () => touched };
}

/** Tails put after the first byte: random, constant and the beginnings of common protocols' messages. */
function tails(next: () => number): Buffer[] {
  const text = Buffer.from('GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: x\r\n\r\n'.repeat(40), 'latin1');
  const tlsLike = Buffer.from('0301020001fc0303'.repeat(200), 'hex');
  return [randomBytes(next, 1500), Buffer.alloc(1500), Buffer.alloc(1500, 0xff), text.subarray(1), tlsLike, Buffer.alloc(1500, 0x20)];
}

for (const d of ALL_DISSECTORS.filter((x) => x.tcpFirstBytes !== undefined || x.udpFirstBytes !== undefined)) {
  test(`contract: ${name(d)} excludes a first packet whose first byte it does not declare`, () => {
    const next = rng(0x5eed ^ d.id);
    const bodies = tails(next);
    for (const l4 of ['tcp', 'udp'] as const) {
      const declared = l4 === 'tcp' ? d.tcpFirstBytes : d.udpFirstBytes;
      if ((d.on & (l4 === 'tcp' ? On.Tcp : On.Udp)) === 0) {
        assert.equal(declared, undefined, `${name(d)}: first bytes declared for ${l4}, which it does not run on`);
        continue;
      }
      if (declared === undefined) continue;
      for (const r of declared) {
        const [from, to] = typeof r === 'number' ? [r, r] : r;
        assert.ok(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= 255 && from <= to, `${name(d)}: first-byte entry ${String(r)}`);
      }
      const allowed = firstByteSet(declared);
      const ports = [...((l4 === 'tcp' ? d.tcpPorts : d.udpPorts) ?? []).slice(0, 2), 5000];
      for (let b = 0; b < 256; b++) {
        if (allowed[b] === 1) continue;
        for (const body of bodies) {
          for (const len of [FIRST_BYTE_MIN_LEN, 40, 300, 1400]) {
            const payload = Buffer.concat([Buffer.from([b]), body.subarray(0, len - 1)]);
            for (const port of ports) {
              for (const dir of [0, 1] as const) {
                const { ctx, touched } = firstPacket(l4, payload, dir, port);
                const v = d.dissect(ctx);
                assert.equal(v, Verdict.Exclude, `${name(d)} on ${l4}/${port}, dir ${dir}, ${len} bytes beginning 0x${b.toString(16).padStart(2, '0')}: verdict ${v}, not Exclude, so its ${l4}FirstBytes must list 0x${b.toString(16)}`);
                assert.equal(touched(), false, `${name(d)}: labelled or set metadata on a first byte it does not declare`);
              }
            }
          }
        }
      }
    }
  });
}

/** A copy of body, len bytes long, with every declared byte set to one of its declared values (picked at random when it is not one). */
function conforming(next: () => number, body: Buffer, len: number, decl: readonly (readonly [number, Uint8Array])[]): Buffer {
  const p = Buffer.alloc(len);
  body.copy(p, 0, 0, Math.min(len, body.length));
  for (const [o, allowed] of decl) {
    if (allowed[p[o]] === 1) continue;
    const values = [...allowed.keys()].filter((b) => allowed[b] === 1);
    p[o] = values[(next() * values.length) | 0];
  }
  return p;
}

/** Asserts that d excludes this first packet, in both directions, on its ports and another one, without labelling or metadata. */
function assertExcluded(d: Dissector, l4: 'tcp' | 'udp', payload: Buffer, why: string): void {
  const ports = [...((l4 === 'tcp' ? d.tcpPorts : d.udpPorts) ?? []).slice(0, 2), 5000];
  for (const port of ports) {
    for (const dir of [0, 1] as const) {
      const { ctx, touched } = firstPacket(l4, payload, dir, port);
      const v = d.dissect(ctx);
      assert.equal(v, Verdict.Exclude, `${name(d)} on ${l4}/${port}, dir ${dir}, ${payload.length} bytes ${payload.subarray(0, 16).toString('hex')}: ${why}, yet verdict ${v}, not Exclude`);
      assert.equal(touched(), false, `${name(d)}: labelled or set metadata on a first packet its declarations rule out (${why})`);
    }
  }
}

for (const d of ALL_DISSECTORS.filter((x) => x.tcpFirstPacket !== undefined || x.udpFirstPacket !== undefined || x.tcpFirstBytes !== undefined || x.udpFirstBytes !== undefined)) {
  test(`contract: ${name(d)} excludes a first packet matching its first-packet declarations but for one byte or its length`, () => {
    const next = rng(0xfa57 ^ d.id);
    const bodies = tails(next);
    for (const l4 of ['tcp', 'udp'] as const) {
      const on = l4 === 'tcp' ? On.Tcp : On.Udp;
      const packet = l4 === 'tcp' ? d.tcpFirstPacket : d.udpFirstPacket;
      if ((d.on & on) === 0) {
        assert.equal(packet, undefined, `${name(d)}: first packet declared for ${l4}, which it does not run on`);
        continue;
      }
      const decl = declaredBytes(d, on).map(([o, values]): [number, Uint8Array] => [o, firstByteSet(values)]);
      for (const [o] of decl) assert.ok(Number.isInteger(o) && o >= 0 && o < FIRST_BYTE_MIN_LEN, `${name(d)}: declared offset ${o}`);
      const min = Math.max(packet?.minLen ?? 0, FIRST_BYTE_MIN_LEN);
      const max = Math.min(packet?.maxLen ?? 1400, 1400);
      assert.ok(min <= max, `${name(d)}: ${l4} length bounds ${min}-${max}`);
      const lens = [...new Set([min, Math.min(Math.max(min, 40), max), Math.min(Math.max(min, 300), max), max])];
      for (const body of bodies) {
        for (const len of lens) {
          for (const [o, allowed] of decl) {
            for (let b = 0; b < 256; b++) {
              if (allowed[b] === 1) continue;
              const p = conforming(next, body, len, decl);
              p[o] = b;
              assertExcluded(d, l4, p, `byte ${o} is 0x${b.toString(16)}, not declared`);
            }
          }
        }
        for (const len of [FIRST_BYTE_MIN_LEN, min - 1, max + 1, max + 100]) {
          if (len < FIRST_BYTE_MIN_LEN || (len >= min && len <= max) || (len > max && packet?.maxLen === undefined)) continue;
          assertExcluded(d, l4, conforming(next, body, len, decl), `its length ${len} is out of ${packet?.minLen ?? '-'}..${packet?.maxLen ?? '-'}`);
        }
      }
    }
  });
}

for (const d of ALL_DISSECTORS.filter((x) => x.tcpFirstPacket?.short !== undefined || x.udpFirstPacket?.short !== undefined)) {
  test(`contract: ${name(d)} excludes a short first packet whose first byte its short declaration leaves out`, () => {
    const next = rng(0x5407 ^ d.id);
    const bodies = tails(next);
    for (const l4 of ['tcp', 'udp'] as const) {
      const declared = (l4 === 'tcp' ? d.tcpFirstPacket : d.udpFirstPacket)?.short;
      if (declared === undefined) continue;
      assert.notEqual(d.on & (l4 === 'tcp' ? On.Tcp : On.Udp), 0, `${name(d)}: short first bytes declared for ${l4}, which it does not run on`);
      for (const r of declared) {
        const [from, to] = typeof r === 'number' ? [r, r] : r;
        assert.ok(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= 255 && from <= to, `${name(d)}: short first-byte entry ${String(r)}`);
      }
      const allowed = firstByteSet(declared);
      for (let b = 0; b < 256; b++) {
        if (allowed[b] === 1) continue;
        for (const body of bodies) {
          for (let len = 1; len < FIRST_BYTE_MIN_LEN; len++) {
            assertExcluded(d, l4, Buffer.concat([Buffer.from([b]), body.subarray(0, len - 1)]), `it is ${len} bytes long and begins 0x${b.toString(16)}, which its ${l4} short first bytes leave out`);
          }
        }
      }
    }
  });
}
