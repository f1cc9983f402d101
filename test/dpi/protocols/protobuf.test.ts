/**
 * Tests for the (weak) Protobuf dissector: payloads parsing as complete field
 * sequences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as protobuf } from '../../../src/dpi/protocols/protobuf';

const only = [protobuf];

// protobuf.pcap, TCP 127.0.0.1:52392 -> 127.0.0.1:12345: a message with string, nested and fixed32 fields.
const MESSAGE = hex(`
  1203626c61220908011205746573743122090802120574657374322209080312
  0574657374332df323a74431e71da7e888e4944038a403420841414141424242
  4258030a
`);

// protobuf.pcap, TCP 127.0.0.1:39786 -> 127.0.0.1:12345: a message with a long string and many fields, first 200 bytes.
const LOREM = hex(`
  12bd034c6f72656d20697073756d20646f6c6f722073697420616d65742c2063
  6f6e73656374657475722061646970697363696e6720656c69742c2073656420
  646f20656975736d6f642074656d706f7220696e6369646964756e7420757420
  6c61626f726520657420646f6c6f7265206d61676e6120616c697175612e2055
  7420656e696d206164206d696e696d2076656e69616d2c2071756973206e6f73
  7472756420657865726369746174696f6e20756c6c616d636f206c61626f7269
  73206e69736920757420616c697175697020657820656120636f6d6d6f646f20
  636f6e7365717561742e2044756973206175746520697275726520646f6c6f72
  20696e20726570726568656e646572697420696e20766f6c7570746174652076
  656c697420657373652063696c6c756d20646f6c6f7265206575206675676961
  74206e756c6c612070617269617475722e204578636570746575722073696e74
  206f6363616563617420637570696461746174206e6f6e2070726f6964656e74
  2c2073756e7420696e2063756c706120717569206f6666696369612064657365
  72756e74206d6f6c6c697420616e696d20696420657374206c61626f72756d2e
  1a0576616c7565221208ffffffffffffffffff0112057465737431221208ffff
  ffffffffffffff0112057465737432221208ffffffffffffffffff0112057465
  73743338ffffffff074218414141414242424241414141424242424141414142
  42424258020a
`);

test('protobuf: three payloads that parse as Protobuf are Protobuf', () => {
  const r = dissect({ serverPort: 12345, dissectors: only }, [
    { payload: MESSAGE },
    { payload: MESSAGE },
    { payload: MESSAGE },
  ]);
  assert.equal(r.name, 'Protobuf');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('protobuf: one payload with many fields including a string is Protobuf', () => {
  const r = dissect({ serverPort: 12345, dissectors: only }, [
    { payload: LOREM },
  ]);
  assert.equal(r.name, 'Protobuf');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('protobuf: near miss: printable text is not Protobuf', () => {
  const r = dissect({ serverPort: 12345, dissectors: only }, [
    { payload: Buffer.from('XXXXXXXXXXXXXXXXXXXX', 'latin1') },
    { payload: Buffer.from('XXXXXXXXXXXXXXXXXXXX', 'latin1') },
    { payload: Buffer.from('XXXXXXXXXXXXXXXXXXXX', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('protobuf: near miss: an RTP-like header (first byte 0x80) is not Protobuf', () => {
  const r = dissect({ l4: 'udp', serverPort: 20000, dissectors: only }, [
    { payload: hex('80080001000000a0deadbeef0102030405060708') },
    { payload: hex('80080001000000a0deadbeef0102030405060708') },
    { payload: hex('80080001000000a0deadbeef0102030405060708') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('protobuf: near miss: a payload with a group wire type is not Protobuf', () => {
  const r = dissect({ serverPort: 12345, dissectors: only }, [
    { payload: hex('0b0c12036f6b0b') },
    { payload: MESSAGE },
    { payload: MESSAGE },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('protobuf: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 12345, dissectors: only }, [{ payload: MESSAGE }, { payload: MESSAGE }, { payload: MESSAGE }], 'Protobuf');
  truncations({ serverPort: 12345, dissectors: only }, [{ payload: LOREM }], 'Protobuf');
});
