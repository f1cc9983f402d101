import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as iax } from '../../../src/dpi/protocols/iax';

const only = [iax];
// iax.pcap frame 1: IAX2 NEW with its information elements.
const NEW = hex(`
8004000000000001000006010b020002010c343432303838323035313535020c34343737383232363739343904000a02
656eff04000000020c0200001f040b0c55d6`);


test('iax: a NEW full frame with its information elements is IAX', () => {
  const r = dissect({ l4: 'udp', serverPort: 4569, dissectors: only }, [{ payload: NEW }]);
  assert.equal(r.name, 'IAX');
  assert.equal(r.confidence, 'dpi');
});

test('iax: near miss: information elements overrunning the datagram, a mini frame, a NEW with a destination call', () => {
  const over = Buffer.from(NEW);
  over[13] = 9;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 4569, dissectors: only }, [{ payload: over }]).confidence, 'dpi');
  const mini = Buffer.from(NEW);
  mini[0] = 0x00;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 4569, dissectors: only }, [{ payload: mini }]).confidence, 'dpi');
  const dest = Buffer.from(NEW);
  dest[3] = 5;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 4569, dissectors: only }, [{ payload: dest }]).confidence, 'dpi');
});

test('iax: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(NEW)) {
    // A cut that ends exactly between two information elements is still a well-formed frame.
    const app = direct(iax, 'udp', [{ payload: b }]);
    if (b.length < 14) assert.equal(app, 0);
    else assert.ok(app === 0 || app === P.IAX);
  }
  assert.equal(direct(iax, 'udp', [{ payload: NEW }]), P.IAX);
});
