import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as tftp } from '../../../src/dpi/protocols/tftp';

const only = [tftp];

// A read request for pxelinux.0 in octet mode with the blksize and tsize options (RFC 2348/2349).
const RRQ = Buffer.from('\x00\x01pxelinux.0\x00octet\x00blksize\x001468\x00tsize\x000\x00', 'latin1');

test('tftp: a read request is TFTP', () => {
  const r = dissect({ l4: 'udp', clientPort: 2070, serverPort: 69, dissectors: only }, [{ payload: RRQ }]);
  assert.equal(r.name, 'TFTP');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('tftp: the transfer flow, DATA block 1 and its ACK, is TFTP', () => {
  const data = Buffer.concat([hex('00030001'), Buffer.alloc(512, 0x41)]);
  const r = dissect({ l4: 'udp', clientPort: 51000, serverPort: 2070, dissectors: only }, [{ payload: data }, { dir: 1, payload: hex('00040001') }]);
  assert.equal(r.name, 'TFTP');
  const wrongAck = dissect({ l4: 'udp', clientPort: 51000, serverPort: 2070, dissectors: only }, [{ payload: data }, { dir: 1, payload: hex('00040002') }]);
  assert.notEqual(wrongAck.confidence, 'dpi');
});

test('tftp: near misses: an unknown mode, a file name with control bytes, DNS on 69', () => {
  for (const p of [
    Buffer.from('\x00\x01file\x00binary\x00', 'latin1'),
    Buffer.from('\x00\x02fi\x01le\x00octet\x00', 'latin1'),
    hex('784301000001000000000000026537087768617473617070036e65740000010001'),
  ]) {
    assert.notEqual(dissect({ l4: 'udp', serverPort: 69, dissectors: only }, [{ payload: p }]).confidence, 'dpi');
  }
});

test('tftp: every truncation of the request is handled', () => {
  for (const b of prefixes(RRQ)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 69, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'TFTP');
  }
});
