import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { dissector as stun, resetStunCache } from '../../../src/dpi/protocols/stun';
import { P } from '../../../src/dpi/generated/protocols';

const only = [stun];
beforeEach(() => resetStunCache());

// whatsapp_voice_and_message.pcap frames 54/55: TURN Allocate with WhatsApp's attribute 0x4000, and its answer (0x4002).
const WA_ALLOCATE = hex(`
0003006a2112a4420000e94a49675258ebbb5357400000660100b2f3a431734fd3adf65555afde4c4643a213e87912e8
459735685561ac67357fc456daf3234f93fcac0b22c19fa9f4d9685c8b484f4c4f06ca62c415a187cdeb3a8ebbdc5a97
7ca86c9aa09b81c632b045f14b51b40509664cd6b0dc4cca87bc0545adcd`);
const WA_ALLOCATE_OK = hex('010300182112a4420000e94a49675258ebbb53570020000800018eb09eb0cf1e400200080000014d9ac2df10');
// skype-conference-call.pcap frame 1: ICE binding request with MS-ICE2 attributes 0x8054 and 0x8070.
const TEAMS_BINDING = hex(`
000100542112a442c55a4fdfde0c325e304c60c700060009677070653a7a57796b000000002400046efffeff802a0008
0000000000bf43178054000131000000807000040000000300080014c3926666385c09a134e40a0c6c2ef3061a8b62ab
802800041fb59b6b`);
// zoom_p2p.pcapng frame 9: classic (RFC 3489) binding request with Zoom's attribute 0x0101.
const ZOOM_BINDING = hex('00010018d44eac6b834928370c97e44216fab506010100143132333435363738393031323334353637383900');
// stun_signal.pcapng frame 14: Allocate error response with REALM "signal.org".
const SIGNAL_REALM = hex(`
011300482112a442374359424e654c68457372650009001000000401556e617574686f72697a65640015001063386637
3363393736623032623963380014000a7369676e616c2e6f72670000802200044e6f6e658028000479938cf7`);
// stun_classic.pcap frames 1/2: classic binding request/response, then media.
const CLASSIC_REQ = hex('000100089429ef88294dd52632c72931cb8dbb4c0003000400000000');
const CLASSIC_RESP = hex('0101000c9429ef88294dd52632c72931cb8dbb4c000100080001d70aac103fe0');
// stun_dtls_rtp.pcapng frames 1/3: Google Meet ICE binding request, then the DTLS ClientHello.
const GOOGLE_BINDING = hex(`
000100602112a4426f3653685355524a684e466b0006001f65613357745f396141536f6f65676f4b4141694b41694144
45413a386a623600c05700040003000a802a0008c798f641adc04a9f002400046e7f1eff0008001455cc08ee9d10e633
cd893835c973c3b7e7ffeb9d802800044c9a4a83`);
const DTLS_HELLO = hex(`
16feff00000000000000000090010000840000000000000084fefd4bf46b94af3b20dcb7ca52337eef1b8b3b149996c9
b35800d1e92a7fa8ab407d00000016c02bc02fcca9cca8c009c013c00ac014009c002f00350100004400170000ff0100
0100000a00080006001d00170018000b0002010000230000000d00140012040308040401050308050501080606010201
000e0009000600010008000700`);

function rtpPacket(seq: number, pt = 120): Buffer {
  const b = Buffer.alloc(60, 0x3c);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(0x54592824, 8);
  return b;
}


