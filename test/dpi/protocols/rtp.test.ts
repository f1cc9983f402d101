import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissect, hex, prefixes, direct } from '../harness';
import { dissector as rtp, rtpKind, RtpKind } from '../../../src/dpi/protocols/rtp';
import { P } from '../../../src/dpi/generated/protocols';

const only = [rtp];

/** RTP packet (RFC 3550 5.1): V=2, PT 0 (PCMU), the given sequence number, 20 bytes of audio. */
function rtpPacket(seq: number, ssrc = 0xf6bf57dc, pt = 0): Buffer {
  const b = Buffer.alloc(32, 0x7e);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(0x0002e0c0 + seq * 160, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}
// rtcp_multiple_pkts_in_the_same_datagram.pcap frame 1 (first 28 bytes: an SR header and sender info).
const RTCP_SR = hex('81c8000c5d931534dd3ac1704d614df800007d00000000c800000000 0000000000000000000000000000000000000000000000000000');


test('rtp: three packets of one stream (same SSRC, increasing sequence numbers) are RTP', () => {
  const r = dissect({ l4: 'udp', serverPort: 17718, dissectors: only }, [{ payload: rtpPacket(0x59c) }, { payload: rtpPacket(0x59d) }, { payload: rtpPacket(0x59e) }]);
  assert.equal(r.name, 'RTP');
  assert.equal(r.confidence, 'dpi');
});

test('rtp: four RTCP packets without RTP are RTCP', () => {
  const r = dissect({ l4: 'udp', serverPort: 31601, dissectors: only }, [{ payload: RTCP_SR }, { dir: 1, payload: RTCP_SR }, { payload: RTCP_SR }, { dir: 1, payload: RTCP_SR }]);
  assert.equal(r.name, 'RTCP');
});

test('rtp: header classification follows RFC 3550 (version, payload type, CSRC/extension inside the packet)', () => {
  assert.equal(rtpKind(rtpPacket(1), 0, 32), RtpKind.Rtp);
  assert.equal(rtpKind(rtpPacket(1, 1, 72), 0, 32), RtpKind.None); // PT 72 collides with RTCP and is not valid RTP
  const ext = rtpPacket(1);
  ext[0] = 0x90; // extension bit, length 0xffff words: beyond the packet
  ext.writeUInt16BE(0xffff, 14);
  assert.equal(rtpKind(ext, 0, 32), RtpKind.None);
  assert.equal(rtpKind(RTCP_SR, 0, RTCP_SR.length), RtpKind.Rtcp);
});

test('rtp: near miss: changing SSRCs, frozen sequence numbers, QUIC/DTLS-like datagrams and well-known ports are not RTP', () => {
  const run = (pkts: Buffer[], port = 17718): string => dissect({ l4: 'udp', serverPort: port, dissectors: only }, pkts.map((payload) => ({ payload }))).confidence;
  assert.notEqual(run([rtpPacket(1, 1), rtpPacket(2, 2), rtpPacket(3, 3)]), 'dpi');
  assert.notEqual(run([rtpPacket(7), rtpPacket(7), rtpPacket(7)]), 'dpi');
  assert.notEqual(run([rtpPacket(1), rtpPacket(2), rtpPacket(3)], 53), 'dpi');
  const quic = Buffer.alloc(1200, 0x11);
  quic[0] = 0xc3; // QUIC long header: version bits are not 2
  assert.notEqual(run([quic, quic, quic]), 'dpi');
  const dtls = hex('16fefd000000000000000000500200004c000000000000004cfefd');
  assert.notEqual(run([dtls, dtls, dtls]), 'dpi');
});

test('rtp: every truncation of an RTP packet is handled without mislabelling', () => {
  const a = rtpPacket(10);
  const b = rtpPacket(11);
  for (const p of prefixes(rtpPacket(12))) {
    const app = direct(rtp, 'udp', [{ payload: a }, { payload: b }, { payload: p }], 17718);
    assert.equal(app, p.length >= 12 ? P.RTP : 0, `third packet cut at ${p.length}`);
  }
});
