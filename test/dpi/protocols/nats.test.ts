/**
 * Tests for the NATS dissector: "INFO {json}" and "CONNECT {json}" lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as nats } from '../../../src/dpi/protocols/nats';

const only = [nats];

// nats.pcap, TCP 127.0.0.1:54820 -> 127.0.0.1:4222: the server INFO line (note the space before CRLF).
const INFO = hex(`
  494e464f207b227365727665725f6964223a224e414c47353648515a34433449
  4c5248434759574d435342564335573251485836574b47483741324933345033
  4443454849534e37324237222c227365727665725f6e616d65223a224e414c47
  353648515a344334494c5248434759574d435342564335573251485836574b47
  4837413249333450334443454849534e37324237222c2276657273696f6e223a
  22322e312e36222c2270726f746f223a312c226769745f636f6d6d6974223a22
  38633864366638222c22676f223a22676f312e31332e39222c22686f7374223a
  22302e302e302e30222c22706f7274223a343232322c226d61785f7061796c6f
  6164223a313034383537362c22636c69656e745f6964223a312c22636c69656e
  745f6970223a223132372e302e302e31227d200d0a
`);

// nats.pcap, same flow: the client CONNECT line followed by PING.
const CONNECT = hex(`
  434f4e4e454354207b22766572626f7365223a66616c73652c22706564616e74
  6963223a66616c73652c22746c735f7265717569726564223a66616c73652c22
  6e616d65223a22222c226c616e67223a2243222c2276657273696f6e223a2232
  2e312e30222c2270726f746f636f6c223a312c226563686f223a747275657d0d
  0a50494e470d0a
`);

test('nats: the server INFO greeting is NATS', () => {
  const r = dissect({ serverPort: 4222, dissectors: only }, [
    { dir: 1, payload: INFO },
    { payload: CONNECT },
  ]);
  assert.equal(r.name, 'Nats');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('nats: a client CONNECT line is NATS', () => {
  const r = dissect({ serverPort: 14222, dissectors: only }, [
    { payload: CONNECT },
  ]);
  assert.equal(r.name, 'Nats');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('nats: near miss: an INFO line without a JSON object is not NATS', () => {
  const r = dissect({ serverPort: 4222, dissectors: only }, [
    { dir: 1, payload: Buffer.from('INFO {server}\r\n'.replace('{server}', 'abc'), 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('nats: near miss: an unterminated INFO line is not NATS', () => {
  const r = dissect({ serverPort: 4222, dissectors: only }, [
    { dir: 1, payload: INFO.subarray(0, 100) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('nats: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 4222, dissectors: only }, [{ dir: 1, payload: INFO }, { payload: CONNECT }], 'Nats');
});
