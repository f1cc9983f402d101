/**
 * Tests for the GTP dissector: GTPv1/v2 and GTP\x27 headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, truncations } from '../harness';
import { dissector as gtp } from '../../../src/dpi/protocols/gtp';

const only = [gtp];

// gtp_c.pcap, UDP 10.101.0.2:1024 -> 10.102.0.2:2123: GTPv2-C Create Session Request.
const CREATE_SESSION = hex(`
  482000f3000000004b5462000100080089674511223344f54c00060098765412
  34564b00080034567890120102f356000d001898765412349876541234567853
  00030089475652000100064d00020000005700090086355292040a6500024700
  090008696e7465726e6574800001000063000100014f00050001211717017f00
  010002480008000000270f0000270f49000100055d003d00490001000554000d
  002131010910c0a80101ffffff005700090284355292050a6500025000160018
  0700000000000000000000000000000000000000008400070001ac106b710001
  8400070101ac106b7200017200020000005f0002000001
`);

// gtp_prime.pcapng, UDP 10.10.54.1:64580 -> 10.10.39.10:3386: GTP\x27 Data Record Transfer Request.
const DATA_RECORD = hex(`
  2ef000f400047e01fc00ef01011c0600e9bf608200e480016083081300210000
  0000f0a40680040a0a3501850407900000870565687270648802f121a908a006
  8004010000068b0101ac82002a30288302034884020348850102860915022516
  38442b0000a91081010886010987034c4b4088034c4b408d091502251638012b
  00008e012b8f0100b022a420060e2b06010401b27f03010246040100810100a2
  0b300902010102010181010e920a414c552d4e4f444530319401019501009702
  01009801039e01039f220101bf240680040a0a06039f25031320109f26091502
  251638002b00009f27091502251638442b00009f280407900000
`);

// A GTPv1-U Echo Request with a sequence number (TS 29.281).
const ECHO_U = hex(`320100040000000000010000`);

test('gtp: a GTPv2-C Create Session Request is GTP.GTP_C', () => {
  const r = dissect({ l4: 'udp', serverPort: 2123, dissectors: only }, [
    { payload: CREATE_SESSION },
  ]);
  assert.equal(r.name, 'GTP.GTP_C');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('gtp: a GTP\x27 Data Record Transfer is GTP.GTP_PRIME', () => {
  const r = dissect({ l4: 'udp', serverPort: 3386, dissectors: only }, [
    { payload: DATA_RECORD },
  ]);
  assert.equal(r.name, 'GTP.GTP_PRIME');
  assert.equal(r.confidence, 'dpi');
  assert.ok(r.risks.includes('Known Proto on Non Std Port'));
  assert.deepEqual(r.undeclared, []);
});

test('gtp: a GTPv1-U echo on port 2152 is GTP.GTP_U', () => {
  const r = dissect({ l4: 'udp', serverPort: 2152, dissectors: only }, [
    { payload: ECHO_U },
  ]);
  assert.equal(r.name, 'GTP.GTP_U');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('gtp: near miss: a GTPv2 length that does not match is not GTP', () => {
  const r = dissect({ l4: 'udp', serverPort: 2123, dissectors: only }, [
    { payload: Buffer.concat([CREATE_SESSION, hex('00')]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('gtp: near miss: a GTP\x27 header without the spare bits set is not GTP', () => {
  const r = dissect({ l4: 'udp', serverPort: 3386, dissectors: only }, [
    { payload: Buffer.concat([hex('20'), DATA_RECORD.subarray(1)]) },
  ]);
  assert.notEqual(r.confidence, 'dpi');
});

test('gtp: every truncation of the fixtures is handled without throwing or mislabelling', () => {
  truncations({ l4: 'udp', serverPort: 2123, dissectors: only }, [{ payload: CREATE_SESSION }], 'GTP.GTP_C');
  truncations({ l4: 'udp', serverPort: 3386, dissectors: only }, [{ payload: DATA_RECORD }], 'GTP.GTP_PRIME');
});
