import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as http, isIpv4 } from '../../../src/dpi/protocols/http';

const only = [http];

// Request and response heads shaped like ocsp.pcapng's (Firefox), with a reserved host name (RFC 6761)
// so that no host list refines the label.
const REQ = 'GET /gts1o1core HTTP/1.1\r\nHost: files.example.net\r\n' +
  'User-Agent: Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:92.0) Gecko/20100101 Firefox/92.0\r\n' +
  'Accept: */*\r\nConnection: keep-alive\r\n\r\n';
const RESP = 'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nServer: ocsp_responder\r\n' +
  'Content-Length: 5\r\n\r\nhello';

test('http: a request and its response give host, url, method, user agent, status, type and server', () => {
  const r = dissect({ serverPort: 8081, dissectors: only }, [{ payload: REQ }, { dir: 1, payload: RESP }]);
  assert.equal(r.name, 'HTTP');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, 'files.example.net');
  assert.equal(r.meta.url, 'files.example.net/gts1o1core');
  assert.equal(r.meta.http_method, 'GET');
  assert.equal(r.meta.user_agent, 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:92.0) Gecko/20100101 Firefox/92.0');
  assert.equal(r.meta.http_status, 200);
  assert.equal(r.meta.http_content_type, 'text/html');
  assert.equal(r.meta.server_banner, 'ocsp_responder');
  assert.deepEqual(r.undeclared, []);
});

test('http: the host keeps its port out of server_name but in the url, lowercase name', () => {
  const r = dissect({ serverPort: 8080, dissectors: only }, [
    { payload: 'POST /api/x?y=1 HTTP/1.1\r\nHost: WWW.Example.ORG:8080\r\nUser-Agent: curl/8.0\r\n\r\n' },
  ]);
  assert.equal(r.meta.server_name, 'www.example.org');
  assert.equal(r.meta.url, 'WWW.Example.ORG:8080/api/x?y=1');
});

test('http: a request split over segments is reassembled', () => {
  const r = dissect({ serverPort: 80, dissectors: only }, [
    { payload: REQ.slice(0, 7) },
    { payload: REQ.slice(7, 40) },
    { payload: REQ.slice(40) },
  ]);
  assert.equal(r.name, 'HTTP');
  assert.equal(r.meta.server_name, 'files.example.net');
  assert.ok(String(r.meta.user_agent).startsWith('Mozilla/5.0'));
});

test('http: an absolute-form target is HTTP_Proxy with the absolute url', () => {
  const r = dissect({ serverPort: 3128, dissectors: only }, [
    { payload: 'GET http://http.com/ HTTP/1.1\r\nHost: http.com\r\nUser-Agent: x-agent\r\n\r\n' },
  ]);
  assert.equal(r.name, 'HTTP_Proxy');
  assert.equal(r.meta.url, 'http://http.com/');
  assert.equal(r.meta.server_name, 'http.com');
});

test('http: CONNECT is HTTP_Connect with the authority as url', () => {
  const r = dissect({ serverPort: 8080, dissectors: only }, [
    { payload: 'CONNECT apache.org:443 HTTP/1.1\r\nHost: apache.org:443\r\nUser-Agent: Mozilla/5.0\r\n\r\n' },
    { dir: 1, payload: 'HTTP/1.1 200 Connection established\r\n\r\n' },
  ]);
  assert.equal(r.name, 'HTTP_Connect');
  assert.equal(r.meta.url, 'apache.org:443');
  assert.equal(r.meta.server_name, 'apache.org');
});

test('http: payload-recognised sub-protocols (OCSP, IPP, SOAP, JSON-RPC, Gnutella, MpegDash)', () => {
  const cases: [string, string, string][] = [
    ['POST / HTTP/1.1\r\nHost: ocsp.digicert.com\r\nContent-Type: application/ocsp-request\r\n\r\n', '', 'HTTP.OCSP'],
    ['GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\n\r\n', 'HTTP.OCSP'],
    ['POST /ipp/ HTTP/1.1\r\nContent-Type: application/ipp\r\nHost: 10.10.10.251\r\nUser-Agent: CUPS/1.3.4\r\n\r\n', '', 'HTTP.IPP'],
    ['POST /svc HTTP/1.1\r\nSOAPAction: \r\nHost: h\r\n\r\n', '', 'HTTP.SOAP'],
    ['POST /zabbix/jsrpc.php HTTP/1.1\r\nHost: h\r\nContent-type: application/json-rpc\r\n\r\n', '', 'HTTP.JSON-RPC'],
    ['GET /uri-res/N2R?urn:sha1:LXIP2A72T5H3BU3GRUMZFYNU3OYDK6FI HTTP/1.1\r\nUser-Agent: gtk-gnutella/1.2.2\r\nHost: h\r\nX-Queue: 1.1\r\n\r\n', '', 'HTTP.Gnutella'],
    ['GET /videos/mobile/fd5692dd53042b199e03.mp4 HTTP/1.1\r\nHost: cdn.example.io\r\n\r\n', '', 'HTTP.MpegDash'],
  ];
  for (const [req, resp, want] of cases) {
    const pkts = resp === '' ? [{ payload: req }] : [{ payload: req }, { dir: 1 as const, payload: resp }];
    const r = dissect({ serverPort: 80, dissectors: only }, pkts);
    assert.equal(r.name, want, req.slice(0, 30));
  }
});

