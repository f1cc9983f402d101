import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as pptp } from '../../../src/dpi/protocols/pptp';

const only = [pptp];
// pptp.pcap frame 4: Start-Control-Connection-Request (156 bytes).
const SCCRQ = hex(`
009c00011a2b3c4d00010000010000000000000300000003ffff00016c6f63616c000000000000000000000000000000
000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063616e61
6e69616e0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
000000000000000000000000`);


test('pptp: a Start-Control-Connection-Request is PPTP', () => {
  const r = dissect({ serverPort: 1723, dissectors: only }, [{ payload: SCCRQ }]);
  assert.equal(r.name, 'PPTP');
  assert.equal(r.confidence, 'dpi');
});

test('pptp: near miss: another cookie, a length that does not fit the control type', () => {
  const cookie = Buffer.from(SCCRQ);
  cookie[7] = 0x4e;
  assert.notEqual(dissect({ serverPort: 1723, dissectors: only }, [{ payload: cookie }]).confidence, 'dpi');
  const len = Buffer.from(SCCRQ);
  len[1] = 0x9d;
  assert.notEqual(dissect({ serverPort: 1723, dissectors: only }, [{ payload: len }]).confidence, 'dpi');
});

test('pptp: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(SCCRQ)) assert.equal(direct(pptp, 'tcp', [{ payload: b }]), b.length >= 16 ? P.PPTP : 0);
});
