/**
 * Tests for the Thrift dissector: strict binary and compact message headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as thrift } from '../../../src/dpi/protocols/thrift';

const only = [thrift];

// thrift.pcap, TCP 169.254.59.247:53387 -> 169.254.46.4:11010: binary protocol CALL "anonymous_command_on".
const CALL = hex(`
  8001000100000014616e6f6e796d6f75735f636f6d6d616e645f6f6e00000000
  0800010000000000
`);

// thrift.pcap, same flow: the REPLY.
const REPLY = hex(`
  8001000200000014616e6f6e796d6f75735f636f6d6d616e645f6f6e00000000
  0b00000000000845584a6567645a4100
`);

// thrift.pcap, UDP 127.0.0.1:49164 -> 127.0.0.1:6831: compact protocol ONEWAY "emitBatch" (Jaeger agent), first 48 bytes.
const COMPACT = hex(`
  8281b2810109656d697442617463681c1c18186d61747269782e6f7267207465
  73745f776f726b65722d31193c180e6a
`);

test('thrift: a binary CALL and REPLY are Thrift', () => {
  const r = dissect({ serverPort: 11010, dissectors: only }, [
    { payload: CALL },
    { dir: 1, payload: REPLY },
  ]);
  assert.equal(r.name, 'Thrift');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('thrift: a compact ONEWAY over UDP is Thrift', () => {
  const r = dissect({ l4: 'udp', serverPort: 6831, dissectors: only }, [
    { payload: COMPACT },
  ]);
  assert.equal(r.name, 'Thrift');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('thrift: a framed binary CALL is Thrift', () => {
  const r = dissect({ serverPort: 9090, dissectors: only }, [
    { payload: Buffer.concat([hex(`00000028`), CALL]) },
  ]);
  assert.equal(r.name, 'Thrift');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('thrift: near miss: a binary message of type 0 is not Thrift', () => {
  const r = dissect({ serverPort: 11010, dissectors: only }, [
    { payload: Buffer.concat([CALL.subarray(0, 3), hex('00'), CALL.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('thrift: near miss: a method name with spaces is not Thrift', () => {
  const r = dissect({ serverPort: 11010, dissectors: only }, [
    { payload: Buffer.concat([CALL.subarray(0, 12), Buffer.from(' ', 'latin1'), CALL.subarray(13)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('thrift: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 11010, dissectors: only }, [{ payload: CALL }, { dir: 1, payload: REPLY }], 'Thrift');
  truncations({ l4: 'udp', serverPort: 6831, dissectors: only }, [{ payload: COMPACT }], 'Thrift');
});
