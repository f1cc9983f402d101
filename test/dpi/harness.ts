/**
 * Test harness for dissectors: feeds synthetic payloads (no headers needed)
 * through a real FlowTable and DpiEngine restricted to the given dissectors,
 * and returns the flow's label, metadata and risks as the record writer sees
 * them. Packets alternate direction as given; TCP sequence numbers are
 * generated in order unless a packet gives its own.
 */
import assert from 'node:assert/strict';
import { DecodedPacket } from '../../src/decode/packet';
import { FlowTable } from '../../src/flow/table';
import { DpiEngine, CONFIDENCE_NAMES } from '../../src/dpi/engine';
import { Registry } from '../../src/dpi/registry';
import { Dissector, DissectContext, Verdict } from '../../src/dpi/dissector';
import { Cursor } from '../../src/dpi/cursor';
import { FlowDpi } from '../../src/dpi/flow-dpi';
import { ALL_DISSECTORS } from '../../src/dpi/protocols/index';
import { protocolName } from '../../src/dpi/label';
import { RISK_NAMES } from '../../src/dpi/generated/protocols';
import type { FlowMeta, MetaField, MetaValue } from '../../src/dpi/meta';

export interface TestPacket {
  /** 0 client to server (default), 1 server to client. */
  dir?: 0 | 1;
  payload: Uint8Array | string;
  /** TCP sequence number to use instead of the generated one. */
  seq?: number;
}

export interface FlowSpec {
  l4?: 'tcp' | 'udp';
  clientPort?: number;
  serverPort?: number;
  /** IPv4 addresses as dotted quads. */
  client?: string;
  server?: string;
  /** Dissectors to run (default: the whole registry). */
  dissectors?: readonly Dissector[];
}

export interface DissectResult {
  /** nDPI-style name: "TLS.Google", "SSH", "Unknown". */
  name: string;
  app: number;
  master: number;
  confidence: string;
  meta: FlowMeta;
  risks: string[];
  /** Fields set that the dissector did not declare. */
  undeclared: string[];
}

function ipv4(s: string): number {
  const p = s.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) | 0;
}

const registries = new WeakMap<readonly Dissector[], Registry>();

export function registryOf(list: readonly Dissector[]): Registry {
  let r = registries.get(list);
  if (r === undefined) {
    r = new Registry(list);
    registries.set(list, r);
  }
  return r;
}

/** Runs one flow made of `packets` through the engine and returns its final label. */
export function dissect(spec: FlowSpec, packets: readonly TestPacket[]): DissectResult {
  const list = spec.dissectors ?? ALL_DISSECTORS;
  const table = new FlowTable({ flowEnded: () => undefined }, { maxFlows: 64 });
  const engine = new DpiEngine(table, { registry: registryOf(list) });
  const tcp = (spec.l4 ?? 'tcp') === 'tcp';
  const cport = spec.clientPort ?? 40000;
  const sport = spec.serverPort ?? 80;
  const caddr = ipv4(spec.client ?? '192.0.2.10');
  const saddr = ipv4(spec.server ?? '198.51.100.20');
  const seq = [1000, 500000];
  let t = 1_700_000_000_000;
  let slot = -1;
  const p = new DecodedPacket();
  for (const pk of packets) {
    const dir = pk.dir ?? 0;
    const payload = typeof pk.payload === 'string' ? Buffer.from(pk.payload, 'latin1') : Buffer.from(pk.payload);
    p.reset();
    p.buf = payload;
    p.ipVersion = 4;
    p.proto = tcp ? 6 : 17;
    p.addr.fill(0);
    p.addr[0] = dir === 0 ? caddr : saddr;
    p.addr[4] = dir === 0 ? saddr : caddr;
    p.srcPort = dir === 0 ? cport : sport;
    p.dstPort = dir === 0 ? sport : cport;
    p.payloadOff = 0;
    p.payloadLen = payload.length;
    p.tcpFlags = tcp ? 0x18 : 0;
    p.tcpSeq = pk.seq ?? seq[dir];
    if (pk.seq === undefined) seq[dir] = (seq[dir] + payload.length) >>> 0;
    p.tsMs = t;
    p.frames = 1;
    p.frameBytes = payload.length + 54;
    t += 10;
    slot = table.update(p, t);
    engine.onPacket(slot, p, table.lastDirection, t);
  }
  if (slot < 0) throw new Error('no packets');
  engine.finalize(slot, true);
  const fd = engine.flow(slot);
  const res: DissectResult = {
    name: protocolName(engine.app[slot], engine.master[slot]),
    app: engine.app[slot],
    master: engine.master[slot],
    confidence: CONFIDENCE_NAMES[engine.confidence[slot]],
    meta: fd?.metaObject() ?? {},
    risks: (fd?.risks ?? []).map((r) => RISK_NAMES[r] ?? String(r)),
    undeclared: engine.takeUndeclared(),
  };
  table.flushAll();
  return res;
}

