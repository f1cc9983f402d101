/**
 * Stream buffers handed on: when a flow whose stream was reassembled is
 * closed, its buffer serves a later flow, which sees only its own bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodedPacket } from '../../src/decode/packet';
import { FlowTable } from '../../src/flow/table';
import { DpiEngine } from '../../src/dpi/engine';
import { Registry } from '../../src/dpi/registry';
import { Dissector, DissectContext, On, Verdict } from '../../src/dpi/dissector';

/** A stream dissector that records the stream it is shown and is done once it holds 8 bytes. */
function recorder(seen: { buf: Buffer; text: string }[]): Dissector {
  return {
    id: 7,
    on: On.Tcp,
    budget: 8,
    stream: true,
    fields: [],
    doc: 'test stream dissector recording its streams',
    dissect(ctx: DissectContext): Verdict {
      seen.push({ buf: ctx.buf, text: ctx.buf.toString('latin1', ctx.off, ctx.off + ctx.len) });
      return ctx.len >= 8 ? Verdict.Done : Verdict.Continue;
    },
  };
}

/** Feeds one client-to-server segment of the flow from client port cport. */
function send(table: FlowTable, engine: DpiEngine, p: DecodedPacket, cport: number, seq: number, payload: string, t: number): void {
  const b = Buffer.from(payload, 'latin1');
  p.reset();
  p.buf = b;
  p.ipVersion = 4;
  p.proto = 6;
  p.addr.fill(0);
  p.addr[0] = 0xc000020a;
  p.addr[4] = 0xc6336414 | 0;
  p.srcPort = cport;
  p.dstPort = 5000;
  p.payloadOff = 0;
  p.payloadLen = b.length;
  p.tcpFlags = 0x18;
  p.tcpSeq = seq;
  p.tsMs = t;
  p.frames = 1;
  p.frameBytes = b.length + 54;
  const slot = table.update(p, t);
  engine.onPacket(slot, p, table.lastDirection, t);
}

test('a closed flow hands its stream buffer on to the next flow, which sees only its own bytes', () => {
  const seen: { buf: Buffer; text: string }[] = [];
  const table = new FlowTable({ flowEnded: () => undefined }, { maxFlows: 64 });
  const engine = new DpiEngine(table, { registry: new Registry([recorder(seen)]) });
  const p = new DecodedPacket();
  send(table, engine, p, 40000, 1000, 'AAAAA', 1_700_000_000_000);
  send(table, engine, p, 40000, 1005, 'AAAAA', 1_700_000_000_010);
  assert.deepEqual(seen.map((s) => s.text), ['AAAAA', 'AAAAAAAAAA']);
  const first = seen[1].buf;
  seen.length = 0;
  send(table, engine, p, 40001, 2000, 'BB', 1_700_000_000_020);
  send(table, engine, p, 40001, 2002, 'BBB', 1_700_000_000_030);
  assert.deepEqual(seen.map((s) => s.text), ['BB', 'BBBBB']);
  assert.equal(seen[1].buf, first, 'the second flow reassembles into the first flow\'s buffer');
});
