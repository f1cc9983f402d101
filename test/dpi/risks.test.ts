/**
 * finalRisks(): each whole-flow risk raised when, and only when, its
 * condition holds, answered as FinalRisk bits that FINAL_RISKS names in
 * the order they are added, without allocating.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FINAL_RISKS, FinalRisk, finalRisks } from '../../src/dpi/risks';
import { FlowDpi } from '../../src/dpi/flow-dpi';
import { Registry } from '../../src/dpi/registry';
import { P, Risk } from '../../src/dpi/generated/protocols';
import { readHead, RecordHead } from '../../src/flow/record';
import { Harness, PSH_ACK } from '../flow/helpers';
import { collectionsDuring } from '../support/gc';

const reg = Registry.default();

/** A TCP flow 10.0.0.1:40000 -> 10.0.0.2:dport, with packets both ways unless oneWay. */
function flow(dport: number, oneWay = false): { h: Harness; f: number; head: RecordHead } {
  const h = new Harness();
  const f = h.send({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport, proto: 6, tcpFlags: PSH_ACK, ts: 1000 });
  if (!oneWay) h.send({ src: '10.0.0.2', dst: '10.0.0.1', sport: dport, dport: 40000, proto: 6, tcpFlags: PSH_ACK, ts: 1001 });
  return { h, f, head: readHead(h.table, f, new RecordHead()) };
}

function named(serverName: string): FlowDpi {
  const fd = new FlowDpi(reg.size);
  fd.setMeta('server_name', serverName, false);
  return fd;
}

test('final risks: names and order of the bits', () => {
  assert.deepEqual(FINAL_RISKS, [Risk.Unidirectional_Traffic, Risk.Known_Proto_on_Non_Std_Port, Risk.HTTP_TLS_QUIC_Numeric_Hostname_SNI,
    Risk.Susp_DGA_Domain_name]);
  assert.deepEqual([FinalRisk.Unidirectional, FinalRisk.NonStdPort, FinalRisk.NumericHost, FinalRisk.Dga], [1, 2, 4, 8]);
});

test('final risks: each condition', () => {
  const both = flow(443);
  const t = both.h.table;
  assert.equal(finalRisks(t, both.f, both.head, P.TLS, 0, 1, reg, undefined), 0);
  const one = flow(443, true);
  assert.equal(finalRisks(one.h.table, one.f, one.head, P.TLS, 0, 1, reg, undefined), FinalRisk.Unidirectional);
  const odd = flow(40443);
  assert.equal(finalRisks(odd.h.table, odd.f, odd.head, P.TLS, 0, 1, reg, undefined), FinalRisk.NonStdPort);
  assert.equal(finalRisks(odd.h.table, odd.f, odd.head, P.TLS, 0, 2, reg, undefined), 0, 'a port guess is not DPI');
  assert.equal(finalRisks(odd.h.table, odd.f, odd.head, P.Google, P.TLS, 1, reg, undefined), FinalRisk.NonStdPort, 'the master decides');
  assert.equal(finalRisks(t, both.f, both.head, P.TLS, 0, 1, reg, named('10.1.2.3')), FinalRisk.NumericHost);
  assert.equal(finalRisks(t, both.f, both.head, P.TLS, 0, 1, reg, named('[2001:db8::1]:443')), FinalRisk.NumericHost);
  assert.equal(finalRisks(t, both.f, both.head, P.TLS, 0, 1, reg, named('www.xkcdqwrtzplmnb7k2v9s.net')), FinalRisk.Dga);
  assert.equal(finalRisks(t, both.f, both.head, P.TLS, 0, 1, reg, named('www.example.com')), 0);
  assert.equal(finalRisks(t, both.f, both.head, P.SSH, 0, 2, reg, named('www.xkcdqwrtzplmnb7k2v9s.net')), 0, 'SSH names are not checked');
  assert.equal(finalRisks(one.h.table, one.f, one.head, P.TLS, 0, 1, reg, named('10.1.2.3')),
    FinalRisk.Unidirectional | FinalRisk.NumericHost);
});


test('final risks: allocate nothing', async () => {
  const odd = flow(40443, true);
  const dga = named('www.xkcdqwrtzplmnb7k2v9s.net');
  const plain = named('www.example.com');
  let bits = 0;
  const loop = (n: number): void => {
    for (let i = 0; i < n; i++) bits |= finalRisks(odd.h.table, odd.f, odd.head, P.TLS, 0, 1, reg, (i & 1) === 0 ? dga : plain);
  };
  const gcs = await collectionsDuring(loop, 200_000, 300_000);
  assert.equal(gcs, 0, `${gcs} garbage collections during 300,000 calls`);
  assert.equal(bits, FinalRisk.Unidirectional | FinalRisk.NonStdPort | FinalRisk.Dga);
});
