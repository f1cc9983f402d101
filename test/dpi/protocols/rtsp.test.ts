import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as rtsp } from '../../../src/dpi/protocols/rtsp';

const only = [rtsp];
// rtsp_setup_http.pcapng: VLC's SETUP.
const SETUP = 'SETUP rtsp://172.28.4.26:8554/trackID=88 RTSP/1.0\r\nCSeq: 4\r\n' +
  'User-Agent: LibVLC/3.0.16 (LIVE555 Streaming Media v2016.11.28)\r\nTransport: RTP/AVP;unicast;client_port=50220-50221\r\n\r\n';

test('rtsp: a SETUP request on port 8554 is RTSP with the user agent; the reply gives the server', () => {
  const r = dissect({ serverPort: 8554, dissectors: only }, [
    { payload: SETUP },
    { dir: 1, payload: 'RTSP/1.0 200 OK\r\nCSeq: 4\r\nServer: GStreamer RTSP server\r\n\r\n' },
  ]);
  assert.equal(r.name, 'RTSP');
  assert.equal(r.meta.user_agent, 'LibVLC/3.0.16 (LIVE555 Streaming Media v2016.11.28)');
  assert.equal(r.meta.server_banner, 'GStreamer RTSP server');
  assert.deepEqual(r.undeclared, []);
});

test('rtsp: near misses: HTTP OPTIONS and SIP OPTIONS are not RTSP', () => {
  for (const m of ['OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', 'OPTIONS sip:a@b SIP/2.0\r\n\r\n']) {
    assert.notEqual(dissect({ serverPort: 554, dissectors: only }, [{ payload: m }]).confidence, 'dpi', m);
  }
});

test('rtsp: every truncation of a request is handled; only the complete request line is RTSP', () => {
  const req = 'OPTIONS rtsp://cam/ RTSP/1.0\r\nCSeq: 1\r\n\r\n';
  const lineLen = req.indexOf('\r\n') + 1;
  for (const b of prefixes(Buffer.from(req))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 554, dissectors: only }, [{ payload: b }]);
    if (b.length > lineLen) assert.equal(r.name, 'RTSP');
    else assert.notEqual(r.confidence, 'dpi');
  }
});
