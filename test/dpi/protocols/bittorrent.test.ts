import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { P } from '../../../src/dpi/generated/protocols';
import { dissector as bittorrent } from '../../../src/dpi/protocols/bittorrent';


const only = [bittorrent];

// bittorrent.pcap frame 59: peer wire handshake (info-hash dcfcdccf...).
const HANDSHAKE = hex(`
13426974546f7272656e742070726f746f636f6c0000000000100005dcfcdccfb9e670ccc3dd40c78c161f2bea243126
2d554d313836302d418e5902ded62f7127c8e7a6`);
// bittorrent_utp.pcap frame 1: DHT get_peers query.
const DHT = hex(`
64313a6164323a696432303af7f6007cea13506e514de7ecbc94f2ae517115f8393a696e666f5f6861736832303af7f6
01d8a6276f762c2c3df274af2827f8d1f1de65313a71393a6765745f7065657273313a74323a0e61313a76343a4c5401
01313a79313a7165`);
// bittorrent_utp.pcap frames 87/88: uTP ST_SYN and the ST_STATE answering it.
const UTP_SYN = hex('41004567ed639296000000000010000023c60000');
const UTP_STATE = hex('21004567ed6393410000000000100000456723c6');

test('bittorrent: the peer wire handshake on any port is BitTorrent with its info-hash', () => {
  const r = dissect({ serverPort: 53137, dissectors: only }, [{ payload: HANDSHAKE }]);
  assert.equal(r.name, 'BitTorrent');
  assert.equal(r.confidence, 'dpi');
  assert.equal(r.meta.bt_hash, 'dcfcdccfb9e670ccc3dd40c78c161f2bea243126');
  assert.deepEqual(r.undeclared, []);
});

test('bittorrent: a handshake after an MSE key exchange negotiated to plaintext is found', () => {
  const ya = Buffer.alloc(160, 0x5a);
  ya[0] = 0x9c;
  ya[1] = 0x01;
  const r = dissect({ serverPort: 6881, dissectors: only }, [
    { payload: ya },
    { dir: 1, payload: Buffer.alloc(300, 0xa7) },
    { payload: Buffer.alloc(90, 0x33) },
    { dir: 1, payload: HANDSHAKE },
  ]);
  assert.equal(r.name, 'BitTorrent');
  assert.equal(r.meta.bt_hash, 'dcfcdccfb9e670ccc3dd40c78c161f2bea243126');
});

test('bittorrent: DHT KRPC queries over UDP are BitTorrent', () => {
  const r = dissect({ l4: 'udp', serverPort: 40959, dissectors: only }, [{ payload: DHT }]);
  assert.equal(r.name, 'BitTorrent');
});

test('bittorrent: a uTP SYN answered by ST_STATE with the same connection id is BitTorrent', () => {
  const r = dissect({ l4: 'udp', serverPort: 33333, dissectors: only }, [{ payload: UTP_SYN }, { dir: 1, payload: UTP_STATE }]);
  assert.equal(r.name, 'BitTorrent');
});

test('bittorrent: near miss: one uTP-looking datagram, or a reply with another connection id, is not enough', () => {
  assert.notEqual(dissect({ l4: 'udp', serverPort: 33333, dissectors: only }, [{ payload: UTP_SYN }]).confidence, 'dpi');
  const other = Buffer.from(UTP_STATE);
  other[3] ^= 0x55;
  assert.notEqual(dissect({ l4: 'udp', serverPort: 33333, dissectors: only }, [{ payload: UTP_SYN }, { dir: 1, payload: other }]).confidence, 'dpi');
});

test('bittorrent: UDP tracker connect request and response (BEP 15)', () => {
  const req = hex('0000041727101980 00000000 cafebabe');
  const resp = hex('00000000 cafebabe 0123456789abcdef');
  const r = dissect({ l4: 'udp', serverPort: 6969, dissectors: only }, [{ payload: req }, { dir: 1, payload: resp }]);
  assert.equal(r.name, 'BitTorrent');
  const wrong = hex('00000000 deadbeef 0123456789abcdef');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 6969, dissectors: only }, [{ payload: req }, { dir: 1, payload: wrong }]).confidence, 'dpi');
});

test('bittorrent: an HTTP tracker announce is BitTorrent with the percent-decoded info-hash', () => {
  const req = 'GET /announce?info_hash=%dc%fc%dc%cf%b9%e6p%cc%c3%dd%40%c7%8c%16%1f%2b%ea%241%26&peer_id=-UT3450-x HTTP/1.1\r\nHost: t\r\n\r\n';
  const r = dissect({ serverPort: 80, dissectors: only }, [{ payload: req }]);
  assert.equal(r.name, 'BitTorrent');
  assert.equal(r.meta.bt_hash, 'dcfcdccfb9e670ccc3dd40c78c161f2bea243126');
});

test('bittorrent: local service discovery (BEP 14) is BitTorrent', () => {
  const lsd = 'BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: dcfcdccfb9e670ccc3dd40c78c161f2bea243126\r\n\r\n\r\n';
  assert.equal(dissect({ l4: 'udp', serverPort: 6771, dissectors: only }, [{ payload: lsd }]).name, 'BitTorrent');
});

test('bittorrent: near miss: plain HTTP, TLS and another 0x13-prefixed banner are not BitTorrent', () => {
  assert.notEqual(dissect({ serverPort: 6881, dissectors: only }, [{ payload: 'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n' }]).confidence, 'dpi');
  const tls = hex('16030100a5010000a10303') ;
  assert.notEqual(dissect({ serverPort: 6881, dissectors: only }, [{ payload: Buffer.concat([tls, Buffer.alloc(160)]) }]).confidence, 'dpi');
  const other = Buffer.from(HANDSHAKE);
  other.write('Bitcoin', 1, 'latin1');
  assert.notEqual(dissect({ serverPort: 6881, dissectors: only }, [{ payload: other }]).confidence, 'dpi');
  assert.notEqual(dissect({ l4: 'udp', serverPort: 6881, dissectors: only }, [{ payload: 'd3:foo3:bare' }]).confidence, 'dpi');
});

test('bittorrent: every truncation of a handshake, DHT query and uTP pair is handled without mislabelling', () => {
  for (const b of prefixes(HANDSHAKE)) {
    const app = direct(bittorrent, 'tcp', [{ payload: b }], 6881);
    assert.equal(app, b.length >= 20 ? P.BitTorrent : 0, `handshake cut at ${b.length}`);
  }
  for (const b of prefixes(DHT)) {
    const app = direct(bittorrent, 'udp', [{ payload: b }], 6881);
    assert.equal(app, b.length >= 12 ? P.BitTorrent : 0, `DHT cut at ${b.length}`);
  }
  for (const b of prefixes(UTP_STATE)) {
    const app = direct(bittorrent, 'udp', [{ payload: UTP_SYN }, { dir: 1, payload: b }], 6881);
    assert.equal(app, b.length === 20 ? P.BitTorrent : 0, `uTP state cut at ${b.length}`);
  }
});
