/**
 * What the shared-memory rings (src/export/record-ring.ts,
 * src/workers/packet-ring.ts) share for waiting and waking:
 * Atomics.waitAsync (ES2024, in Node since 16), which the ES2022 library
 * typings this project compiles against do not declare: waits on an Int32Array
 * word without blocking the event loop; and publishing a position that wakes
 * the other side only when it said it waits.
 */
export type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

export const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): WaitAsyncResult;
}).waitAsync.bind(Atomics);

/**
 * Publishes `value` at ctl[at]; if the other side raised ctl[waiting] (it is
 * about to wait on ctl[at]), lowers it and wakes that side.
 */
export function storeAndWake(ctl: Int32Array, at: number, value: number, waiting: number): void {
  Atomics.store(ctl, at, value);
  if (Atomics.load(ctl, waiting) === 1) {
    Atomics.store(ctl, waiting, 0);
    Atomics.notify(ctl, at);
  }
}
