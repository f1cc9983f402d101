/**
 * Tests for the MQTT dissector: CONNECT, mid-session PUBLISH, PINGREQ answered
 * by PINGRESP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as mqtt } from '../../../src/dpi/protocols/mqtt';

const only = [mqtt];

// coap_mqtt.pcap, TCP 192.168.56.1:53528 -> 192.168.56.101:17501: CONNECT (MQTT level 4, client id "Bus41").
const CONNECT = hex(`101100044d5154540402003c00054275733431`);

// coap_mqtt.pcap, same flow: CONNACK.
const CONNACK = hex(`20020000`);

// coap_mqtt.pcap, TCP 192.168.56.101:17501 -> 192.168.56.1:53524: PUBLISH QoS 1 on "Bus17Cmd" seen mid-session.
const PUBLISH = hex(`
  325400084275733137436d6400027b226d65737361676554797065223a225550
  44415445222c226d657373616765436f6e74656e74223a224672692046656220
  31392032303a34313a3131204545542032303136227d
`);

// mqtt.pcap, TCP 10.10.10.1:1883 -> 192.168.0.1:41892: MQIsdp (v3.1) CONNECT, first 66 bytes (the whole packet).
const CONNECT_V31 = hex(`
  104000064d514973647003c20014001663626161626362616261636262626262
  616161616162000c303244353035303232334433000c30324435303530323233
  4433
`);

test('mqtt: a CONNECT and CONNACK are MQTT on a non-standard port', () => {
  const r = dissect({ serverPort: 17501, dissectors: only }, [
    { payload: CONNECT },
    { dir: 1, payload: CONNACK },
  ]);
  assert.equal(r.name, 'MQTT');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('mqtt: an MQIsdp CONNECT is MQTT', () => {
  const r = dissect({ serverPort: 1883, dissectors: only }, [
    { payload: CONNECT_V31 },
  ]);
  assert.equal(r.name, 'MQTT');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('mqtt: a PUBLISH with a printable topic seen mid-session is MQTT', () => {
  const r = dissect({ serverPort: 17501, dissectors: only }, [
    { payload: PUBLISH },
  ]);
  assert.equal(r.name, 'MQTT');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('mqtt: PINGREQ answered by PINGRESP is MQTT', () => {
  const r = dissect({ serverPort: 1883, dissectors: only }, [
    { payload: hex('c000') },
    { dir: 1, payload: hex('d000') },
  ]);
  assert.equal(r.name, 'MQTT');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('mqtt: near miss: PINGREQ answered by something else is not MQTT', () => {
  const r = dissect({ serverPort: 1883, dissectors: only }, [
    { payload: hex('c000') },
    { dir: 1, payload: hex('0100') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('mqtt: near miss: a CONNECT naming another protocol is not MQTT', () => {
  const r = dissect({ serverPort: 1883, dissectors: only }, [
    { payload: Buffer.concat([CONNECT.subarray(0, 7), Buffer.from('X', 'latin1'), CONNECT.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('mqtt: near miss: a PUBLISH whose remaining length is off is not MQTT', () => {
  const r = dissect({ serverPort: 1883, dissectors: only }, [
    { payload: Buffer.concat([PUBLISH.subarray(0, 1), hex('55'), PUBLISH.subarray(2)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('mqtt: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 17501, dissectors: only }, [{ payload: CONNECT }, { dir: 1, payload: CONNACK }], 'MQTT');
  truncations({ serverPort: 17501, dissectors: only }, [{ payload: PUBLISH }], 'MQTT');
});
