/**
 * Tests for the VNC dissector: the RFB ProtocolVersion message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as vnc } from '../../../src/dpi/protocols/vnc';

const only = [vnc];

// vnc.pcap, TCP 95.237.48.208:59791 -> 192.168.2.110:6900: the server\x27s "RFB 004.001\\n".
const SERVER_VERSION = hex(`524642203030342e3030310a`);

// vnc.pcap, same flow: the client\x27s answer.
const CLIENT_VERSION = hex(`524642203030342e3030310a`);

test('vnc: the RFB ProtocolVersion handshake is VNC on a non-standard port', () => {
  const r = dissect({ serverPort: 6900, dissectors: only }, [
    { dir: 1, payload: SERVER_VERSION },
    { payload: CLIENT_VERSION },
  ]);
  assert.equal(r.name, 'VNC');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Desktop/File Sharing'));
  assert.ok(r.risks.includes('Known Proto on Non Std Port'));
  assert.deepEqual(r.undeclared, []);
});

test('vnc: RFB 003.008 is VNC', () => {
  const r = dissect({ serverPort: 5900, dissectors: only }, [
    { dir: 1, payload: Buffer.from('RFB 003.008\n', 'latin1') },
  ]);
  assert.equal(r.name, 'VNC');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Desktop/File Sharing'));
  assert.deepEqual(r.undeclared, []);
});

test('vnc: near miss: an SSH banner is not VNC', () => {
  const r = dissect({ serverPort: 5900, dissectors: only }, [
    { dir: 1, payload: Buffer.from('SSH-2.0-x\r\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('vnc: near miss: an RFB version with non-digits is not VNC', () => {
  const r = dissect({ serverPort: 5900, dissectors: only }, [
    { dir: 1, payload: Buffer.from('RFB 003.00x\n', 'latin1') },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('vnc: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ serverPort: 6900, dissectors: only }, [{ dir: 1, payload: SERVER_VERSION }, { payload: CLIENT_VERSION }], 'VNC');
});
