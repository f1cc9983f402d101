/**
 * The output thread of ThreadedJsonlSink: takes raw records off the shared
 * ring, serializes them (formatRaw) into a LineOutput on the file descriptor
 * it was given, and reports how it ended: 'ok', 'epipe' (the reader of
 * standard output went away) or an error message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RingConsumer, RingShared } from './record-ring';
import { formatRaw, RAW_JSON_ROOM } from './raw-record';
import { LineOutput } from './output';

interface Init {
  ring: RingShared;
  fd: number;
  target: string;
}

function run(init: Init): void {
  const ring = new RingConsumer(init.ring);
  const out = LineOutput.fromFd(init.fd, init.target);
  const rows = ring.rows;
  for (let n = ring.wait(); n > 0; n = ring.wait()) {
    for (let i = 0; i < n; i++) {
      out.ensure(RAW_JSON_ROOM);
      const row = ring.next();
      out.pos = formatRaw(rows, row, ring.meta, ring.metaOffset(row), out.buf, out.pos);
      ring.release(1);
      out.endOfLine();
    }
  }
  out.flush();
  const err = out.failure();
  parentPort?.postMessage(err ? { status: 'error', message: err.message } : { status: out.closedByPeer ? 'epipe' : 'ok' });
}

run(workerData as Init);
