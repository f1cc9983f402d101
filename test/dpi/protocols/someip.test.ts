/**
 * Tests for the SOMEIP dissector: SOME/IP headers tiling the datagram.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as someip } from '../../../src/dpi/protocols/someip';

const only = [someip];

// someip-udp-method-call.pcapng, UDP 192.168.0.125:49191 -> 192.168.0.1:49201: method call.
const REQUEST = hex(`1234000800000011000000010101000000000005ababababab`);

// someip-udp-method-call.pcapng, same flow: response.
const RESPONSE = hex(`1234000800000011000000010101800000000005ababababab`);

// someip_sd_sample.pcap, UDP 192.168.88.77:30490 -> 192.168.88.73:30490: SOME/IP-SD offer.
const SD = hex(`
  ffff8100000000300000000301010200c0000000000000100600001000eb0000
  0100001e000000010000000c00090400c0a8584d0011ea60
`);

test('someip: a method call and response are SOMEIP', () => {
  const r = dissect({ l4: 'udp', serverPort: 49201, dissectors: only }, [
    { payload: REQUEST },
    { dir: 1, payload: RESPONSE },
  ]);
  assert.equal(r.name, 'SOMEIP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('someip: service discovery is SOMEIP', () => {
  const r = dissect({ l4: 'udp', clientPort: 30490, serverPort: 30490, dissectors: only }, [
    { payload: SD },
  ]);
  assert.equal(r.name, 'SOMEIP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('someip: two messages in one datagram are SOMEIP', () => {
  const r = dissect({ l4: 'udp', serverPort: 30501, dissectors: only }, [
    { payload: Buffer.concat([REQUEST, REQUEST]) },
  ]);
  assert.equal(r.name, 'SOMEIP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('someip: near miss: protocol version 2 is not SOMEIP', () => {
  const r = dissect({ l4: 'udp', serverPort: 30490, dissectors: only }, [
    { payload: Buffer.concat([REQUEST.subarray(0, 12), hex('02'), REQUEST.subarray(13)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('someip: near miss: a length that does not tile the datagram is not SOMEIP', () => {
  const r = dissect({ l4: 'udp', serverPort: 30490, dissectors: only }, [
    { payload: Buffer.concat([REQUEST, hex('00')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('someip: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 49201, dissectors: only }, [{ payload: REQUEST }, { dir: 1, payload: RESPONSE }], 'SOMEIP');
  truncations({ l4: 'udp', clientPort: 30490, serverPort: 30490, dissectors: only }, [{ payload: SD }], 'SOMEIP');
});
