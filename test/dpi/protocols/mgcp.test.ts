import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as mgcp } from '../../../src/dpi/protocols/mgcp';

const only = [mgcp];
// mgcp.pcap frame 15: "RSIP 262662134 *@vg224 MGCP 0.1" restart in progress.
const RSIP = hex('5253495020323632363632313334202a407667323234204d47435020302e310a524d3a20677261636566756c0a52443a20300a');


test('mgcp: a command line is MGCP and its endpoint domain the server name', () => {
  const r = dissect({ l4: 'udp', serverPort: 2427, dissectors: only }, [{ payload: RSIP }, { dir: 1, payload: '200 262662134 \n' }]);
  assert.equal(r.name, 'MGCP');
  assert.equal(r.meta.server_name, 'vg224');
  assert.deepEqual(r.undeclared, []);
  const rqnt = 'RQNT 1 *@gateway44.myplace.com MGCP 1.0\r\nR: l/hd(n)\r\nX: 2\r\n\r\n';
  assert.equal(dissect({ l4: 'udp', serverPort: 2427, dissectors: only }, [{ payload: rqnt }]).meta.server_name, 'gateway44.myplace.com');
});

test('mgcp: near miss: SIP and a verb without the MGCP version are not MGCP', () => {
  assert.notEqual(dissect({ l4: 'udp', serverPort: 2427, dissectors: only }, [{ payload: 'INVITE sip:a@b SIP/2.0\r\n\r\n' }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 2427, dissectors: only }, [{ payload: 'CRCX 12 endpoint SIP 2.0\r\n' }]).confidence, 'dpi');
});

test('mgcp: every truncation of the fixture is handled without mislabelling', () => {
  for (const b of prefixes(RSIP)) assert.equal(direct(mgcp, 'udp', [{ payload: b }]), b.length >= RSIP.indexOf(' MGCP ') + 6 ? P.MGCP : 0, `cut at ${b.length}`);
});
