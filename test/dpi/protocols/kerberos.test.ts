import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as kerberos } from '../../../src/dpi/protocols/kerberos';

const only = [kerberos];

// kerberos-error.pcap frames 1 and 2: AS-REQ for host/mus-n-cj0709@LINUX.SHELL.COM and the KRB-ERROR answer.
const AS_REQ = hex(`6a82011b30820117a103020105a20302010aa35830563048a103020102a241043f303da003020117a2360434b60e0b505f98104206f62503b8e0e7c82d842e6f
01e5c7f0e1540d1ea4c7e89181e69691e0c41d775649bd7fa5ac4b1874a91915300aa10402020095a2020400a481b03081ada00703050000810000a11f301da003020101a116
30141b04686f73741b0c6d75732d6e2d636a30373039a2111b0f4c494e55582e5348454c4c2e434f4da3243022a003020102a11b30191b066b72627467741b0f4c494e55582e
5348454c4c2e434f4da511180f32303232303232333037343630335aa611180f32303232303330343037343630335aa706020447a1fa99a81a30180201170201120201110201
1402011302011002011902011a`);
const ERROR = hex(`7e643062a003020105a10302011ea411180f32303232303232323037343630345aa50502030ec26da603020134a9111b0f4c494e55582e5348454c4c2e434f4d
aa243022a003020102a11b30191b066b72627467741b0f4c494e55582e5348454c4c2e434f4d`);

test('kerberos: an AS-REQ and its error are Kerberos with realm and client principal', () => {
  const r = dissect({ l4: 'udp', clientPort: 34473, serverPort: 88, dissectors: only }, [{ payload: AS_REQ }, { dir: 1, payload: ERROR }]);
  assert.equal(r.name, 'Kerberos');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.kerberos_realm, 'LINUX.SHELL.COM');
  assert.equal(r.meta.username, 'host/mus-n-cj0709');
  assert.deepEqual(r.undeclared, []);
});

test('kerberos: over TCP after the 4-byte record length, on another port', () => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(AS_REQ.length);
  assert.equal(dissect({ serverPort: 8888, dissectors: only }, [{ payload: Buffer.concat([len, AS_REQ]) }]).name, 'Kerberos');
});

test('kerberos: near misses: LDAP, a wrong pvno, a msg-type not matching the tag', () => {
  const ldap = hex('300c020101600702010304008000');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 88, dissectors: only }, [{ payload: ldap }]).confidence, 'dpi');
  const pvno = Buffer.from(AS_REQ);
  pvno[12] = 4;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 88, dissectors: only }, [{ payload: pvno }]).confidence, 'dpi');
  const type = Buffer.from(AS_REQ);
  type[17] = 12;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 88, dissectors: only }, [{ payload: type }]).confidence, 'dpi');
});

test('kerberos: every truncation of the error is handled', () => {
  for (const b of prefixes(ERROR)) {
    if (b.length === 0) continue;
    const r = dissect({ l4: 'udp', clientPort: 88, serverPort: 34473, dissectors: only }, [{ payload: b }]);
    assert.equal(r.confidence === 'dpi', b.length === ERROR.length, `length ${b.length}`);
  }
});