test('http: the h2c connection preface is HTTP2', () => {
  const r = dissect({ serverPort: 29518, dissectors: only }, [{ payload: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00' }]);
  assert.equal(r.name, 'HTTP2');
});

test('http: a flow caught at the response (and a request from the other side) is HTTP', () => {
  const r = dissect({ serverPort: 1044, dissectors: only }, [
    { payload: 'HTTP/1.1 404 Not Found\r\nServer: nginx/1.10.3\r\nContent-Type: text/html\r\n\r\n<html>' },
    { dir: 1, payload: 'GET /icons/x.png HTTP/1.1\r\nHost: proxy.example.local\r\nUser-Agent: UA/1\r\n\r\n' },
  ]);
  assert.equal(r.name, 'HTTP');
  assert.equal(r.meta.http_status, 404);
  assert.equal(r.meta.server_name, 'proxy.example.local');
  assert.ok(r.risks.includes('Error Code'));
  assert.ok(r.risks.includes('HTTP Obsolete Server'));
});

test('http: risks for a missing user agent, Basic credentials and an executable download', () => {
  const basic = Buffer.from('alice:secret').toString('base64');
  const r = dissect({ serverPort: 80, dissectors: only }, [
    { payload: `GET /f.dll HTTP/1.1\r\nHost: example.net\r\nAuthorization: Basic ${basic}\r\n\r\n` },
    { dir: 1, payload: 'HTTP/1.1 200 OK\r\nContent-Type: application/x-msdownload\r\n\r\nMZ\x90\x00\x03\x00\x00\x00' },
  ]);
  assert.equal(r.meta.username, 'alice');
  assert.ok(r.risks.includes('HTTP Susp User-Agent'));
  assert.ok(r.risks.includes('Clear-Text Credentials'));
  assert.ok(r.risks.includes('Binary App Transfer'));
});

test('http: near misses on port 80 are not HTTP (RTSP, SIP, NATS CONNECT, inline Redis, TLS)', () => {
  const misses = [
    'OPTIONS rtsp://10.0.0.1/live RTSP/1.0\r\nCSeq: 1\r\n\r\n',
    'OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP x\r\n\r\n',
    'CONNECT {"verbose":false,"pedantic":false}\r\n',
    'GET mykey\r\n',
    '\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00',
    'HTTPS is not a status line\r\n',
  ];
  for (const m of misses) {
    const r = dissect({ serverPort: 80, dissectors: only }, [{ payload: m }, { dir: 1, payload: '+OK\r\n' }]);
    assert.notEqual(r.confidence, 'dpi', m);
  }
});

test('http: every truncation of a request and a response is handled; only a complete request line is HTTP', () => {
  const req = 'GET /a HTTP/1.1\r\nHost: files.example.net\r\nUser-Agent: UA/1\r\n\r\n';
  const resp = 'HTTP/1.1 200 OK\r\nServer: s\r\n\r\n';
  const lineLen = req.indexOf('\r\n') + 1;
  for (const b of prefixes(Buffer.from(req))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 5000, dissectors: only }, [{ payload: b }]);
    if (b.length > lineLen) assert.equal(r.name, 'HTTP');
    else assert.notEqual(r.confidence, 'dpi');
  }
  for (const b of prefixes(Buffer.from(resp))) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 5000, dissectors: only }, [{ payload: req }, { dir: 1, payload: b }]);
    assert.equal(r.name, 'HTTP');
  }
});

test('http: isIpv4 takes four groups of one to three digits', () => {
  for (const s of ['1.2.3.4', '10.0.0.255', '999.999.999.999', '001.2.3.4']) assert.equal(isIpv4(s), true, s);
  for (const s of ['', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '1.2.3.4444', '1.2.3.a', 'a.b.c.d', '1.2.3.4:80']) {
    assert.equal(isIpv4(s), false, s);
  }
});

test('http: bot report headers (any case) and an IPv4 Host that is not the server are HTTP Susp Header', () => {
  const req = (headers: string): string => `GET / HTTP/1.1\r\n${headers}User-Agent: UA/1.0\r\n\r\n`;
  const risky = (headers: string, server = '10.0.0.2'): boolean =>
    dissect({ serverPort: 80, server, dissectors: only }, [{ payload: req(headers) }]).risks.includes('HTTP Susp Header');
  assert.equal(risky('Host: example.net\r\n'), false);
  assert.equal(risky('Host: example.net\r\nOS: Windows 10\r\n'), true);
  assert.equal(risky('Host: example.net\r\nTLS_Version: 1.2\r\n'), true);
  assert.equal(risky('Host: example.net\r\nS: 1\r\n'), true);
  assert.equal(risky('Host: example.net\r\nOSes: 1\r\nAccept: */*\r\nX-Hire: me\r\n'), false);
  assert.equal(risky('Host: 10.0.0.2\r\n'), false);
  assert.equal(risky('Host: 10.0.0.2:8080\r\n'), false);
  assert.equal(risky('Host: 10.0.0.3\r\n'), true);
});

