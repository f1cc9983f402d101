/**
 * Live capture through LiveSource into a Probe, on a veth pair made for the
 * test: one end in a network namespace (with an address), the other in the
 * test's own namespace (no address), captured there. Traffic is UDP sent
 * from the namespace to a neighbour with a made-up MAC address, so frames
 * cross the pair, are captured, and are dropped unrouted on this side.
 *
 * Covers: flows from live traffic, including packets sent just before
 * stop(); the BPF filter; typed errors for a missing interface, an invalid
 * filter, a missing tcpdump and tcpdump's own failures; restart of a helper
 * killed with SIGKILL with the gap reported; clock-driven expiry of an idle
 * UDP flow; periodic drop reports, with kernel drops when flowtap stalls.
 *
 * Needs root, iproute2 and tcpdump; without them every test is skipped with
 * the reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LiveSource, type LiveLog } from '../../src/capture/live-source';
import { LiveCaptureError } from '../../src/capture/live-errors';
import { startLiveExpiry } from '../../src/capture/live-expiry';
import { BpfError } from '../../src/capture/bpf';
import { Probe } from '../../src/probe';
import { buildRecord, type FlowRecord } from '../../src/flow/record';
import type { FlowTable } from '../../src/flow/table';
import { DEFAULT_TIMEOUTS, type EndReason } from '../../src/flow/expiry';
import type { DpiEngine } from '../../src/dpi/engine';
import type { RecordSink } from '../../src/export/sink';
import { scratch } from '../support/common';
import { Lab, netnsUnavailable, until } from './netns';

class Keep implements RecordSink {
  readonly records: FlowRecord[] = [];
  writeFlow(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    this.records.push(buildRecord(t, f, reason, dpi));
  }
  async close(): Promise<void> {}
}

class Logs implements LiveLog {
  readonly lines: Array<{ level: string; message: string }> = [];
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  find(level: string, re: RegExp): string | undefined {
    return this.lines.find((l) => l.level === level && re.test(l.message))?.message;
  }
}

const SENDER = `
const [dst, port, count, size] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const s = require('dgram').createSocket('udp4');
let sent = 0;
const payload = Buffer.alloc(size, 0x61);
function next() {
  if (sent === count) return s.close();
  sent++;
  s.send(payload, port, dst, next);
}
next();
`;

const skip = netnsUnavailable();

describe('live capture (LiveSource)', { skip: skip ?? false }, () => {
  const lab = new Lab();
  let ns = '';
  let hostIf = '';
  let dst = '';
  let srcAddr = '';

  /** Sends count UDP datagrams from the namespace to dst:port (one flow) and waits until they are sent. */
  function send(port: number, count: number, size = 32): void {
    const r = lab.exec(ns, process.execPath, ['-e', SENDER, dst, String(port), String(count), String(size)]);
    assert.equal(r.code, 0, r.stderr);
  }

  before(() => {
    ns = lab.namespace('a');
    const link = lab.veth(null, ns, [`ft${lab.tag}h`, `ft${lab.tag}n`]);
    hostIf = link.ifA;
    dst = link.addrA;
    srcAddr = link.addrB;
    const r = lab.exec(ns, 'ip', ['neigh', 'add', dst, 'lladdr', '02:00:5e:10:00:01', 'dev', link.ifB, 'nud', 'permanent']);
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await lab.destroy();
  });

  function byPort(records: readonly FlowRecord[], port: number): FlowRecord[] {
    return records.filter((r) => r.protocol === 'UDP' && r.dst_port === port);
  }

  test('packets sent on the interface become flow records, up to those sent just before stop()', async () => {
    const sink = new Keep();
    const probe = new Probe(sink);
    const logs = new Logs();
    const src = await LiveSource.open({ interfaces: [hostIf], statsIntervalMs: 0, log: logs });
    const running = src.run(probe);
    send(7001, 3);
    send(7002, 2);
    src.stop();
    await running;
    probe.finish();
    assert.equal(byPort(sink.records, 7001).length, 1);
    assert.equal(byPort(sink.records, 7001)[0].out_pkts, 3);
    assert.equal(byPort(sink.records, 7002)[0].out_pkts, 2);
    assert.equal(byPort(sink.records, 7002)[0].src_addr, srcAddr);
    assert.equal(byPort(sink.records, 7002)[0].dst_addr, dst);
    const [st] = src.captureStats();
    assert.equal(st.iface, hostIf);
    assert.equal(st.up, false);
    assert.ok(st.captured >= 5, `captured ${st.captured}`);
    assert.ok(st.received >= st.captured);
    assert.equal(st.kernelDrops, 0);
    assert.equal(src.stats.packets, st.packets);
    assert.ok(logs.find('info', new RegExp(`^capture on ${hostIf}: [\\d,]+ packets received by the filter in all, none dropped$`)), JSON.stringify(logs.lines));
  });

  test('the BPF filter keeps only the packets it matches', async () => {
    const sink = new Keep();
    const probe = new Probe(sink);
    const src = await LiveSource.open({ interfaces: [hostIf], filter: 'udp dst port 7102', statsIntervalMs: 0, immediate: true });
    const running = src.run(probe);
    send(7101, 2);
    send(7102, 2);
    await until(() => probe.packets >= 2, 'the filtered packets');
    src.stop();
    await running;
    probe.finish();
    assert.deepEqual(sink.records.map((r) => r.dst_port), [7102]);
    assert.equal(probe.packets, 2);
  });

  test('close() without run() ends the helpers', async () => {
    const src = await LiveSource.open({ interfaces: [hostIf], statsIntervalMs: 0 });
    const pid = src.helperPids().get(hostIf);
    assert.ok(pid !== undefined);
    await src.close();
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
    await assert.rejects(src.run({ onPacket: () => undefined }), /run\(\) called twice/);
  });

  test('a missing interface is E_CAPTURE_NO_DEVICE, naming the interfaces there are', async () => {
    await assert.rejects(LiveSource.open({ interfaces: ['ftnosuch0'] }), (e: unknown) => {
      assert.ok(e instanceof LiveCaptureError);
      assert.equal(e.code, 'E_CAPTURE_NO_DEVICE');
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /^no network interface named 'ftnosuch0' \(interfaces here: .*\blo\b.*\)$/);
      assert.ok(e.message.includes(hostIf));
      return true;
    });
  });

  test('an invalid filter is E_BPF before any helper starts', async () => {
    await assert.rejects(LiveSource.open({ interfaces: [hostIf], filter: 'udp port' }), (e: unknown) => {
      assert.ok(e instanceof BpfError);
      assert.equal(e.code, 'E_BPF');
      assert.match(e.message, /^invalid BPF filter 'udp port': /);
      return true;
    });
  });

  test('a missing tcpdump is E_CAPTURE_NO_HELPER with the install hint', async () => {
    await assert.rejects(LiveSource.open({ interfaces: [hostIf], tcpdump: '/nonexistent/tcpdump' }), (e: unknown) => {
      assert.ok(e instanceof LiveCaptureError);
      assert.equal(e.code, 'E_CAPTURE_NO_HELPER');
      assert.match(e.message, /tcpdump, which was not found \(tried \/nonexistent\/tcpdump\): install it \(apt-get install tcpdump\)/);
      return true;
    });
  });

  test("tcpdump's own refusal to capture is mapped to a typed error (permission, with the setcap hint)", async () => {
    const fake = join(scratch(), 'tcpdump-no-permission');
    writeFileSync(
      fake,
      "#!/bin/sh\necho \"tcpdump: $2: You don't have permission to perform this capture on that device\" >&2\necho '(socket: Operation not permitted)' >&2\nexit 1\n",
    );
    chmodSync(fake, 0o755);
    await assert.rejects(LiveSource.open({ interfaces: [hostIf], tcpdump: fake }), (e: unknown) => {
      assert.ok(e instanceof LiveCaptureError);
      assert.equal(e.code, 'E_CAPTURE_PERMISSION');
      assert.equal(e.exitCode, 1);
      assert.equal(e.message, `no permission to capture on ${hostIf}: run flowtap as root, or let ${fake} capture without root: setcap cap_net_raw,cap_net_admin=eip ${fake}`);
      return true;
    });
  });

  test('a helper killed with SIGKILL is restarted, the gap is reported, and capture goes on', async () => {
    const sink = new Keep();
    const probe = new Probe(sink);
    const logs = new Logs();
    const src = await LiveSource.open({ interfaces: [hostIf], statsIntervalMs: 0, restartMinMs: 100, immediate: true, log: logs });
    const running = src.run(probe);
    try {
      const pid = src.helperPids().get(hostIf);
      assert.ok(pid !== undefined);
      process.kill(pid, 'SIGKILL');
      await until(() => logs.find('warn', /restarted/) !== undefined, 'the restart message');
      assert.match(
        logs.find('warn', /restarted/) ?? '',
        new RegExp(`^tcpdump on ${hostIf} was killed by SIGKILL; restarted; capture gap \\d+\\.\\d s \\([\\d,]+ packets passed ${hostIf} meanwhile\\)$`),
      );
      const newPid = src.helperPids().get(hostIf);
      assert.ok(newPid !== undefined && newPid !== pid);
      send(7201, 4);
      await until(() => probe.packets >= 4, 'packets through the restarted helper');
    } finally {
      src.stop();
      await running;
    }
    probe.finish();
    assert.equal(byPort(sink.records, 7201)[0].out_pkts, 4);
    const [st] = src.captureStats();
    assert.equal(st.restarts, 1);
    assert.ok(st.gapMs > 0);
  });

  test('clock-driven expiry exports an idle UDP flow while no packet arrives', async () => {
    const sink = new Keep();
    const probe = new Probe(sink, { flows: { timeouts: { ...DEFAULT_TIMEOUTS, udp: 1 } } });
    const src = await LiveSource.open({ interfaces: [hostIf], statsIntervalMs: 0, immediate: true });
    const running = src.run(probe);
    const expiry = startLiveExpiry(probe);
    try {
      send(7301, 1);
      await until(() => byPort(sink.records, 7301).length === 1, 'the idle flow record');
      const r = byPort(sink.records, 7301)[0];
      assert.equal(r.flow_end_reason, 'idle');
      assert.equal(r.out_pkts, 1);
      // The record keeps the packet's own timestamp.
      assert.ok(Math.abs(r.first_switched_ms - Date.now()) < 60_000);
    } finally {
      expiry.stop();
      src.stop();
      await running;
    }
  });

  test('drops are reported periodically: none while keeping up, kernel drops when flowtap stalls', async () => {
    const logs = new Logs();
    let stalled = false;
    const probe = new Probe(new Keep());
    const handler = {
      onPacket(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): void {
        if (!stalled && probe.packets >= 10) {
          stalled = true;
          // flowtap busy for 3 s: the pipe and the capture ring fill up.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
        }
        probe.onPacket(linkType, buf, off, caplen, wireLen, tsMs);
      },
    };
    const src = await LiveSource.open({ interfaces: [hostIf], statsIntervalMs: 1000, bufferBytes: 1024, immediate: true, log: logs });
    const running = src.run(handler);
    try {
      send(7401, 3);
      await until(() => logs.find('info', /received by the filter in the last \d+ s, none dropped$/) !== undefined, 'a periodic report');
      send(7402, 20_000, 1000);
      await until(() => src.captureStats()[0].kernelDrops > 0, 'kernel drops in the counters', 30_000);
      await until(() => logs.find('warn', /dropped: /) !== undefined, 'a drop warning', 10_000);
    } finally {
      src.stop();
      await running;
    }
    assert.match(logs.find('warn', /dropped: /) ?? '', new RegExp(`^capture on ${hostIf}: [\\d,]+ packets received by the filter in the last \\d+ s, dropped: [\\d,]+ by the kernel \\(capture buffer full: raise --capture-buffer, or flowtap is short of CPU\\)`));
    const last = logs.lines[logs.lines.length - 1];
    assert.match(last.message, /in all, dropped: [\d,]+ by the kernel/);
    const [st] = src.captureStats();
    assert.ok(st.received > st.captured, `received ${st.received}, captured ${st.captured}`);
  });
});

