import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes } from '../harness';
import { dissector as smb } from '../../../src/dpi/protocols/smb';

const only = [smb];

// smbv1.pcap frames 1-3: SMB1 negotiate request and response, then a session setup.
const NEG_REQ = hex(`00000085ff534d4272000000001853c00000000000000000000000000000fffe00004000006200025043204e4554574f524b2050524f4752414d20312e3000024c414e4d414e312e30000257696e646f777320666f7220576f726b67726f75707320332e316100024c4d312e325830303200024c414e4d414e322e3100024e54204c4d20302e313200`);
const NEG_RSP = hex(`00000071ff534d4272000000009853c00000000000000000000000000000fffe000040001105000332000100041100000000010000000000fce3010040f49cd344b5d201f000082c0008ab1c2fe1ece6a957004f0052004b00470052004f005500500000004a004f0048004e002d00500043000000`);
const SETUP = hex(`00000088ff534d4273000000001807c00000000000000000000000000000fffe000040000dff00880004110a000000000000000100000000000000d40000004b000000000000570069006e0064006f007700730020003200300030003000200032003100390035000000570069006e0064006f007700730020003200300030003000200035002e0030000000`);

/** An SMB2 header (64 bytes) for a command, with the server-to-client flag when reply, then a body. */
function smb2(command: number, reply: boolean, body: Buffer): Buffer {
  const h = Buffer.alloc(64);
  h.write('\xfeSMB', 0, 'latin1');
  h.writeUInt16LE(64, 4);
  h.writeUInt16LE(command, 12);
  h.writeUInt32LE(reply ? 1 : 0, 16);
  const m = Buffer.concat([h, body]);
  const nb = Buffer.alloc(4);
  nb.writeUInt32BE(m.length);
  return Buffer.concat([nb, m]);
}

function negotiateResponse(dialect: number): Buffer {
  const b = Buffer.alloc(65);
  b.writeUInt16LE(65, 0);
  b.writeUInt16LE(dialect, 4);
  return smb2(0, true, b);
}

test('smb: SMB1 after its negotiate is NetBIOS.SMBv1 with the insecure-version risk', () => {
  const r = dissect({ serverPort: 445, dissectors: only }, [{ payload: NEG_REQ }, { dir: 1, payload: NEG_RSP }, { payload: SETUP }]);
  assert.equal(r.name, 'NetBIOS.SMBv1');
  assert.equal(r.meta.smb_version, 'SMBv1');
  assert.ok(r.risks.includes('SMB Insecure Vers'));
  assert.ok(r.risks.includes('Unsafe Protocol'));
  assert.deepEqual(r.undeclared, []);
});

test('smb: an SMB1 negotiate answered in SMB2 is NetBIOS.SMBv23, version from the dialect', () => {
  const r3 = dissect({ serverPort: 445, dissectors: only }, [{ payload: NEG_REQ }, { dir: 1, payload: negotiateResponse(0x0311) }]);
  assert.equal(r3.name, 'NetBIOS.SMBv23');
  assert.equal(r3.meta.smb_version, 'SMBv3');
  assert.ok(!r3.risks.includes('SMB Insecure Vers'));
  const r2 = dissect({ serverPort: 1445, dissectors: only }, [{ payload: smb2(0, false, Buffer.alloc(36)) }, { dir: 1, payload: negotiateResponse(0x0210) }]);
  assert.equal(r2.name, 'NetBIOS.SMBv23');
  assert.equal(r2.meta.smb_version, 'SMBv2');
});

test('smb: near misses: a NetBIOS session request, TLS and other length-prefixed data on 445', () => {
  const session = hex('8100004420454a4543454a45474549464244424442464846444441444344444341434143410020464345504644454745494642444144484648464444414441444543414341414100');
  assert.notEqual(dissect({ serverPort: 139, dissectors: only }, [{ payload: session }]).confidence, 'dpi');
  assert.notEqual(dissect({ serverPort: 445, dissectors: only }, [{ payload: hex('16030100a5010000a10303') }]).confidence, 'dpi');
  assert.notEqual(dissect({ serverPort: 445, dissectors: only }, [{ payload: hex('00000030 deadbeef 00000000000000000000000000000000000000000000000000000000000000000000000000000000') }]).confidence, 'dpi');
});

test('smb: every truncation of an SMB1 session setup is handled', () => {
  for (const b of prefixes(SETUP)) {
    if (b.length === 0) continue;
    const r = dissect({ serverPort: 445, dissectors: only }, [{ payload: b }]);
    assert.ok(r.confidence !== 'dpi' || r.name === 'NetBIOS.SMBv1');
  }
});
