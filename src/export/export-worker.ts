/**
 * The export thread of ExportSink. Takes raw records off the shared ring
 * (record-ring.ts) and
 *  - writes them as JSON Lines (formatRaw: the bytes of JsonlSink, formatted
 *    once) to each JSON Lines output: standard output or files, rotating them
 *    when asked (rotating-output.ts), and
 *  - builds each record object once (JSON.parse of its formatted line, so
 *    every destination gets exactly the JSONL record) and pushes it into each
 *    network sink's Delivery, which never blocks: memory, then its disk spool.
 * The thread keeps its event loop running for the transports: it waits for
 * records on the rings' doorbell with Atomics.waitAsync (record-ring.ts) and
 * yields after each slice of records, so a
 * slow collector never holds the packet thread up (only a lack of CPU here
 * does, through the ring). While it runs, JSON Lines that waited about
 * idleFlushMs while the ring was empty are written out (live capture, slow
 * pipes), and each network sink's counters go to the main thread every
 * statsIntervalMs (for /metrics).
 *
 * With several worker threads (`-n N`) there is one ring per worker, read
 * in turn a slice at a time (one ring is the same loop). Text lines (ndff's
 * `-v`, given to this thread only then) are built from each record's JSON
 * and written whole.
 *
 * When the packet thread closes the ring (every ring), every Delivery is drained: it
 * sends what it holds at once, waits up to the drain timeout (cut short by a
 * 'force' message: the second SIGINT/SIGTERM) and keeps whatever is still
 * undelivered in its spool; then the thread posts how it ended, one report
 * per sink (the CLI prints them: the deliveries do not tell their own).
 */
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { bellValue, RingConsumer, waitBell } from './record-ring';
import { formatRaw, Raw, RAW_JSON_ROOM } from './raw-record';
import { LineOutput } from './output';
import { RotatingOutput } from './rotating-output';
import type { Delivery } from './sinks/delivery';
import { spoolKey } from './sinks/spec';
import { SinkError, type SinkLog } from './sinks/transport';
import type { ExportInit, ExportMessage, FromWorker, SinkReport } from './export-sink';
import { FlowtapError } from '../util/errors';
import { formatTextLine, type FlowRecord } from '../flow/record';

/** Records handled between two turns of the event loop (when network sinks are on). */
const SLICE = 512;

interface Sink {
  spec: ExportInit['sinks'][number];
  delivery: Delivery;
  spoolDir: string;
}

const init = workerData as ExportInit;
let forced = false;
/** Set once every record is in the deliveries: from then on 'force' cuts their drain short. */
let draining = false;
let sinks: Sink[] = [];

parentPort?.on('message', (m: ExportMessage) => {
  if (m.type === 'force') {
    forced = true;
    if (draining) for (const s of sinks) void s.delivery.abort();
  }
});

function post(m: FromWorker): void {
  parentPort?.postMessage(m);
}

/**
 * Writes out JSON Lines that waited while no records came: every half
 * idleFlushMs, an output still holding bytes it already held at the previous
 * tick is flushed when the ring is empty (the timer runs only between slices,
 * so outputs are at a line boundary).
 */
function startIdleFlush(rings: readonly RingConsumer[], outs: readonly LineOutput[]): NodeJS.Timeout | null {
  if (init.idleFlushMs <= 0 || outs.length === 0) return null;
  const waited = outs.map(() => false);
  const t = setInterval(() => {
    const idle = rings.every((r) => r.poll() <= 0);
    outs.forEach((o, i) => {
      if (o.pos === 0) waited[i] = false;
      else if (waited[i] && idle) {
        o.flush();
        waited[i] = false;
      } else waited[i] = true;
    });
  }, Math.max(1, Math.round(init.idleFlushMs / 2)));
  t.unref();
  return t;
}

/** Sends each network sink's counters to the main thread now and every statsIntervalMs. */
function startStats(): NodeJS.Timeout | null {
  if (sinks.length === 0 || init.statsIntervalMs <= 0) return null;
  const send = (): void => post({ type: 'stats', sinks: sinks.map((s) => s.delivery.stats()) });
  send();
  const t = setInterval(send, init.statsIntervalMs);
  t.unref();
  return t;
}

/** Sink messages go straight to standard error (synchronously: they never wait for the packet thread). */
function makeLog(): SinkLog {
  const line = (msg: string): void => {
    try {
      writeSync(2, `flowtap: ${msg}\n`);
    } catch {
      // Nowhere left to report to.
    }
  };
  return {
    info: (msg) => {
      if (!init.quiet) line(msg);
    },
    warn: line,
  };
}

async function startSinks(log: SinkLog): Promise<Sink[]> {
  const sinks: Sink[] = [];
  if (init.sinks.length === 0) return sinks;
  // Loaded only when needed: the transports and their libraries cost memory a JSON Lines run does not need.
  const { Delivery } = require('./sinks/delivery') as typeof import('./sinks/delivery');
  const { createTransport } = require('./sinks/factory') as typeof import('./sinks/factory');
  for (const spec of init.sinks) {
    const spoolDir = join(init.delivery.spoolRoot, spoolKey(spec));
    const delivery = new Delivery(createTransport(spec, log), {
      spoolDir,
      maxSpoolBytes: init.delivery.maxSpoolBytes,
      memoryRecords: init.delivery.memoryRecords,
      retryMinMs: init.delivery.retryMinMs,
      retryMaxMs: init.delivery.retryMaxMs,
      log,
      drainSummary: false,
    });
    sinks.push({ spec, delivery, spoolDir });
  }
  for (const s of sinks) await s.delivery.start();
  return sinks;
}

