/**
 * Tests for the Oracle TNS dissector: CONNECT packet with its connect
 * descriptor, or answered by ACCEPT/REFUSE/REDIRECT/RESEND.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as oracle } from '../../../src/dpi/protocols/oracle';

const only = [oracle];

// oracle12.pcapng, TCP 10.0.2.15:40226 -> 10.0.72.139:1521: TNS CONNECT (version 315, connect data at offset 70).
const CONNECT = hex(`
  00d4000001000000013b012c0c412000ffff7f0800000100008e004600000800
  4141000000000000000000000000000000000000000000000000000020000020
  000000000000284445534352495054494f4e3d28434f4e4e4543545f44415441
  3d285349443d69676f7229284349443d2850524f4752414d3d73716c706c7573
  406b616c692928484f53543d6b616c692928555345523d726f6f742929292841
  4444524553533d2850524f544f434f4c3d5443502928484f53543d31302e302e
  37322e3133392928504f52543d31353231292929
`);

// oracle12.pcapng, same flow: the server's RESEND (type 11).
const RESEND = hex(`000800000b000000`);

test('oracle: a TNS CONNECT with its connect descriptor is Oracle', () => {
  const r = dissect({ serverPort: 1521, dissectors: only }, [
    { payload: CONNECT },
    { dir: 1, payload: RESEND },
  ]);
  assert.equal(r.name, 'Oracle');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('oracle: a CONNECT whose descriptor follows in the next segment is confirmed by RESEND', () => {
  const r = dissect({ serverPort: 1521, dissectors: only }, [
    { payload: Buffer.concat([CONNECT.subarray(0, 70)]) },
    { dir: 1, payload: RESEND },
  ]);
  assert.equal(r.name, 'Oracle');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('oracle: near miss: a CONNECT with version 200 is not Oracle', () => {
  const r = dissect({ serverPort: 1521, dissectors: only }, [
    { payload: Buffer.concat([CONNECT.subarray(0, 8), hex('00c8'), CONNECT.subarray(10)]) },
    { dir: 1, payload: RESEND },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('oracle: near miss: a header-only CONNECT answered by something else is not Oracle', () => {
  const r = dissect({ serverPort: 1521, dissectors: only }, [
    { payload: CONNECT.subarray(0, 70) },
    { dir: 1, payload: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('oracle: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 1521, dissectors: only }, [{ payload: CONNECT }, { dir: 1, payload: RESEND }], 'Oracle');
});
