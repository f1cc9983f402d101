import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, prefixes } from '../harness';
import { dissector as wsd } from '../../../src/dpi/protocols/wsd';

const only = [wsd];

// A WS-Discovery (2005/04) Probe as Windows sends it (shortened from upnp.pcap frame 1).
const PROBE = '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" ' +
  'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery">' +
  '<soap:Header><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>' +
  '<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action></soap:Header>' +
  '<soap:Body><wsd:Probe/></soap:Body></soap:Envelope>';

test('wsd: a SOAP-over-UDP probe naming the discovery namespace is WSD', () => {
  const r = dissect({ l4: 'udp', clientPort: 58931, serverPort: 3702, server: '239.255.255.250', dissectors: only }, [{ payload: PROBE }]);
  assert.equal(r.name, 'WSD');
  assert.equal(r.confidence, 'dpi');
  assert.deepEqual(r.undeclared, []);
});

test('wsd: the OASIS 1.1 namespace after a BOM is recognised', () => {
  const p = '\ufeff<s:Envelope xmlns:d="http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01"><s:Body><d:Hello/></s:Body></s:Envelope>';
  assert.equal(dissect({ l4: 'udp', serverPort: 3702, dissectors: only }, [{ payload: Buffer.from(p, 'utf8') }]).name, 'WSD');
});

test('wsd: near misses: other SOAP, an SSDP search, JSON on 3702', () => {
  const soap = '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>';
  for (const p of [soap, 'M-SEARCH * HTTP/1.1\r\n\r\n', '{"a":1}']) {
    assert.notEqual(dissect({ l4: 'udp', serverPort: 3702, dissectors: only }, [{ payload: p }]).confidence, 'dpi');
  }
});

test('wsd: every truncation of a short probe is handled', () => {
  const probe = '<e:Envelope xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><e:Body><d:Probe/></e:Body></e:Envelope>';
  const ns = probe.indexOf('/discovery"') + '/discovery'.length;
  for (const b of prefixes(Buffer.from(probe))) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', serverPort: 3702, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length >= ns);
  }
});
