import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as h323 } from '../../../src/dpi/protocols/h323';

const only = [h323];
/** A SETUP: TPKT, Q.931 (discriminator 8, 2-byte call reference, type 5), bearer capability, display, user-user with an H.225.0 PDU. */
function setup(): Buffer {
  const q931 = Buffer.concat([
    hex('08 02 0001 05'),
    hex('04 03 8890a5'), // bearer capability
    hex('28 05'), Buffer.from('alice', 'latin1'), // display
    hex('7e 0010 05'), Buffer.alloc(15, 0x22), // user-user: protocol discriminator 5 (X.208/X.209 coded), H.225.0 PDU
  ]);
  const tpkt = Buffer.alloc(4);
  tpkt[0] = 3;
  tpkt.writeUInt16BE(q931.length + 4, 2);
  return Buffer.concat([tpkt, q931]);
}


test('h323: a TPKT-framed Q.931 SETUP with a user-user element is H323', () => {
  const r = dissect({ serverPort: 1720, dissectors: only }, [{ payload: setup() }]);
  assert.equal(r.name, 'H323');
  assert.equal(r.confidence, 'dpi');
});

test('h323: near miss: RDP\'s X.224 connection request in TPKT, Q.931 without the user-user element', () => {
  const rdp = hex('0300002b26e00000000000436f6f6b69653a206d737473686173683d7573657231320d0a0100080003000000');
  assert.notEqual(dissect({ serverPort: 3389, dissectors: only }, [{ payload: rdp }]).confidence, 'dpi');
  const s = setup();
  const noUu = s.subarray(0, s.length - 18);
  noUu.writeUInt16BE(noUu.length, 2);
  assert.notEqual(dissect({ serverPort: 1720, dissectors: only }, [{ payload: noUu }]).confidence, 'dpi');
});

test('h323: every truncation of the fixture is handled without mislabelling', () => {
  const s = setup();
  for (const b of prefixes(s)) assert.equal(direct(h323, 'tcp', [{ payload: b }]), b.length === s.length ? P.H323 : 0);
});
