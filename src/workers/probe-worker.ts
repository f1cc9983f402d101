/**
 * A probe worker thread (`-n N`, N > 1): owns one partition of the flows
 * (the frames the dispatcher sends it, by address pair) with a Probe of its
 * own: decoder, fragment reassembly, flow table, DPI engine, with the run's
 * options (tunnels, timeouts, its share of --max-flows, DPI on/off, the
 * --lists directory).
 *
 * It reads its packet ring (packet-ring.ts) in batches, running expiry on
 * the dispatcher's packet-clock markers (capture files) or every second on
 * the wall clock (live capture, src/capture/live-expiry.ts), and writes
 * each ending record straight into its own record ring to the export thread
 * (WorkerRecordSink: the row the single-thread ExportSink fills, with the
 * run-wide flow id). Every second it publishes its counters (packets,
 * flows, records ...) into the shared counters for the metrics endpoint.
 * A 'reload' message reloads the lists (SIGHUP). With flowEvents, the flow
 * starts, classifications and ends the alert detector reads are posted to
 * the capture thread in batches (flow-events.ts).
 *
 * At the end of its ring (closed by the dispatcher) it exports every flow
 * still open (probe.finish()), closes its record ring and posts its
 * ProbeSummary. If anything throws, it abandons both rings (the dispatcher
 * stops sending, the export thread stops waiting) and posts 'failed' with
 * the message; its open flows are not exported.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Probe } from '../probe';
import type { FlowTable } from '../flow/table';
import type { EndReason } from '../flow/expiry';
import type { DpiEngine, DpiOptions } from '../dpi/engine';
import type { RecordSink } from '../export/sink';
import { RingProducer } from '../export/record-ring';
import { fillRaw, Raw } from '../export/raw-record';
import { loadLists } from '../dpi/classify/user-lists';
import { startLiveExpiry, type LiveExpiry } from '../capture/live-expiry';
import { PacketRingConsumer, STALL_MS, type FrameHandler } from './packet-ring';
import { Counter, globalFlowId, WORKER_COUNTERS, type FromProbeWorker, type ProbeWorkerInit, type ToProbeWorker, type WorkerFault } from './worker-protocol';
import { FlowEventWriter } from './flow-events';

/** Bytes of frames handled between two looks at the event loop's clock. */
const BATCH_BYTES = 1 << 20;
/** While frames keep coming, the event loop (timers, messages) gets a turn this often. */
const YIELD_MS = 20;
const COUNTERS_INTERVAL_MS = 1000;

/** Records into this worker's ring to the export thread, with run-wide flow ids. */
export class WorkerRecordSink implements RecordSink {
  constructor(private readonly producer: RingProducer, private readonly worker: number, private readonly workers: number) {}

  writeFlow(t: FlowTable, f: number, reason: EndReason, dpi: DpiEngine | null): void {
    const p = this.producer;
    const row = p.reserve();
    fillRaw(t, f, reason, dpi, p.rows, row, p.meta, p.metaOffset());
    p.rows[row + Raw.FlowId] = globalFlowId(p.rows[row + Raw.FlowId], this.worker, this.workers);
    p.publish();
  }

  async close(): Promise<void> {
    this.producer.close();
  }
}

/** Frames and packet-clock markers into the Probe. */
class ProbeFeeder implements FrameHandler {
  constructor(protected readonly probe: Probe) {}
  onPacket(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): void {
    this.probe.onPacket(linkType, buf, off, caplen, wireLen, tsMs);
  }
  onTick(tsMs: number): void {
    this.probe.expire(tsMs);
  }
}

/** The feeder of a worker told to fail (tests): after `afterPackets` frames it throws, or ends the thread. */
class FaultyFeeder extends ProbeFeeder {
  private n = 0;
  constructor(probe: Probe, private readonly fault: WorkerFault) {
    super(probe);
  }
  onPacket(linkType: number, buf: Buffer, off: number, caplen: number, wireLen: number, tsMs: number): void {
    if (++this.n > this.fault.afterPackets) {
      if (this.fault.kind === 'exit') process.exit(70);
      throw new Error(`injected fault after ${this.fault.afterPackets} packets`);
    }
    super.onPacket(linkType, buf, off, caplen, wireLen, tsMs);
  }
}

