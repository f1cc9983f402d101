/**
 * Transports for the export-thread tests, loaded inside the export thread
 * through a SinkSpec of kind 'module' (`createTransport(options)`). Each one
 * appends every record it accepts, as a JSON line, to options.file, so the
 * test (on the main thread) can check what arrived:
 *  - 'fast': accepts every batch at once;
 *  - 'down-then-up': refuses its first `failures` sends with E_SINK_CONNECT,
 *    then accepts;
 *  - 'never-acks': never settles a send (a collector that takes the data and
 *    never acknowledges it);
 *  - 'null': accepts and keeps nothing (for measuring).
 * `lingerMs` (default 5) is how long a partial batch may wait.
 */
import { appendFileSync } from 'node:fs';
import { SinkError, type Transport } from '../../src/export/sinks/transport';
import type { FlowRecord } from '../../src/flow/record';

export interface TestTransportOptions {
  behaviour: 'fast' | 'down-then-up' | 'never-acks' | 'null';
  name: string;
  file?: string;
  failures?: number;
  maxBatch?: number;
  lingerMs?: number;
}

class TestTransport implements Transport {
  readonly name: string;
  readonly maxBatch: number;
  readonly lingerMs: number;
  private sends = 0;

  constructor(private readonly o: TestTransportOptions) {
    this.name = o.name;
    this.maxBatch = o.maxBatch ?? 100;
    this.lingerMs = o.lingerMs ?? 5;
  }

  send(batch: readonly FlowRecord[]): Promise<void> {
    this.sends++;
    switch (this.o.behaviour) {
      case 'null':
        return Promise.resolve();
      case 'never-acks':
        return new Promise<void>(() => undefined);
      case 'down-then-up':
        if (this.sends <= (this.o.failures ?? 3)) return Promise.reject(new SinkError('E_SINK_CONNECT', 'connection refused (test)'));
        break;
      default:
        break;
    }
    if (this.o.file !== undefined) appendFileSync(this.o.file, batch.map((r) => JSON.stringify(r) + '\n').join(''));
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function createTransport(options: unknown): Transport {
  return new TestTransport(options as TestTransportOptions);
}