test('a helper whose stream cannot be read is stopped and restarted, and says why', async () => {
  const fake = join(scratch(), 'tcpdump-garbage');
  writeFileSync(
    fake,
    [
      '#!/bin/sh',
      'echo "tcpdump: listening on $2, link-type EN10MB (Ethernet), snapshot length 262144 bytes" >&2',
      "printf '\\324\\303\\262\\241\\002\\000\\004\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000\\004\\000\\001\\000\\000\\000'",
      "printf '\\000\\000\\000\\000\\000\\000\\000\\000\\377\\377\\377\\177\\377\\377\\377\\177'",
      'exec sleep 30',
      '',
    ].join('\n'),
  );
  chmodSync(fake, 0o755);
  const logs = new Logs();
  const src = await LiveSource.open({ interfaces: ['lo'], tcpdump: fake, statsIntervalMs: 0, restartMinMs: 50, log: logs });
  const running = src.run({ onPacket: () => undefined });
  try {
    await until(() => logs.find('warn', /restarted/) !== undefined, 'the restart message');
  } finally {
    src.stop();
    await running;
  }
  assert.match(
    logs.find('warn', /restarted/) ?? '',
    /^tcpdump on lo wrote a stream that cannot be read \(lo: record captured length \d+ exceeds the maximum 262144 at byte offset 24\) and was stopped; restarted; capture gap \d+\.\d s/,
  );
});
