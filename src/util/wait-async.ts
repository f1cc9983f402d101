/**
 * Atomics.waitAsync (ES2024, in Node since 16), which the ES2022 library
 * typings this project compiles against do not declare: waits on an Int32Array
 * word without blocking the event loop. Used by the shared-memory rings
 * (src/export/record-ring.ts, src/workers/packet-ring.ts).
 */
export type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };

export const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): WaitAsyncResult;
}).waitAsync.bind(Atomics);
