import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { dissector as gnutella } from '../../../src/dpi/protocols/gnutella';
import { P } from '../../../src/dpi/generated/protocols';

const only = [gnutella];
const CONNECT = Buffer.from('GNUTELLA CONNECT/0.6\r\nUser-Agent: gtk-gnutella/1.2.2\r\nX-Ultrapeer: False\r\n\r\n', 'latin1');
// gnutella.pcap frame 454: G2 "GND" datagram carrying a QKR (query key request) packet.
const GND = hex('474e44103eae0101540b514b525006524e415d2fe2350970');
// gnutella.pcap frame 798: Gnutella descriptor (function 0x44) carrying a Mojito DHT FIND_NODE from GTKG.
const MOJITO = hex(`
a745310289213ee47e649bbac302eb3a4400003a0000000547544b470000289d0a8d06deffc8263c33897c2c9179fd84
ab61045d2fe235700901010000289d0a8d06deffc8263c33897c2c9179fd84ab61`);
// ossfuzz_seed_fake_traces_1.pcapng frame 19: ClientHello offering only TLS_DH_anon_WITH_AES_128_CBC_SHA.
const ANON_TLS = hex(`
16030100540100005003014d6c000000000000000000000000000000000000000000000000000000000000204d6c0000
0000000000000000000000000000000000000000000000000000000000020034010000050000000000`);


test('gnutella: the connect handshake and its reply are Gnutella on any port', () => {
  const r = dissect({ serverPort: 53258, dissectors: only }, [
    { payload: CONNECT },
    { dir: 1, payload: 'GNUTELLA/0.6 200 OK\r\nUser-Agent: Shareaza 2.7.10.2\r\n\r\n' },
  ]);
  assert.equal(r.name, 'Gnutella');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('gnutella: G2 GND datagrams and Mojito DHT messages over UDP are Gnutella', () => {
  assert.equal(dissect({ l4: 'udp', serverPort: 6346, dissectors: only }, [{ payload: GND }]).name, 'Gnutella');
  assert.equal(dissect({ l4: 'udp', serverPort: 30577, dissectors: only }, [{ payload: MOJITO }]).name, 'Gnutella');
});

test('gnutella: a TLS ClientHello offering only anonymous DH suites is a Gnutella servent', () => {
  assert.equal(dissect({ serverPort: 10, dissectors: only }, [{ payload: ANON_TLS }]).name, 'Gnutella');
});

test('gnutella: near miss: HTTP downloads, ordinary TLS and a bad GND packet are not Gnutella', () => {
  assert.notEqual(dissect({ serverPort: 46906, dissectors: only }, [{ payload: 'GET /uri-res/N2R?urn:sha1:LXIP2A72T5H3BU3GRUMZFYNU3OYDK6FI HTTP/1.1\r\n\r\n' }]).confidence, 'dpi');
  const tls = Buffer.from(ANON_TLS);
  tls[0x4e] = 0x13; // TLS_AES_128_GCM_SHA256 instead of the anonymous suite
  tls[0x4f] = 0x01;
  assert.notEqual(dissect({ serverPort: 443, dissectors: only }, [{ payload: tls }]).confidence, 'dpi');
  const gnd = Buffer.from(GND);
  gnd[8] = 0x51; // control byte announcing a name with a lower-case letter in it
  gnd[9] = 0x61;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 6346, dissectors: only }, [{ payload: gnd }]).confidence, 'dpi');
  const mojito = Buffer.from(MOJITO);
  mojito[19] ^= 1; // payload length no longer matches the datagram
  assert.notEqual(dissect({ l4: 'udp', serverPort: 6346, dissectors: only }, [{ payload: mojito }]).confidence, 'dpi');
});

test('gnutella: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(CONNECT)) assert.equal(direct(gnutella, 'tcp', [{ payload: b }]), b.length >= 17 ? P.Gnutella : 0);
  for (const b of prefixes(GND)) assert.equal(direct(gnutella, 'udp', [{ payload: b }]), b.length === GND.length ? P.Gnutella : 0, `GND cut at ${b.length}`);
  for (const b of prefixes(MOJITO)) assert.equal(direct(gnutella, 'udp', [{ payload: b }]), b.length === MOJITO.length ? P.Gnutella : 0);
  for (const b of prefixes(ANON_TLS)) assert.equal(direct(gnutella, 'tcp', [{ payload: b }]), b.length === ANON_TLS.length ? P.Gnutella : 0, `TLS cut at ${b.length}`);
});
