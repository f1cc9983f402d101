/**
 * Tests for the PostgreSQL dissector: StartupMessage 3.0, SSL/GSSENC request
 * answered with one byte, backend Authentication first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as postgresql } from '../../../src/dpi/protocols/postgresql';

const only = [postgresql];

// pgsql.pcap, TCP 127.0.0.1:45931 -> 127.0.0.1:5432: StartupMessage (protocol 3.0, user/database).
const STARTUP = hex(`
  000000260003000075736572006f727978006461746162617365006d61696c73
  746f72650000
`);

// pgsql.pcap, same flow: AuthenticationMD5Password from the server.
const AUTH_MD5 = hex(`520000000c00000005f211a3ed`);

// pgsql.pcap, TCP 172.16.20.244:59036 -> 172.16.20.75:5432: GSSENCRequest (code 80877104).
const GSSENC_REQUEST = hex(`0000000804d21630`);

// pgsql.pcap, same flow: the server's one-byte answer.
const GSSENC_ANSWER = hex(`47`);

test('postgresql: a StartupMessage identifies PostgreSQL', () => {
  const r = dissect({ serverPort: 5432, dissectors: only }, [
    { payload: STARTUP },
    { dir: 1, payload: AUTH_MD5 },
  ]);
  assert.equal(r.name, 'PostgreSQL');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('postgresql: a GSSENC request answered with one byte is PostgreSQL', () => {
  const r = dissect({ serverPort: 5432, dissectors: only }, [
    { payload: GSSENC_REQUEST },
    { dir: 1, payload: GSSENC_ANSWER },
  ]);
  assert.equal(r.name, 'PostgreSQL');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('postgresql: an SSLRequest answered with S is PostgreSQL', () => {
  const r = dissect({ serverPort: 15432, dissectors: only }, [
    { payload: hex('0000000804d2162f') },
    { dir: 1, payload: hex('53') },
  ]);
  assert.equal(r.name, 'PostgreSQL');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('postgresql: a backend Authentication message seen first is PostgreSQL', () => {
  const r = dissect({ serverPort: 5432, dissectors: only }, [
    { dir: 1, payload: AUTH_MD5 },
  ]);
  assert.equal(r.name, 'PostgreSQL');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('postgresql: near miss: an 8-byte SSLRequest-like message answered with more data is not PostgreSQL', () => {
  const r = dissect({ serverPort: 5432, dissectors: only }, [
    { payload: hex('0000000804d2162f') },
    { dir: 1, payload: Buffer.from('SSH-2.0-x\r\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('postgresql: near miss: a StartupMessage for protocol 2.0 is not recognised', () => {
  const r = dissect({ serverPort: 5432, dissectors: only }, [
    { payload: Buffer.concat([STARTUP.subarray(0, 4), hex('00020000'), STARTUP.subarray(8)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('postgresql: near miss: a StartupMessage whose length is off is not PostgreSQL', () => {
  const r = dissect({ serverPort: 5432, dissectors: only }, [
    { payload: Buffer.concat([hex('00000027'), STARTUP.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('postgresql: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 5432, dissectors: only }, [{ payload: STARTUP }, { dir: 1, payload: AUTH_MD5 }], 'PostgreSQL');
  truncations({ serverPort: 5432, dissectors: only }, [{ payload: GSSENC_REQUEST }, { dir: 1, payload: GSSENC_ANSWER }], 'PostgreSQL');
});
