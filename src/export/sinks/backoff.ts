/**
 * Retry pacing for the delivery layer: exponential backoff with "equal
 * jitter" (half the step fixed, half random), so many probes that lost the
 * same collector do not all come back at the same instant. The delay for
 * attempt n (1 = first retry) is drawn from [step/2, step] with
 * step = min(maxMs, minMs * 2^(n-1)), and is never below minMs nor above maxMs.
 */

export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const lo = Math.max(0, minMs);
  const hi = Math.max(lo, maxMs);
  const exp = Math.min(Math.max(attempt, 1) - 1, 52);
  const step = Math.min(hi, lo * 2 ** exp);
  const d = step / 2 + random() * (step / 2);
  return Math.round(Math.min(hi, Math.max(lo, d)));
}
