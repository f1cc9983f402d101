/**
 * Tests for the Lustre dissector: LNet acceptor/HELLO naming the flow addresses and KSOCK LNet messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as lustre } from '../../../src/dpi/protocols/lustre';

const only = [lustre];

// lustre.pcapng, TCP 192.168.88.132:1022 -> 192.168.88.131:988: acceptor request.
const ACCEPTOR = hex(`0071ceac010000008358a8c000000200`);

// lustre.pcapng, same flow: socklnd HELLO.
const HELLO = hex(`
  63697245030000008458a8c0000002008358a8c0000002003930000000000000
  f0ee59a00882f01700000000000000000200000000000000
`);

// lustre.pcapng, TCP 192.168.88.118:1023 -> 192.168.88.119:988: KSOCK LNet message seen mid-stream (96-byte headers + payload).
const LNET_MSG = hex(`
  c100000000000000000000000000000000000000000000007758a8c000000200
  7658a8c00000020039300000393000000000000000000000564db811adccf117
  dd61000000000000000000000000008030000000000000000000000000000000
`);

test('lustre: the acceptor request naming the server is Lustre', () => {
  const r = dissect({ clientPort: 1022, serverPort: 988, client: '192.168.88.132', server: '192.168.88.131', dissectors: only }, [
    { payload: ACCEPTOR },
    { payload: HELLO },
  ]);
  assert.equal(r.name, 'Lustre');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('lustre: a HELLO naming both ends is Lustre', () => {
  const r = dissect({ clientPort: 1022, serverPort: 988, client: '192.168.88.132', server: '192.168.88.131', dissectors: only }, [
    { payload: HELLO },
  ]);
  assert.equal(r.name, 'Lustre');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('lustre: an LNet message to this server is Lustre', () => {
  const r = dissect({ clientPort: 1023, serverPort: 988, client: '192.168.88.118', server: '192.168.88.119', dissectors: only }, [
    { payload: LNET_MSG },
  ]);
  assert.equal(r.name, 'Lustre');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('lustre: near miss: an acceptor request naming another server is not Lustre', () => {
  const r = dissect({ serverPort: 988, client: '192.168.88.132', server: '192.168.88.200', dissectors: only }, [
    { payload: ACCEPTOR },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('lustre: near miss: an LNet message whose payload length is off is not Lustre', () => {
  const r = dissect({ serverPort: 988, client: '192.168.88.118', server: '192.168.88.119', dissectors: only }, [
    { payload: Buffer.concat([LNET_MSG, hex('00')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('lustre: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ clientPort: 1022, serverPort: 988, client: '192.168.88.132', server: '192.168.88.131', dissectors: only }, [{ payload: ACCEPTOR }, { payload: HELLO }], 'Lustre');
  truncations({ clientPort: 1023, serverPort: 988, client: '192.168.88.118', server: '192.168.88.119', dissectors: only }, [{ payload: LNET_MSG }], 'Lustre');
});
