/**
 * Tests for the AMQP dissector: protocol header, or AMQP 0-9-1 frames with a
 * known class and the 0xCE frame end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as amqp } from '../../../src/dpi/protocols/amqp';

const only = [amqp];

// amqp.pcap, TCP 127.0.0.1:44206 -> 127.0.1.1:5672: basic.publish method frame (class 60, method 40).
const PUBLISH = hex(`01000100000017003c002800000764656661756c74077461736b732e2300ce`);

// amqp.pcap, same flow: the content header frame (class 60).
const CONTENT_HEADER = hex(`
  02000100000084003c000000000000000000eefe001e6170706c69636174696f
  6e2f782d707974686f6e2d73657269616c697a650662696e6172790000000002
  002466333361616532372d363966342d346634382d623062632d326566646334
  3535633132382461626632376262352d303134392d336462642d613264622d64
  3335373263333039373930ce
`);

test('amqp: the AMQP 0-9-1 protocol header is AMQP', () => {
  const r = dissect({ serverPort: 5672, dissectors: only }, [
    { payload: Buffer.from('AMQP\x00\x00\x09\x01', 'latin1') },
  ]);
  assert.equal(r.name, 'AMQP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('amqp: the AMQP 1.0 SASL protocol header is AMQP', () => {
  const r = dissect({ serverPort: 5671, dissectors: only }, [
    { payload: Buffer.from('AMQP\x03\x01\x00\x00', 'latin1') },
  ]);
  assert.equal(r.name, 'AMQP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('amqp: a method frame seen mid-session is AMQP', () => {
  const r = dissect({ serverPort: 5672, dissectors: only }, [
    { payload: PUBLISH },
    { payload: CONTENT_HEADER },
  ]);
  assert.equal(r.name, 'AMQP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('amqp: a content header frame is AMQP', () => {
  const r = dissect({ serverPort: 5672, dissectors: only }, [
    { payload: CONTENT_HEADER },
  ]);
  assert.equal(r.name, 'AMQP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('amqp: a heartbeat frame is AMQP', () => {
  const r = dissect({ serverPort: 5672, dissectors: only }, [
    { payload: hex('08000000000000ce') },
  ]);
  assert.equal(r.name, 'AMQP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('amqp: near miss: "AMQP" with an unknown version is not AMQP', () => {
  const r = dissect({ serverPort: 5672, dissectors: only }, [
    { payload: Buffer.from('AMQP\x00\x00\x08\x00', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('amqp: near miss: a method frame without the 0xCE frame end is not AMQP', () => {
  const r = dissect({ serverPort: 5672, dissectors: only }, [
    { payload: Buffer.concat([PUBLISH.subarray(0, PUBLISH.length - 1), hex('00')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('amqp: near miss: a method frame naming an unknown class is not AMQP', () => {
  const r = dissect({ serverPort: 5672, dissectors: only }, [
    { payload: Buffer.concat([PUBLISH.subarray(0, 7), hex('0063'), PUBLISH.subarray(9)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('amqp: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 5672, dissectors: only }, [{ payload: PUBLISH }, { payload: CONTENT_HEADER }], 'AMQP');
  truncations({ serverPort: 5672, dissectors: only }, [{ payload: CONTENT_HEADER }], 'AMQP');
});
