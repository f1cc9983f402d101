import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { dissector as ipsec } from '../../../src/dpi/protocols/ipsec';
import { P } from '../../../src/dpi/generated/protocols';

const only = [ipsec];
// ipsec_isakmp_esp.pcap frame 489: IKEv2 IKE_AUTH behind the NAT-T non-ESP marker (UDP 4500).
const NATT = hex(`
00000000cd7bae2d4bfda73e1c4146bf012011b52e202308000000020000006c30000050e2e5a9bcabecd3e1ab777f02
f8893690053c8c975afff6421d04013f325714a5dfc8bc858de7097b0044f25c8515d7f9587afddd7975f45b9e691b6f
366e5e5938a14a0c2b68c05cb945b2cd`);
/** An IKEv1 Identity Protection message (RFC 2408 3.1): SPIs, SA payload, version 1.0, exchange 2, length. */
function ikev1(): Buffer {
  const b = Buffer.alloc(60, 0);
  b.write('0123456789abcdef', 0, 'hex');
  b[16] = 1;
  b[17] = 0x10;
  b[18] = 2;
  b.writeUInt32BE(60, 24);
  return b;
}


test('ipsec: IKEv2 behind the non-ESP marker and IKEv1 on port 500 are IPSec', () => {
  const r = dissect({ l4: 'udp', serverPort: 4500, dissectors: only }, [{ payload: NATT }]);
  assert.equal(r.name, 'IPSec');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ l4: 'udp', serverPort: 500, dissectors: only }, [{ payload: ikev1() }]).name, 'IPSec');
});

test('ipsec: near miss: a wrong length field, an unknown version or exchange, zero SPIs', () => {
  const udp = (payload: Buffer): string => dissect({ l4: 'udp', serverPort: 500, dissectors: only }, [{ payload }]).confidence;
  const len = ikev1();
  len.writeUInt32BE(61, 24);
  assert.notEqual(udp(len), 'dpi');
  const ver = ikev1();
  ver[17] = 0x30;
  assert.notEqual(udp(ver), 'dpi');
  const ex = ikev1();
  ex[18] = 99;
  assert.notEqual(udp(ex), 'dpi');
  const spi = ikev1();
  spi.fill(0, 0, 8);
  assert.notEqual(udp(spi), 'dpi');
});

test('ipsec: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(NATT)) assert.equal(direct(ipsec, 'udp', [{ payload: b }], 4500), b.length === NATT.length ? P.IPSec : 0);
});
