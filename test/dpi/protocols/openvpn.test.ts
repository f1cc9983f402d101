import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as openvpn } from '../../../src/dpi/protocols/openvpn';

const only = [openvpn];
// openvpn_nohmac.pcapng: P_CONTROL_HARD_RESET_CLIENT_V2 without HMAC, and the server's reset acking the client session.
const CLIENT_RESET = hex('3839fded2daa10a4370000000000');
const SERVER_RESET = hex('409421917de7267729010000000039fded2daa10a43700000000');
// openvpn.pcap frames 25/27/29: the same over TCP (2-byte length), then the client's P_ACK_V1.
const TCP_CLIENT = hex('000e38507a28a78275788d0000000000');
const TCP_SERVER = hex('001a409ad747beb24d8a1b0100000000507a28a78275788d00000000');
const TCP_ACK = hex('001628507a28a78275788d01000000009ad747beb24d8a1b');


test('openvpn: a client hard reset acked by the server reset is OpenVPN (UDP and TCP)', () => {
  const r = dissect({ l4: 'udp', serverPort: 1194, dissectors: only }, [{ payload: CLIENT_RESET }, { dir: 1, payload: SERVER_RESET }]);
  assert.equal(r.name, 'OpenVPN');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ serverPort: 443, dissectors: only }, [{ payload: TCP_CLIENT }, { dir: 1, payload: TCP_SERVER }]).name, 'OpenVPN');
});

test('openvpn: with tls-crypt, the same session id in the next control/ack packet is enough', () => {
  const reset = Buffer.concat([hex('388fdd2b9e41d8abea'), Buffer.alloc(77, 0x5c)]);
  const ctl = Buffer.concat([hex('208fdd2b9e41d8abea'), Buffer.alloc(360, 0x3a)]);
  const r = dissect({ l4: 'udp', serverPort: 1234, dissectors: only }, [{ payload: reset }, { dir: 1, payload: Buffer.concat([hex('40fba7e7e6a5fd1277'), Buffer.alloc(89, 1)]) }, { payload: ctl }]);
  assert.equal(r.name, 'OpenVPN');
});

test('openvpn: near miss: the server acking another session, a first packet that is not a reset', () => {
  const other = Buffer.from(SERVER_RESET);
  other[20] ^= 0xff;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 1194, dissectors: only }, [{ payload: CLIENT_RESET }, { dir: 1, payload: other }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 1194, dissectors: only }, [{ payload: TCP_ACK.subarray(2) }, { payload: TCP_ACK.subarray(2) }]).confidence, 'dpi');
  const quic = Buffer.alloc(1200, 0);
  quic[0] = 0xc0;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 443, dissectors: only }, [{ payload: quic }, { dir: 1, payload: quic }]).confidence, 'dpi');
});

test('openvpn: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(SERVER_RESET)) assert.equal(direct(openvpn, 'udp', [{ payload: CLIENT_RESET }, { dir: 1, payload: b }], 1194), b.length === SERVER_RESET.length ? P.OpenVPN : 0);
  for (const b of prefixes(TCP_ACK)) assert.equal(direct(openvpn, 'tcp', [{ payload: TCP_CLIENT }, { payload: b }], 1194), b.length === TCP_ACK.length ? P.OpenVPN : 0);
});
