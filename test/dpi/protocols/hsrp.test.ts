import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as hsrp } from '../../../src/dpi/protocols/hsrp';

const only = [hsrp];

// hsrp0.pcap frame 1: HSRPv1 hello from the active router of group 10, virtual IP 10.28.168.254.
const HELLO = hex('000010030a5a0a00636973636f0000000a1ca8fe');

test('hsrp: a version 1 hello on 1985 is HSRP', () => {
  const r = dissect({ l4: 'udp', clientPort: 1985, serverPort: 1985, server: '224.0.0.2', dissectors: only }, [{ payload: HELLO }]);
  assert.equal(r.name, 'HSRP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('hsrp: a version 2 group state TLV is HSRP', () => {
  const tlv = Buffer.alloc(42);
  tlv[0] = 1;
  tlv[1] = 40;
  tlv[2] = 2;
  tlv[4] = 6;
  tlv[5] = 4;
  assert.equal(dissect({ l4: 'udp', clientPort: 1985, serverPort: 1985, dissectors: only }, [{ payload: tlv }]).name, 'HSRP');
});

test('hsrp: near misses: an unknown state, the hello off port 1985', () => {
  const state = Buffer.from(HELLO);
  state[2] = 0x20;
  assert.notEqual(dissect({ l4: 'udp', clientPort: 1985, serverPort: 1985, dissectors: only }, [{ payload: state }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', clientPort: 40000, serverPort: 1986, dissectors: only }, [{ payload: HELLO }]).confidence, 'dpi');
});

test('hsrp: every truncation of the hello is handled', () => {
  for (const b of prefixes(HELLO)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', clientPort: 1985, serverPort: 1985, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === HELLO.length);
  }
});
