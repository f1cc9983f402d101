/**
 * The registry's order: descriptors are reordered by sweep group (early,
 * then the others, weak heuristics last; stable within a group), so
 * ascending registry index is the order the engine tries them in, while
 * port hints, port guesses and dissectorFor() still go to the first
 * descriptor in the order given.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dissector, DissectContext, On, Verdict } from '../../src/dpi/dissector';
import { Registry } from '../../src/dpi/registry';
import { P } from '../../src/dpi/generated/protocols';
import { dissect } from './harness';

function recording(calls: string[], tag: string, decl: Partial<Dissector>): Dissector {
  return {
    id: P.HTTP,
    on: On.TcpUdp,
    budget: 4,
    fields: [],
    doc: `test dissector ${tag}`,
    ...decl,
    dissect(_ctx: DissectContext): Verdict {
      calls.push(tag);
      return Verdict.Exclude;
    },
  };
}

test('registry order: early first, weak last, the given order within each group; transports as bitsets', () => {
  const calls: string[] = [];
  const weak = recording(calls, 'weak', { weak: true, udpPorts: [5000], id: P.RTP });
  const a = recording(calls, 'a', { on: On.Tcp, id: P.SSH });
  const early = recording(calls, 'early', { early: true, id: P.DNS });
  const b = recording(calls, 'b', { on: On.Udp, udpPorts: [5000], id: P.RTP });
  const r = new Registry([weak, a, early, b], []);
  assert.deepEqual(r.list, [early, a, b, weak]);
  assert.equal(r.tcpCandidates[0], 0b1011);
  assert.equal(r.udpCandidates[0], 0b1101);
  assert.equal(r.udpHint[5000], 3, 'the port hint stays with the first descriptor given for the port');
  assert.equal(r.dissectorFor(P.RTP), weak, 'so does the descriptor of an id');
  assert.equal(r.guessByPort(17, 40000, 5000), P.RTP);
});

test('the sweep tries the dissectors in registry order on each transport, over more than one bitset word', () => {
  const calls: string[] = [];
  const many: Dissector[] = [];
  for (let k = 0; k < 40; k++) many.push(recording(calls, `s${k}`, { on: k % 3 === 0 ? On.Tcp : On.TcpUdp }));
  const list = [recording(calls, 'weak', { weak: true }), ...many, recording(calls, 'early', { early: true })];
  dissect({ l4: 'udp', serverPort: 40000, dissectors: list }, [{ payload: Buffer.alloc(40, 0x41) }]);
  const udp = ['early', ...many.map((_, k) => `s${k}`).filter((_, k) => k % 3 !== 0), 'weak'];
  assert.deepEqual(calls, udp);
  calls.length = 0;
  dissect({ l4: 'tcp', serverPort: 40000, dissectors: list }, [{ payload: Buffer.alloc(40, 0x41) }]);
  assert.deepEqual(calls, ['early', ...many.map((_, k) => `s${k}`), 'weak']);
});