/** Hex dump text (as in Wireshark's "copy as hex stream", spaces and newlines allowed) to bytes. */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/#[^\n]*/g, '').replace(/[^0-9a-fA-F]/g, ''), 'hex');
}

/** Every prefix of a payload, for truncation tests: feeds payload[0, n) for n = 0 .. len. */
export function* prefixes(b: Uint8Array): Generator<Buffer> {
  for (let n = 0; n <= b.length; n++) yield Buffer.from(b.subarray(0, n));
}

/** Feeds every prefix of packet k (earlier packets whole); the flow must not throw nor get another label. */
export function truncations(spec: FlowSpec, packets: readonly TestPacket[], label: string): void {
  for (let k = 0; k < packets.length; k++) {
    const whole = packets[k].payload as Buffer;
    for (const b of prefixes(whole)) {
      const r = dissect(spec, [...packets.slice(0, k), { ...packets[k], payload: b }]);
      assert.ok(r.confidence !== 'dpi' || r.name === label, `prefix ${b.length} of packet ${k}: ${r.name}`);
    }
  }
}

/**
 * Calls the dissector directly over one flow's payloads, without the engine
 * (whose construction dominates a truncation loop): the label detected last,
 * or 0. Stops at Done/Exclude or the dissector's budget, as the engine does.
 */
export function direct(d: Dissector, l4: 'tcp' | 'udp', pkts: readonly { dir?: 0 | 1; payload: Buffer }[], serverPort = 5000): number {
  const fd = new FlowDpi(1);
  const cur = new Cursor();
  const addr = Int32Array.from([0xc000020a, 0, 0, 0, 0xc6336414 | 0, 0, 0, 0]);
  const seen = [0, 0];
  let label = 0;
  let state: unknown;
  for (let i = 0; i < pkts.length && i < d.budget; i++) {
    const dir = pkts[i].dir ?? 0;
    const b = pkts[i].payload;
    seen[dir]++;
    const ctx = {
      buf: b, off: 0, len: b.length, cur: cur.reset(b, 0, b.length), dir, l4: l4 === 'tcp' ? 6 : 17,
      srcPort: dir === 0 ? 40000 : serverPort, dstPort: dir === 0 ? serverPort : 40000, clientPort: 40000, serverPort,
      dirIndex: seen[dir] - 1, flowIndex: i, c2sPackets: seen[0], s2cPackets: seen[1], tsMs: 1_700_000_000_000 + i,
      ipVersion: 4, srcAddr: addr, srcAddrOff: dir === 0 ? 0 : 4, dstAddr: addr, dstAddrOff: dir === 0 ? 4 : 0, flow: fd, state,
      detect(app: number): void { label = app; },
      set(f: string, v: unknown): void { fd.setMeta(f as MetaField, v as MetaValue, true); },
      risk(): void {},
    };
    const v = d.dissect(ctx as unknown as DissectContext);
    state = ctx.state;
    if (v === Verdict.Done || v === Verdict.Exclude) break;
  }
  return label;
}

/**
 * Calls dissector d directly on one payload (client 40000 -> server 40001 on
 * transport l4), carrying its per-flow state between calls: for truncation
 * loops over long fixtures. Returns the verdict, the state and the metadata set.
 */
export function directOne(d: Dissector, l4: number, payload: Buffer, dir = 0, state?: unknown): { verdict: Verdict; state: unknown; meta: Record<string, unknown> } {
  const fd = new FlowDpi(0);
  const ctx = {
    buf: payload, off: 0, len: payload.length, cur: new Cursor().reset(payload, 0, payload.length), dir, l4,
    srcPort: 40000, dstPort: 40001, clientPort: 40000, serverPort: 40001, dirIndex: 0, flowIndex: 0,
    c2sPackets: 1, s2cPackets: 0, tsMs: 0, ipVersion: 4, srcAddr: new Int32Array(8), srcAddrOff: 0,
    dstAddr: new Int32Array(8), dstAddrOff: 4, state, flow: fd,
    detect(): void {}, set(field: string, value: unknown): void { fd.setMeta(field as MetaField, value as MetaValue, true); }, risk(): void {},
  } as unknown as DissectContext;
  const verdict = d.dissect(ctx);
  return { verdict, state: ctx.state, meta: fd.metaObject() as Record<string, unknown> };
}