test('stun: a TURN allocation with WhatsApp attributes is STUN.WhatsAppCall', () => {
  const r = dissect({ l4: 'udp', serverPort: 3478, dissectors: only }, [{ payload: WA_ALLOCATE }, { dir: 1, payload: WA_ALLOCATE_OK }]);
  assert.equal(r.name, 'STUN.WhatsAppCall');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('stun: RTP after the WhatsApp call set-up turns the flow into SRTP.WhatsAppCall', () => {
  const r = dissect({ l4: 'udp', serverPort: 3478, dissectors: only }, [
    { payload: WA_ALLOCATE }, { dir: 1, payload: WA_ALLOCATE_OK }, { payload: rtpPacket(1) },
  ]);
  assert.equal(r.name, 'SRTP.WhatsAppCall');
});

test('stun: Microsoft ICE attributes give STUN.Skype_TeamsCall, Zoom\'s classic attribute STUN.Zoom', () => {
  assert.equal(dissect({ l4: 'udp', serverPort: 60642, dissectors: only }, [{ payload: TEAMS_BINDING }]).name, 'STUN.Skype_TeamsCall');
  assert.equal(dissect({ l4: 'udp', serverPort: 3478, dissectors: only }, [{ payload: ZOOM_BINDING }]).name, 'STUN.Zoom');
});

test('stun: the REALM names the application and is the server name', () => {
  const r = dissect({ l4: 'udp', serverPort: 3478, dissectors: only }, [{ payload: CLASSIC_REQ }, { dir: 1, payload: SIGNAL_REALM }]);
  assert.equal(r.name, 'STUN.SignalVoip');
  assert.equal(r.meta.server_name, 'signal.org');
});

test('stun: classic STUN followed by RTP is STUN.RTP', () => {
  const r = dissect({ l4: 'udp', serverPort: 13958, dissectors: only }, [
    { payload: CLASSIC_REQ }, { dir: 1, payload: CLASSIC_RESP }, { dir: 1, payload: rtpPacket(0xae15, 0x12) },
  ]);
  assert.equal(r.name, 'STUN.RTP');
});

test('stun: Google\'s call relays give STUN.GoogleCall, and DTLS after it DTLS.GoogleCall', () => {
  const spec = { l4: 'udp' as const, serverPort: 19305, server: '142.250.82.76', dissectors: only };
  assert.equal(dissect(spec, [{ payload: GOOGLE_BINDING }]).name, 'STUN.GoogleCall');
  assert.equal(dissect(spec, [{ payload: GOOGLE_BINDING }, { payload: DTLS_HELLO }]).name, 'DTLS.GoogleCall');
  resetStunCache();
  assert.equal(dissect({ ...spec, server: '142.250.83.76' }, [{ payload: GOOGLE_BINDING }]).name, 'STUN');
});

test('stun: another flow from a socket already seen in a WhatsApp call is labelled from the endpoint cache', () => {
  const a = dissect({ l4: 'udp', clientPort: 51518, serverPort: 3478, server: '31.13.93.48', dissectors: only }, [{ payload: WA_ALLOCATE }]);
  assert.equal(a.name, 'STUN.WhatsAppCall');
  const binding = hex('000100002112a44236c4db491bdb2e7bcb083341');
  const b = dissect({ l4: 'udp', clientPort: 51518, serverPort: 60312, server: '1.194.90.191', dissectors: only }, [{ payload: binding }]);
  assert.equal(b.name, 'STUN.WhatsAppCall');
  resetStunCache();
  assert.equal(dissect({ l4: 'udp', clientPort: 51518, serverPort: 60312, server: '1.194.90.191', dissectors: only }, [{ payload: binding }]).name, 'STUN');
});

test('stun: over TCP a cookie is required, RFC 4571 framing is accepted', () => {
  const framed = Buffer.concat([Buffer.from([0, GOOGLE_BINDING.length >> 8, GOOGLE_BINDING.length & 0xff]).subarray(1), GOOGLE_BINDING]);
  assert.equal(dissect({ serverPort: 3478, dissectors: only }, [{ payload: framed }]).name, 'STUN');
  assert.notEqual(dissect({ serverPort: 3478, dissectors: only }, [{ payload: CLASSIC_REQ }]).confidence, 'dpi');
});

test('stun: near miss: DTLS, QUIC and RTP datagrams, a wrong length, a bad classic attribute list, multicast', () => {
  const udp = (payload: Buffer, server?: string): string => dissect({ l4: 'udp', serverPort: 3478, server, dissectors: only }, [{ payload }]).confidence;
  assert.notEqual(udp(DTLS_HELLO), 'dpi');
  const quic = Buffer.alloc(1200, 0);
  quic[0] = 0xc0;
  quic.writeUInt32BE(1, 1);
  assert.notEqual(udp(quic), 'dpi');
  assert.notEqual(udp(rtpPacket(5)), 'dpi');
  const long = Buffer.concat([TEAMS_BINDING, Buffer.alloc(4)]);
  assert.notEqual(udp(long), 'dpi');
  const badAttrs = Buffer.from(CLASSIC_REQ);
  badAttrs[23] = 8; // attribute longer than the message
  assert.notEqual(udp(badAttrs), 'dpi');
  assert.notEqual(udp(GOOGLE_BINDING, '239.1.2.3'), 'dpi');
});

test('stun: every truncation of the fixtures is handled without mislabelling', () => {
  // Each loop uses one endpoint pair: the cache is emptied between them (and per DTLS cut).
  for (const b of prefixes(WA_ALLOCATE)) assert.equal(direct(stun, 'udp', [{ payload: b }], 3478), b.length === WA_ALLOCATE.length ? P.WhatsAppCall : 0);
  resetStunCache();
  for (const b of prefixes(TEAMS_BINDING)) assert.equal(direct(stun, 'udp', [{ payload: b }], 3478), b.length === TEAMS_BINDING.length ? P.Skype_TeamsCall : 0);
  resetStunCache();
  for (const b of prefixes(SIGNAL_REALM)) assert.equal(direct(stun, 'udp', [{ payload: b }], 3478), b.length === SIGNAL_REALM.length ? P.SignalVoip : 0);
  for (const b of prefixes(DTLS_HELLO)) {
    resetStunCache();
    const app = direct(stun, 'udp', [{ payload: CLASSIC_REQ }, { payload: b }], 3478);
    assert.ok(app === P.STUN || app === P.DTLS, `DTLS cut at ${b.length}: ${app}`);
  }
});
