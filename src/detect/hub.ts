/**
 * Fan-out of raised alerts to whoever wants them besides the notifiers
 * (e.g. the flow sinks, under their own fluentd tag or index): listeners
 * called synchronously (they must be quick and must not throw; a throwing
 * listener is ignored), and async iterables with their own bounded buffer
 * (the oldest alerts are dropped when a reader falls behind, counted in
 * `dropped`). Iterables end when the hub is closed.
 */
import type { Alert } from './alert';

export interface AlertStream extends AsyncIterableIterator<Alert> {
  /** Alerts dropped because this reader's buffer was full. */
  readonly dropped: number;
}

class Stream implements AlertStream {
  private readonly buf: Alert[] = [];
  private waiter: ((r: IteratorResult<Alert>) => void) | null = null;
  private ended = false;
  dropped = 0;

  constructor(private readonly max: number, private readonly detach: (s: Stream) => void) {}

  push(a: Alert): void {
    if (this.ended) return;
    if (this.waiter !== null) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: a, done: false });
      return;
    }
    if (this.buf.length >= this.max) {
      this.buf.shift();
      this.dropped++;
    }
    this.buf.push(a);
  }

  end(): void {
    this.ended = true;
    if (this.waiter !== null) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<Alert>> {
    const a = this.buf.shift();
    if (a !== undefined) return Promise.resolve({ value: a, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<Alert>> {
    this.detach(this);
    this.end();
    this.buf.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Alert> {
    return this;
  }
}

export class AlertHub {
  private readonly listeners = new Set<(a: Alert) => void>();
  private readonly streams = new Set<Stream>();
  private closed = false;

  /** Calls fn with every alert from now on; returns the function that stops it. */
  on(fn: (a: Alert) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Every alert from now on, as an async iterable (buffering at most maxBuffered). */
  stream(maxBuffered = 10_000): AlertStream {
    const s = new Stream(maxBuffered, (x) => this.streams.delete(x));
    if (this.closed) s.end();
    else this.streams.add(s);
    return s;
  }

  publish(a: Alert): void {
    for (const fn of this.listeners) {
      try {
        fn(a);
      } catch {
        // A listener must not break alerting or capture.
      }
    }
    for (const s of this.streams) s.push(a);
  }

  /** Ends every stream (after the alerts already buffered). */
  close(): void {
    this.closed = true;
    for (const s of this.streams) s.end();
    this.streams.clear();
  }
}
