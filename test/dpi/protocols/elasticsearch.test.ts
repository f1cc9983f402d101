/**
 * Tests for the Elasticsearch transport dissector: "ES" marker, length, status
 * flags and version id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as elasticsearch } from '../../../src/dpi/protocols/elasticsearch';

const only = [elasticsearch];

// elasticsearch.pcap, TCP 172.16.17.102:40282 -> 172.16.16.107:9300: transport handshake request (version 6.8.0 id).
const HANDSHAKE = hex(`
  455300000034000000000000000108005cc66300000106782d7061636b16696e
  7465726e616c3a7463702f68616e647368616b650004cbf6ae03
`);

// elasticsearch.pcap, same flow: handshake response.
const HANDSHAKE_RESPONSE = hex(`455300000013000000000000000109005cc6630000cbf6ae03`);

test('elasticsearch: a transport handshake is Elasticsearch', () => {
  const r = dissect({ serverPort: 9300, dissectors: only }, [
    { payload: HANDSHAKE },
    { dir: 1, payload: HANDSHAKE_RESPONSE },
  ]);
  assert.equal(r.name, 'Elasticsearch');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('elasticsearch: the keep-alive ping (length -1) is Elasticsearch', () => {
  const r = dissect({ serverPort: 9300, dissectors: only }, [
    { payload: hex('4553ffffffff') },
  ]);
  assert.equal(r.name, 'Elasticsearch');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('elasticsearch: a response seen first is Elasticsearch', () => {
  const r = dissect({ serverPort: 9300, dissectors: only }, [
    { dir: 1, payload: HANDSHAKE_RESPONSE },
  ]);
  assert.equal(r.name, 'Elasticsearch');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('elasticsearch: near miss: the HTTP REST API on 9200 is not the transport protocol', () => {
  const r = dissect({ serverPort: 9200, dissectors: only }, [
    { payload: Buffer.from('GET /_cluster/health HTTP/1.1\r\nHost: es\r\n\r\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('elasticsearch: near miss: "ES" with an implausible version id is not Elasticsearch', () => {
  const r = dissect({ serverPort: 9300, dissectors: only }, [
    { payload: Buffer.concat([HANDSHAKE.subarray(0, 15), hex('00000001'), HANDSHAKE.subarray(19)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('elasticsearch: near miss: "ES" with a length ending inside the segment is not Elasticsearch', () => {
  const r = dissect({ serverPort: 9300, dissectors: only }, [
    { payload: Buffer.concat([hex('455300000010'), HANDSHAKE.subarray(6)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('elasticsearch: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 9300, dissectors: only }, [{ payload: HANDSHAKE }, { dir: 1, payload: HANDSHAKE_RESPONSE }], 'Elasticsearch');
});
