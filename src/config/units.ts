/**
 * Sizes and durations as the configuration file writes them, and back.
 *
 * Sizes: a whole number of bytes (4096), or a number with a unit. Binary units
 * are 1024-based: k/K, KiB, M, MiB, G, GiB, T, TiB (as dd(1) reads "64k"); the
 * two-letter SI units KB, MB, GB, TB are 1000-based. Units are case-insensitive,
 * a space before the unit is allowed, fractions are rounded down to whole bytes.
 *
 * Durations: plain seconds (30, 0.5), or one or more number+unit parts with
 * ms, s, m (minutes), h, d: 250ms, 30s, 5m, 1h, 1h30m. Results are whole
 * milliseconds (rounded).
 */

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1, b: 1,
  k: 1024, kib: 1024, kb: 1000,
  m: 1024 ** 2, mib: 1024 ** 2, mb: 1e6,
  g: 1024 ** 3, gib: 1024 ** 3, gb: 1e9,
  t: 1024 ** 4, tib: 1024 ** 4, tb: 1e12,
};

/** Bytes, or undefined when the text is not a size. */
export function parseSize(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(v.trim());
  if (!m) return undefined;
  const name = m[2].toLowerCase();
  if (!Object.hasOwn(SIZE_UNITS, name)) return undefined;
  const unit = SIZE_UNITS[name];
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The shortest exact spelling: 64MiB, 1GiB, 1500. */
export function formatSize(bytes: number): string {
  for (const [unit, n] of [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
  }
  return String(bytes);
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : undefined;
  const text = v.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let ms = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m) return undefined;
    ms += Number(m[1]) * DURATION_UNITS[m[2]];
    at = part.lastIndex;
  }
  if (at === 0) return undefined;
  const r = Math.round(ms);
  return Number.isSafeInteger(r) ? r : undefined;
}

/** 250ms, 30s, 1m30s, 1h, 2d. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  let out = '';
  for (const [unit, n] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= n) {
      out += `${Math.floor(s / n)}${unit}`;
      s %= n;
    }
  }
  return out;
}
