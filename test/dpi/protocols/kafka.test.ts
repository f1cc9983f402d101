/**
 * Tests for the Kafka dissector: request header (size, api key/version,
 * correlation id, client id) and the broker's response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as kafka } from '../../../src/dpi/protocols/kafka';

const only = [kafka];

// kafka.pcapng, TCP 172.16.17.101:49280 -> 172.30.0.237:9092: ApiVersions v0 request, client id "rdkafka".
const API_VERSIONS = hex(`000000150012000000000081000772646b61666b6100000000`);

// kafka.pcapng, same flow: ApiVersions response, first 64 bytes.
const API_VERSIONS_RESPONSE = hex(`
  0000015a0000008100000000003800000000000900010000000c000200000006
  00030000000b0004000000050005000000030006000000070007000000030008
`);

// kafka.pcapng, TCP 172.16.17.101:53768 -> 172.30.0.237:9092: Metadata v2 request (unidirectional flow).
const METADATA = hex(`
  0000002800030002000000d4000772646b61666b610000000100114c425f4d41
  494e5f4c4f475f494e505554
`);

test('kafka: an ApiVersions request is Kafka', () => {
  const r = dissect({ serverPort: 9092, dissectors: only }, [
    { payload: API_VERSIONS },
    { dir: 1, payload: API_VERSIONS_RESPONSE },
  ]);
  assert.equal(r.name, 'Kafka');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('kafka: a Metadata request alone is Kafka', () => {
  const r = dissect({ serverPort: 29092, dissectors: only }, [
    { payload: METADATA },
  ]);
  assert.equal(r.name, 'Kafka');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('kafka: a request spanning segments is confirmed by the response correlation id', () => {
  const r = dissect({ serverPort: 9092, dissectors: only }, [
    { payload: Buffer.concat([hex('00000100'), METADATA.subarray(4)]) },
    { dir: 1, payload: Buffer.concat([hex('00000010'), METADATA.subarray(8, 12), Buffer.alloc(12)]) },
  ]);
  assert.equal(r.name, 'Kafka');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('kafka: near miss: a request whose size is off is not Kafka', () => {
  const r = dissect({ serverPort: 9092, dissectors: only }, [
    { payload: Buffer.concat([hex('00000016'), API_VERSIONS.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('kafka: near miss: an api key beyond 127 is not Kafka', () => {
  const r = dissect({ serverPort: 9092, dissectors: only }, [
    { payload: Buffer.concat([API_VERSIONS.subarray(0, 4), hex('0200'), API_VERSIONS.subarray(6)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('kafka: near miss: a client id with control characters is not Kafka', () => {
  const r = dissect({ serverPort: 9092, dissectors: only }, [
    { payload: Buffer.concat([API_VERSIONS.subarray(0, 14), hex('01'), API_VERSIONS.subarray(15)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('kafka: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 9092, dissectors: only }, [{ payload: API_VERSIONS }, { dir: 1, payload: API_VERSIONS_RESPONSE }], 'Kafka');
  truncations({ serverPort: 9092, dissectors: only }, [{ payload: Buffer.concat([hex('00000100'), METADATA.subarray(4)]) }, { dir: 1, payload: Buffer.concat([hex('00000010'), METADATA.subarray(8, 12), Buffer.alloc(12)]) }], 'Kafka');
});
