/**
 * Tests for the CHECKMK dissector: the agent output header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import type { FlowSpec, TestPacket } from '../harness';
import { dissector as checkmk } from '../../../src/dpi/protocols/checkmk';

const only = [checkmk];

// check_mk_new.pcap, TCP 192.168.100.22:58998 -> 192.168.100.50:6556: the agent\x27s first line.
const HEADER = hex(`3c3c3c636865636b5f6d6b3e3e3e0a`);

test('checkmk: the "<<<check_mk>>>" header is CHECKMK', () => {
  const r = dissect({ serverPort: 6556, dissectors: only }, [
    { dir: 1, payload: HEADER },
  ]);
  assert.equal(r.name, 'CHECKMK');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('checkmk: near miss: another section header is not CHECKMK', () => {
  const r = dissect({ serverPort: 6556, dissectors: only }, [
    { dir: 1, payload: Buffer.from('<<<df>>>\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('checkmk: near miss: the header without a line end is not CHECKMK', () => {
  const r = dissect({ serverPort: 6556, dissectors: only }, [
    { dir: 1, payload: Buffer.from('<<<check_mk>>>x', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

/** Feeds every prefix of packet k (earlier packets whole); the flow must not throw nor get another label. */
function truncations(spec: FlowSpec, packets: readonly TestPacket[], label: string): void {
  for (let k = 0; k < packets.length; k++) {
    const whole = packets[k].payload as Buffer;
    for (const b of prefixes(whole)) {
      const r = dissect(spec, [...packets.slice(0, k), { ...packets[k], payload: b }]);
      assert.ok(r.confidence !== 'dpi' || r.name === label, `prefix ${b.length} of packet ${k}: ${r.name}`);
    }
  }
}

test('checkmk: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 6556, dissectors: only }, [{ dir: 1, payload: HEADER }], 'CHECKMK');
});
