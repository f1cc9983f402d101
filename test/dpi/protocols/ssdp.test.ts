import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as ssdp } from '../../../src/dpi/protocols/ssdp';

const only = [ssdp];

// anyconnect-vpn.pcap frame 412: M-SEARCH from Chrome for DIAL devices.
const SEARCH = hex(`4d2d534541524348202a20485454502f312e310d0a484f53543a203233392e3235352e3235352e3235303a313930300d0a4d414e3a2022737364703a646973636f766572220d0a
4d583a20310d0a53543a2075726e3a6469616c2d6d756c746973637265656e2d6f72673a736572766963653a6469616c3a310d0a555345522d4147454e543a20476f6f676c65204368726f6d652f37372e302e333836352e3930204d6163204f5320580d0a0d0a`);

test('ssdp: an M-SEARCH gives the HOST and USER-AGENT', () => {
  const r = dissect({ l4: 'udp', clientPort: 57547, serverPort: 1900, server: '239.255.255.250', dissectors: only }, [{ payload: SEARCH }]);
  assert.equal(r.name, 'SSDP');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, '239.255.255.250:1900');
  assert.equal(r.meta.user_agent, 'Google Chrome/77.0.3865.90 Mac OS X');
  assert.deepEqual(r.undeclared, []);
});

test('ssdp: a unicast 200 OK answer is SSDP with the SERVER banner', () => {
  const ok = 'HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\nServer: Roku UPnP/1.0 Roku/9.1.0\r\nLOCATION: http://10.0.0.151:8060/dial/dd.xml\r\n\r\n';
  const r = dissect({ l4: 'udp', clientPort: 1900, serverPort: 57547, dissectors: only }, [{ payload: ok }]);
  assert.equal(r.name, 'SSDP');
  assert.equal(r.meta.server_banner, 'Roku UPnP/1.0 Roku/9.1.0');
});

test('ssdp: near misses: an HTTP GET over UDP, a SIP request, M-SEARCH with another target', () => {
  for (const p of ['GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'OPTIONS sip:a@b SIP/2.0\r\n\r\n', 'M-SEARCH /x HTTP/1.1\r\n\r\n']) {
    assert.notEqual(dissect({ l4: 'udp', serverPort: 1900, dissectors: only }, [{ payload: p }]).confidence, 'dpi');
  }
});

test('ssdp: every truncation of the M-SEARCH is handled', () => {
  for (const b of prefixes(SEARCH)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 1900, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'SSDP');
    if (b.length < 19) assert.notEqual(r.confidence, 'dpi');
  }
});
