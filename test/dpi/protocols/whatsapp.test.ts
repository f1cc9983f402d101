import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as whatsapp } from '../../../src/dpi/protocols/whatsapp';

const only = [whatsapp];
// whatsapp_voice_and_message.pcap frame 124 (first 48 bytes): "WA" prologue, version 1.5, first frame.
const WA = hex('57410105000017f80501a59189fc0f416e64726f69642d322e31322e3834000019f8029cf804f801fc07707269766163');
// wa_voice.pcap frame 15 (first 48 bytes): edge routing header "ED" 0x0001, then "WA" 2.1.
const ED = hex('4544000100000408050802574102010000ee12eb010a206cd25373402b2fee665c43683d24ce6e73a45a59d03467ae03');


test('whatsapp: the WA prologue, with or without the edge routing header, is WhatsApp', () => {
  const r = dissect({ serverPort: 5222, dissectors: only }, [{ payload: WA }]);
  assert.equal(r.name, 'WhatsApp');
  assert.equal(r.confidence, 'dpi');
  assert.equal(dissect({ serverPort: 443, dissectors: only }, [{ payload: ED }]).name, 'WhatsApp');
});

test('whatsapp: near miss: TLS, XMPP and a WA prefix with a large version are not WhatsApp', () => {
  assert.notEqual(dissect({ serverPort: 443, dissectors: only }, [{ payload: hex('16030100b9010000b50303') }]).confidence, 'dpi');
  assert.notEqual(dissect({ serverPort: 5222, dissectors: only }, [{ payload: "<stream:stream to='x'>" }]).confidence, 'dpi');
  assert.notEqual(dissect({ serverPort: 5222, dissectors: only }, [{ payload: 'WAIT a moment\r\n' }]).confidence, 'dpi');
});

test('whatsapp: every truncation of the fixtures is handled without mislabelling', () => {
  for (const b of prefixes(WA)) assert.equal(direct(whatsapp, 'tcp', [{ payload: b }]), b.length >= 7 ? P.WhatsApp : 0);
  for (const b of prefixes(ED)) assert.equal(direct(whatsapp, 'tcp', [{ payload: b }]), b.length >= 18 ? P.WhatsApp : 0);
});
