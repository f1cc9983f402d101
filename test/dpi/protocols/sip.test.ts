import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as sip } from '../../../src/dpi/protocols/sip';

const only = [sip];
// Shaped like sip.pcap's REGISTER (cybercity.dk), trimmed.
const REGISTER = 'REGISTER sip:sip.cybercity.dk SIP/2.0\r\n' +
  'Via: SIP/2.0/UDP 192.168.1.2;branch=z9hG4bKnp151248737-46ea715e192.168.1.2;rport\r\n' +
  'From: <sip:voi18063@sip.cybercity.dk>;tag=903df0a\r\nTo: <sip:voi18063@sip.cybercity.dk>\r\n' +
  'Call-ID: 578222729-4665d775@578222732-4665d772\r\nCSeq: 68 REGISTER\r\nUser-Agent: Nero SIPPS IP Phone Version 2.0.51.16\r\n' +
  'Content-Length: 0\r\n\r\n';

test('sip: a REGISTER over UDP is SIP with user agent, From and To', () => {
  const r = dissect({ l4: 'udp', serverPort: 15060, dissectors: only }, [
    { payload: REGISTER },
    { dir: 1, payload: 'SIP/2.0 401 Unauthorized\r\nCSeq: 68 REGISTER\r\n\r\n' },
  ]);
  assert.equal(r.name, 'SIP');
  assert.equal(r.meta.user_agent, 'Nero SIPPS IP Phone Version 2.0.51.16');
  assert.equal(r.meta.sip_from, 'sip:voi18063@sip.cybercity.dk');
  assert.equal(r.meta.sip_to, 'sip:voi18063@sip.cybercity.dk');
  assert.deepEqual(r.undeclared, []);
});

test('sip: over TCP with compact headers, and after UDP keep-alives', () => {
  let r = dissect({ serverPort: 5060, dissectors: only }, [
    { payload: 'INVITE sip:bob@example.com SIP/2.0\r\nf: "A" <sip:alice@example.com>;tag=1\r\nt: sip:bob@example.com\r\n\r\n' },
  ]);
  assert.equal(r.name, 'SIP');
  assert.equal(r.meta.sip_from, 'sip:alice@example.com');
  assert.equal(r.meta.sip_to, 'sip:bob@example.com');
  r = dissect({ l4: 'udp', serverPort: 5060, dissectors: only }, [{ payload: '\r\n\r\n' }, { payload: '\r\n\r\n' }, { payload: REGISTER }]);
  assert.equal(r.name, 'SIP');
});

test('sip: near misses: HTTP OPTIONS and RTSP OPTIONS are not SIP', () => {
  for (const m of ['OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n', 'OPTIONS rtsp://cam/ RTSP/1.0\r\n\r\n']) {
    assert.notEqual(dissect({ l4: 'udp', serverPort: 5060, dissectors: only }, [{ payload: m }]).confidence, 'dpi', m);
  }
});

test('sip: every truncation of a request is handled', () => {
  const req = 'OPTIONS sip:a@b.example SIP/2.0\r\nUser-Agent: x\r\n\r\n';
  const lineLen = req.indexOf('\n') + 1;
  for (const b of prefixes(Buffer.from(req))) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 5060, dissectors: only }, [{ payload: b }]);
    if (b.length >= lineLen) assert.equal(r.name, 'SIP');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
