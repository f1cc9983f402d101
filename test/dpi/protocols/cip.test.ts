/**
 * Tests for the CIP I/O dissector: Common Packet Format with sequenced
 * address and connected data items.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as cip } from '../../../src/dpi/protocols/cip';

const only = [cip];

// cip_io.pcap, UDP 192.168.5.62:2222 -> 192.168.5.50:2222: class 1 I/O datagram.
const IO = hex(`020002800800787b3a00e8cb5e04b1000c000300fdffffffffffffff0000`);

// cip_io.pcap, same flow: the peer\x27s I/O datagram.
const IO_REPLY = hex(`
  020002800800ebb4917654cc5e04b1001000c6e401000000fdffffffffffffff
  0000
`);

test('cip: implicit I/O datagrams are CIP', () => {
  const r = dissect({ l4: 'udp', clientPort: 2222, serverPort: 2222, dissectors: only }, [
    { payload: IO },
    { dir: 1, payload: IO_REPLY },
  ]);
  assert.equal(r.name, 'CIP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('cip: near miss: a wrong item type is not CIP', () => {
  const r = dissect({ l4: 'udp', serverPort: 2222, dissectors: only }, [
    { payload: Buffer.concat([IO.subarray(0, 2), hex('0380'), IO.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('cip: near miss: a connected data length that does not fill the datagram is not CIP', () => {
  const r = dissect({ l4: 'udp', serverPort: 2222, dissectors: only }, [
    { payload: Buffer.concat([IO.subarray(0, 16), hex('0b00'), IO.subarray(18)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('cip: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', clientPort: 2222, serverPort: 2222, dissectors: only }, [{ payload: IO }, { dir: 1, payload: IO_REPLY }], 'CIP');
});
