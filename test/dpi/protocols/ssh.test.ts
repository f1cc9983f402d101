import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { dissect, prefixes } from '../harness';
import { dissector as ssh } from '../../../src/dpi/protocols/ssh';

const only = [ssh];

function kexinit(lists: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([20]), Buffer.alloc(16, 7)];
  for (const l of lists) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(l.length);
    parts.push(len, Buffer.from(l, 'latin1'));
  }
  parts.push(Buffer.from([0, 0, 0, 0, 0]));
  const payload = Buffer.concat(parts);
  const pad = 4;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length + pad + 1);
  head[4] = pad;
  return Buffer.concat([head, payload, Buffer.alloc(pad)]);
}

const LISTS = ['curve25519-sha256', 'ssh-ed25519', 'aes128-ctr,aes256-ctr', 'aes128-ctr', 'hmac-sha2-256', 'hmac-sha2-256', 'none', 'none', '', ''];

test('ssh: banners on a non-standard port are SSH, with both banners and HASSH', () => {
  const r = dissect({ serverPort: 10022, dissectors: only }, [
    { payload: 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n' },
    { dir: 1, payload: 'SSH-2.0-OpenSSH_8.4\r\n' },
    { payload: kexinit(LISTS) },
    { dir: 1, payload: kexinit(LISTS) },
  ]);
  assert.equal(r.name, 'SSH');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.server_name, 'SSH-2.0-OpenSSH_9.2p1 Debian-2');
  assert.equal(r.meta.server_banner, 'SSH-2.0-OpenSSH_8.4');
  const md5 = (s: string): string => createHash('md5').update(s).digest('hex').toUpperCase();
  assert.equal(r.meta.hassh_c, md5('curve25519-sha256;aes128-ctr,aes256-ctr;hmac-sha2-256;none'));
  assert.equal(r.meta.hassh_s, md5('curve25519-sha256;aes128-ctr;hmac-sha2-256;none'));
  assert.ok(r.risks.includes('Known Proto on Non Std Port'));
  assert.deepEqual(r.undeclared, []);
});

test('ssh: a KEXINIT split across segments is reassembled', () => {
  const k = kexinit(LISTS);
  const r = dissect({ serverPort: 22, dissectors: only }, [
    { payload: 'SSH-2.0-client\r\n' },
    { dir: 1, payload: 'SSH-2.0-server\r\n' },
    { payload: k.subarray(0, 20) },
    { payload: k.subarray(20) },
  ]);
  assert.equal(r.name, 'SSH');
  assert.ok(typeof r.meta.hassh_c === 'string' && r.meta.hassh_c.length === 32);
});

test('ssh: a weak cipher raises the obsolete-cipher risk', () => {
  const weak = LISTS.slice();
  weak[2] = 'arcfour128';
  const r = dissect({ serverPort: 22, dissectors: only }, [{ payload: 'SSH-2.0-c\r\n' }, { payload: kexinit(weak) }]);
  assert.ok(r.risks.includes('SSH Obsolete Cli Vers/Cipher'));
});

test('ssh: near miss: HTTP on port 22 is not SSH', () => {
  const r = dissect({ serverPort: 22, dissectors: only }, [{ payload: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' }]);
  assert.notEqual(r.confidence, 'dpi');
});

test('ssh: every truncation of a banner and KEXINIT is handled without throwing', () => {
  const k = kexinit(LISTS);
  for (const b of prefixes(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'))) dissect({ serverPort: 22, dissectors: only }, [{ payload: b }]);
  for (const b of prefixes(k)) dissect({ serverPort: 22, dissectors: only }, [{ payload: 'SSH-2.0-x\r\n' }, { payload: b }]);
});