test('http: sub-protocols recognised from the URL and the User-Agent (WindowsUpdate, Ookla, Xiaomi)', () => {
  const cases: [string, string][] = [
    ['GET /filestreamingservice/files/x?P1=1 HTTP/1.1\r\nHost: 10.0.0.2\r\n' +
      'User-Agent: Microsoft-Delivery-Optimization/10.0\r\nReferer: http://download.windowsupdate.com/x\r\n\r\n', 'HTTP'],
    ['GET /download.windowsupdate.com/c/x.cab HTTP/1.1\r\nHost: 10.0.0.2\r\n' +
      'User-Agent: Microsoft-Delivery-Optimization/10.0\r\n\r\n', 'HTTP.WindowsUpdate'],
    ['GET /download.windowsupdate.com/c/x.cab HTTP/1.1\r\nHost: cache.example.net\r\n' +
      'User-Agent: Microsoft-Delivery-Optimization/10.0\r\n\r\n', 'HTTP'],
    ['GET /upload?n=0.5 HTTP/1.1\r\nHost: speed.example.net:8080\r\nUser-Agent: UA/1.0\r\n\r\n', 'HTTP.Ookla'],
    ['GET /upload?n=0.5 HTTP/1.1\r\nHost: speed.example.net:8081\r\nUser-Agent: UA/1.0\r\n\r\n', 'HTTP'],
    ['GET / HTTP/1.1\r\nHost: h.example.net\r\nReferer: http://www.speedtest.net/\r\nUser-Agent: UA/1.0\r\n\r\n', 'HTTP.Ookla'],
    ['GET /x HTTP/1.1\r\nHost: api.micloud.xiaomi.net\r\nUser-Agent: UA/1.0\r\n\r\n', 'HTTP.Xiaomi'],
    ['GET /seg-1.m4s HTTP/1.1\r\nHost: cdn.example.io\r\nUser-Agent: UA/1.0\r\n\r\n', 'HTTP.MpegDash'],
    ['GET /seg-1.m4s HTTP/1.0\r\nHost: cdn.example.io\r\nUser-Agent: UA/1.0\r\n\r\n', 'HTTP'],
    ['GET /seg-1 HTTP/1.0\r\nHost: cdn.example.io\r\nDASH-Version: 1\r\nUser-Agent: UA/1.0\r\n\r\n', 'HTTP.MpegDash'],
    ['RPC_IN_DATA /rpc/rpcproxy.dll HTTP/1.1\r\nHost: mail.example.net\r\nUser-Agent: MSRPC\r\n\r\n', 'HTTP.MS-RPCH'],
  ];
  for (const [req, want] of cases) {
    const r = dissect({ serverPort: 80, server: '10.0.0.2', dissectors: only }, [{ payload: req }]);
    assert.equal(r.name, want, req.slice(0, 50));
  }
});

test('http: User-Agent risks (bots, Log4J-like lookups, odd shapes) and none for a browser', () => {
  const risks = (ua: string): string[] =>
    dissect({ serverPort: 80, dissectors: only }, [
      { payload: `GET / HTTP/1.1\r\nHost: example.net\r\nUser-Agent: ${ua}\r\n\r\n` },
      { dir: 1, payload: 'HTTP/1.1 204 No Content\r\n\r\n' },
    ]).risks;
  assert.deepEqual(risks('Mozilla/5.0 (X11; Linux x86_64; rv:92.0) Gecko/20100101 Firefox/92.0'), []);
  assert.ok(risks('Googlebot/2.1 (+http://www.google.com/bot.html)').includes('Crawler/Bot'));
  assert.ok(risks('SomeCRAWLER 1.0').includes('Crawler/Bot'));
  assert.ok(risks('${jndi:ldap://x}').includes('HTTP Susp User-Agent'));
  assert.ok(risks('jndi:ldap://evil/a').includes('Possible Exploit Attempt'));
  assert.ok(risks('ABCDEFGHijklmnop').includes('HTTP Susp User-Agent'));
  assert.deepEqual(risks('abcdefghijklmnop'), []);
  assert.ok(risks('agent-v1 file://x').includes('HTTP Susp User-Agent'));
  assert.ok(!risks('agent-v1 ftp://x').includes('HTTP Susp User-Agent'));
  assert.ok(risks('abc').includes('HTTP Susp User-Agent'));
});
