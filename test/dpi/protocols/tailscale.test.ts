import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as tailscale } from '../../../src/dpi/protocols/tailscale';

const only = [tailscale];
// tailscale.pcap frame 1: DISCO message (magic, sender key, nonce, sealed box).
const DISCO = hex(`
5453f09f92acb6847dd212ae777bfae214b36d0d971152f0c7e0524e0c28b0a0105b5fa6161703214ee94e401257e70f
a30f02a2c6b15bb7ab39de58a6aba6dfda69f578e7c967976bd80ea2e2ca6e18b699846a9aa1b71d6a965bee`);


test('tailscale: a DISCO message is Tailscale', () => {
  const r = dissect({ l4: 'udp', serverPort: 41641, dissectors: only }, [{ payload: DISCO }]);
  assert.equal(r.name, 'Tailscale');
  assert.equal(r.confidence, 'dpi');
});

test('tailscale: near miss: "TS" without the balloon, a magic with no room for key and nonce', () => {
  const other = Buffer.from(DISCO);
  other[5] = 0xad;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 41641, dissectors: only }, [{ payload: other }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 41641, dissectors: only }, [{ payload: DISCO.subarray(0, 40) }]).confidence, 'dpi');
});

test('tailscale: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(DISCO)) assert.equal(direct(tailscale, 'udp', [{ payload: b }]), b.length >= 78 ? P.Tailscale : 0);
});
