import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { Cursor } from '../../../src/dpi/cursor';
import { FlowDpi } from '../../../src/dpi/flow-dpi';
import { DissectContext, Dissector, Verdict } from '../../../src/dpi/dissector';
import { dissector as teamspeak } from '../../../src/dpi/protocols/teamspeak';

const only = [teamspeak];
// teamspeak3.pcap frame 1: TeamSpeak 3 client init.
const INIT = hex('545333494e49543100650000880dd05766005f5916e0ade76b610000000000000000');
// teamspeak3.pcap frames 14-16: hello, echoed with a cookie, repeated with the cookie.
const HELLO = hex('01808401');
const ECHO = hex('018084017c65d9a7');
const AGAIN = hex('018184027c65d9a70327200000000000');

/**
 * Calls the dissector directly over one flow's payloads, without the engine
 * (whose construction dominates a truncation loop): the label detected last,
 * or 0. Stops at Done/Exclude or the dissector's budget, as the engine does.
 */
function direct(d: Dissector, l4: 'tcp' | 'udp', pkts: readonly { dir?: 0 | 1; payload: Buffer }[], serverPort = 5000): number {
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
      set(f: string, v: unknown): void { (fd.meta as Record<string, unknown>)[f] = v; },
      risk(): void {},
    };
    const v = d.dissect(ctx as unknown as DissectContext);
    state = ctx.state;
    if (v === Verdict.Done || v === Verdict.Exclude) break;
  }
  return label;
}

test('teamspeak: TS3INIT1 and the hello/cookie exchange are TeamSpeak', () => {
  const r = dissect({ l4: 'udp', serverPort: 9987, dissectors: only }, [{ payload: INIT }]);
  assert.equal(r.name, 'TeamSpeak');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ l4: 'udp', serverPort: 2010, dissectors: only }, [{ payload: HELLO }, { dir: 1, payload: ECHO }, { payload: AGAIN }]).name, 'TeamSpeak');
  assert.equal(dissect({ serverPort: 8767, dissectors: only }, [{ payload: Buffer.concat([hex('f4be0300'), Buffer.alloc(176)]) }]).name, 'TeamSpeak');
});

test('teamspeak: near miss: an echo without the hello, a repeat with another cookie', () => {
  assert.notEqual(dissect({ l4: 'udp', serverPort: 2010, dissectors: only }, [{ payload: HELLO }, { dir: 1, payload: hex('018084027c65d9a7') }, { payload: AGAIN }]).confidence, 'dpi');
  const again = Buffer.from(AGAIN);
  again[5] ^= 1;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 2010, dissectors: only }, [{ payload: HELLO }, { dir: 1, payload: ECHO }, { payload: again }]).confidence, 'dpi');
});

test('teamspeak: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(INIT)) assert.equal(direct(teamspeak, 'udp', [{ payload: b }]), b.length >= 20 ? P.TeamSpeak : 0);
  for (const b of prefixes(AGAIN)) assert.equal(direct(teamspeak, 'udp', [{ payload: HELLO }, { dir: 1, payload: ECHO }, { payload: b }]), b.length >= 12 ? P.TeamSpeak : 0);
});