function openOutputs(): LineOutput[] {
  return init.jsonl.map((j) => (j.rotate !== undefined && j.path !== undefined ? new RotatingOutput(j.path, j.rotate) : LineOutput.fromFd(j.fd, j.target)));
}

/** ndff's text lines on this thread: the output, whether only unknown flows, and the line number. */
interface TextOut {
  out: LineOutput;
  unknownOnly: boolean;
  n: number;
}

async function consume(rings: readonly RingConsumer[], outs: readonly LineOutput[], texts: readonly TextOut[], sinks: readonly Sink[]): Promise<void> {
  const out = outs.length > 0 ? outs[0] : null;
  const rotating = outs.map((o) => (o instanceof RotatingOutput ? o : null));
  const anyRotating = rotating.some((o) => o !== null);
  const scratch = out === null ? Buffer.allocUnsafe(RAW_JSON_ROOM) : null;
  const nSinks = sinks.length;
  const nOuts = outs.length;
  const nTexts = texts.length;
  const needRecord = nSinks > 0 || nTexts > 0;

  /** Formats and hands on n rows of one ring. */
  const take = (ring: RingConsumer, n: number): void => {
    const rows = ring.rows;
    const meta = ring.meta;
    for (let i = 0; i < n; i++) {
      const row = ring.next();
      let buf: Buffer;
      let start: number;
      let end: number;
      if (out !== null) {
        if (anyRotating) for (const r of rotating) r?.at(rows[row + Raw.LastMs]);
        out.ensure(RAW_JSON_ROOM);
        buf = out.buf;
        start = out.pos;
        end = out.pos = formatRaw(rows, row, meta, ring.metaOffset(row), buf, start);
        for (let k = 1; k < nOuts; k++) {
          const o = outs[k];
          o.ensure(end - start);
          o.pos += buf.copy(o.buf, o.pos, start, end);
        }
      } else {
        buf = scratch as Buffer;
        start = 0;
        end = formatRaw(rows, row, meta, ring.metaOffset(row), buf, 0);
      }
      ring.release(1);
      if (needRecord) {
        const rec = JSON.parse(buf.toString('utf8', start, end)) as FlowRecord;
        for (let k = 0; k < nSinks; k++) sinks[k].delivery.push(rec);
        for (let k = 0; k < nTexts; k++) {
          const t = texts[k];
          if (!t.unknownOnly || rec.protocol_name === 'Unknown') t.out.line(formatTextLine(rec, ++t.n));
        }
      }
      for (let k = 0; k < nOuts; k++) outs[k].endOfLine();
    }
  };

  const bell = init.rings[0].bell;
  const done = rings.map(() => false);
  for (;;) {
    const rung = bellValue(bell);
    let open = 0;
    let took = 0;
    for (let r = 0; r < rings.length; r++) {
      if (done[r]) continue;
      let n = rings[r].poll();
      if (n < 0) {
        done[r] = true;
        continue;
      }
      open++;
      if (n > SLICE) n = SLICE;
      if (n > 0) take(rings[r], n);
      took += n;
    }
    if (open === 0) return;
    if (took === 0) await waitBell(bell, rung, 20);
    else if (nSinks > 0) await turn();
  }
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Drains every sink at once (each for up to the drain timeout, or none once forced); one report per sink. */
async function drain(): Promise<SinkReport[]> {
  draining = true;
  const results = await Promise.all(sinks.map((s) => s.delivery.drain(forced ? 0 : init.drainTimeoutMs)));
  return sinks.map((s, i) => ({ kind: s.spec.kind, stats: s.delivery.stats(), drain: results[i], spoolDir: s.spoolDir }));
}

async function main(): Promise<void> {
  const rings = init.rings.map((r) => new RingConsumer(r));
  const abandon = (): void => rings.forEach((r) => r.abandon());
  const log = makeLog();
  let outs: LineOutput[] = [];
  let texts: TextOut[] = [];
  try {
    outs = openOutputs();
    texts = init.text.map((t) => ({ out: LineOutput.fromFd(t.fd, t.target), unknownOnly: t.unknownOnly, n: 0 }));
    sinks = await startSinks(log);
  } catch (err) {
    abandon();
    const code = err instanceof FlowtapError ? err.code : err instanceof SinkError && err.code === 'E_SINK_CONFIG' ? 'E_CONFIG' : 'E_OUTPUT';
    post({ type: 'failed', code, message: (err as Error).message });
    return;
  }
  post({ type: 'ready' });
  const timers = [startIdleFlush(rings, [...outs, ...texts.map((t) => t.out)]), startStats()];
  let failure: string | undefined;
  try {
    await consume(rings, outs, texts, sinks);
  } catch (err) {
    abandon();
    failure = `export thread failed: ${(err as Error).message}`;
  }
  for (const t of timers) if (t !== null) clearInterval(t);
  let epipe = false;
  for (const out of [...outs, ...texts.map((t) => t.out)]) {
    try {
      await out.close();
    } catch (err) {
      failure ??= (err as Error).message;
    }
    epipe ||= out.closedByPeer;
  }
  const drainStart = Date.now();
  const reports = await drain();
  post({ type: 'done', status: failure !== undefined ? 'error' : epipe ? 'epipe' : 'ok', message: failure, sinks: reports, drainMs: Date.now() - drainStart });
}

void main();
