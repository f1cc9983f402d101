/**
 * Tests for the MySQL dissector: the server handshake (protocol 10) identifies
 * the flow and gives the server version; other first packets do not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as mysql } from '../../../src/dpi/protocols/mysql';

const only = [mysql];

// mysql.pcapng, TCP 192.168.88.231:36732 -> 192.168.88.201:3306, first payload: MariaDB server handshake (protocol 10).
const GREETING = hex(`
  6a0000000a352e352e352d31302e362e31322d4d6172696144422d307562756e
  7475302e32322e30342e3100200000004767503d212b544800fef72d0200ff81
  150000000000001d0000004976374f652f59526d52313e006d7973716c5f6e61
  746976655f70617373776f726400
`);

// mysql.pcapng, same flow, second payload: the client's handshake response.
const LOGIN = hex(`
  d600000184a6ff20000000012100000000000000000000000000000000000000
  1d00000061646d696e0014e38721fbab8305d547465b19e40b1ce58bdf1b8f6d
  7973716c5f6e61746976655f70617373776f72640084035f6f73054c696e7578
  0c5f636c69656e745f6e616d650a6c69626d617269616462045f706964063733
  373831320f5f636c69656e745f76657273696f6e05332e332e34095f706c6174
  666f726d067838365f36340c70726f6772616d5f6e616d65056d7973716c0c5f
  7365727665725f686f73740e3139322e3136382e38382e323031
`);

test('mysql: the server handshake identifies MySQL and gives the server version', () => {
  const r = dissect({ serverPort: 3306, dissectors: only }, [
    { dir: 1, payload: GREETING },
    { payload: LOGIN },
  ]);
  assert.equal(r.name, 'MySQL');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_banner, '5.5.5-10.6.12-MariaDB-0ubuntu0.22.04.1');
  assert.deepEqual(r.undeclared, []);
});

test('mysql: a handshake on another port is still MySQL', () => {
  const r = dissect({ serverPort: 13306, dissectors: only }, [
    { dir: 1, payload: GREETING },
  ]);
  assert.equal(r.name, 'MySQL');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('mysql: an ERR packet at connect time (host not allowed) is MySQL', () => {
  const r = dissect({ serverPort: 3306, dissectors: only }, [
    { dir: 1, payload: errPacket("Host '10.0.0.1' is not allowed to connect to this MySQL server") },
  ]);
  assert.equal(r.name, 'MySQL');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('mysql: near miss: an HTTP response on port 3306 is not MySQL', () => {
  const r = dissect({ serverPort: 3306, dissectors: only }, [
    { dir: 1, payload: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('mysql: near miss: a handshake with sequence id 1 is not a greeting', () => {
  const r = dissect({ serverPort: 3306, dissectors: only }, [
    { dir: 1, payload: Buffer.concat([GREETING.subarray(0, 3), Buffer.from([1]), GREETING.subarray(4)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('mysql: near miss: the client speaking first is not MySQL', () => {
  const r = dissect({ serverPort: 3306, dissectors: only }, [
    { payload: LOGIN },
    { dir: 1, payload: GREETING },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

/** A MySQL ERR_Packet (error 1130, ER_HOST_NOT_PRIVILEGED) with sequence id 0. */
function errPacket(text: string): Buffer {
  const msg = Buffer.from(text, 'latin1');
  return Buffer.concat([Buffer.from([3 + msg.length, 0, 0, 0, 0xff, 0x6a, 0x04]), msg]);
}

test('mysql: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 3306, dissectors: only }, [{ dir: 1, payload: GREETING }, { payload: LOGIN }], 'MySQL');
});