function post(m: FromProbeWorker): void {
  parentPort?.postMessage(m);
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function main(init: ProbeWorkerInit): Promise<void> {
  const ring = new PacketRingConsumer(init.packets);
  const records = new RingProducer(init.records);
  const counters = new Float64Array(init.counters, init.index * WORKER_COUNTERS * 8, WORKER_COUNTERS);
  let failure: unknown = null;
  let expiry: LiveExpiry | null = null;
  let countersTimer: NodeJS.Timeout | null = null;
  const fail = (err: unknown): void => {
    failure ??= err;
    ring.abandon();
  };
  try {
    let dpi: false | DpiOptions = init.dpi ? {} : false;
    if (init.dpi && init.listsDir !== undefined) {
      const lists = loadLists(init.listsDir);
      dpi = { hosts: lists.hosts, ips: lists.ips };
    }
    const events = init.flowEvents
      ? new FlowEventWriter(init.index, init.count, (rows, strings) => parentPort?.postMessage({ type: 'events', rows, strings } satisfies FromProbeWorker, [rows.buffer as ArrayBuffer]))
      : null;
    const p = new Probe(new WorkerRecordSink(records, init.index, init.count), {
      dpi,
      decoder: { tunnels: init.tunnels },
      flows: { timeouts: init.timeouts, maxFlows: init.maxFlows },
      packetClockExpiry: init.clock !== 'markers',
      ...(events !== null ? { detector: events } : {}),
    });
    const publish = (): void => {
      counters[Counter.Packets] = p.packets;
      counters[Counter.Bytes] = p.bytes;
      counters[Counter.Malformed] = p.decoder.malformedTotal();
      counters[Counter.FlowsActive] = p.table.count;
      counters[Counter.FlowsTotal] = p.table.created;
      counters[Counter.Records] = p.records;
      events?.flush();
    };
    parentPort?.on('message', (m: ToProbeWorker) => {
      if (m.type === 'reload') reload(p, m.dir);
    });
    countersTimer = setInterval(publish, COUNTERS_INTERVAL_MS);
    countersTimer.unref();
    if (init.clock === 'wall') {
      expiry = startLiveExpiry({
        expire: (now) => {
          try {
            p.expire(now);
            events?.flush();
          } catch (err) {
            fail(err);
          }
        },
      });
    }
    post({ type: 'ready' });
    const feeder = init.fault !== undefined ? new FaultyFeeder(p, init.fault) : new ProbeFeeder(p);
    let lastTurn = Date.now();
    while (failure === null) {
      let n = ring.poll();
      if (n === 0) n = await ring.wait();
      if (n < 0 && failure === null && ring.gone) {
        failure = new Error(`the capture thread gave up on this worker: it freed no ring space for ${STALL_MS / 1000} s`);
      }
      if (n < 0 || failure !== null) break;
      ring.drain(feeder, BATCH_BYTES);
      const now = Date.now();
      if (now - lastTurn >= YIELD_MS) {
        lastTurn = now;
        events?.flush();
        await turn();
      }
    }
    if (failure === null) {
      expiry?.stop();
      expiry = null;
      const open = p.table.count;
      p.finish();
      publish();
      events?.flush();
      records.close();
      post({ type: 'done', summary: p.summary(), open });
      return;
    }
  } catch (err) {
    fail(err);
  } finally {
    expiry?.stop();
    if (countersTimer !== null) clearInterval(countersTimer);
  }
  records.close();
  post({ type: 'failed', message: describe(failure) });
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const at = err.stack?.split('\n').find((l) => l.trim().startsWith('at '))?.trim();
    return `${err.message}${at !== undefined ? ` (${at})` : ''}`;
  }
  return String(err);
}

function reload(probe: Probe, dir: string): void {
  const dpi = probe.dpi;
  if (dpi === null) return;
  try {
    const lists = loadLists(dir);
    dpi.hosts = lists.hosts;
    dpi.ips = lists.ips;
    post({ type: 'reloaded', ok: true, files: lists.files, entries: lists.entries });
  } catch (err) {
    post({ type: 'reloaded', ok: false, message: err instanceof Error ? err.message : String(err) });
  }
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'packets' in (workerData as object)) {
  void main(workerData as ProbeWorkerInit);
}
