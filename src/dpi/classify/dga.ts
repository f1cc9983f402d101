/**
 * A conservative test for machine-generated (DGA) domain names, in the spirit
 * of nDPI's ndpi_check_dga_name: the registrable label (the one before the
 * public suffix, approximated as the label before the last one, or before a
 * two-letter country code with a short second level) is examined for what
 * human-chosen names rarely have together: length, long consonant runs, few
 * vowels, digits mixed into letters, high character entropy. Only names that
 * fail several tests are flagged, to keep false positives on real traffic low.
 *
 * Runs once per flow that has a server name, so ASCII names (nearly all) are
 * examined in place, by character codes, without allocating; other names go
 * through the same steps on strings (lower-casing may change their length).
 * Both paths give the same answer for an ASCII name (dga.test.ts).
 */

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

/** Counts of each ASCII character of the label being scored, and "its entropy term was added" flags. */
const counts = new Int32Array(128);
const counted = new Uint8Array(128);

function registrableLabel(name: string): string {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  if (labels.length < 2) return labels[0] ?? '';
  let i = labels.length - 2;
  const tld = labels[labels.length - 1];
  if (tld.length === 2 && labels.length >= 3 && labels[i].length <= 3) i--;
  return labels[i];
}

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let e = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    e -= p * Math.log2(p);
  }
  return e;
}

/** The score of the examined features: one point for each that human-chosen names rarely have. */
function dgaScore(length: number, vowels: number, digits: number, maxRun: number, entropyBits: number): number {
  let score = 0;
  if (maxRun >= 5) score++;
  if (vowels / length < 0.25) score++;
  if (digits > 0 && digits < length && digits / length >= 0.2) score++;
  if (entropyBits >= 3.6) score++;
  if (length >= 18) score++;
  return score;
}

/** looksLikeDga() on strings, for names with characters beyond ASCII. */
function looksLikeDgaText(name: string): boolean {
  const label = registrableLabel(name);
  if (label.length < 12 || label.startsWith('xn--')) return false;
  let vowels = 0;
  let digits = 0;
  let run = 0;
  let maxRun = 0;
  for (const c of label) {
    if (c >= '0' && c <= '9') {
      digits++;
      run = 0;
    } else if (VOWELS.has(c)) {
      vowels++;
      run = 0;
    } else if (c >= 'a' && c <= 'z') {
      run++;
      if (run > maxRun) maxRun = run;
    } else {
      run = 0;
    }
  }
  return dgaScore(label.length, vowels, digits, maxRun, entropy(label)) >= 3;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

function isVowel(c: number): boolean {
  return c === 0x61 || c === 0x65 || c === 0x69 || c === 0x6f || c === 0x75 || c === 0x79;
}

/**
 * Entropy of name[from, to) lower-cased, in bits per character: the terms are
 * summed in order of each character's first appearance, as entropy() does.
 */
function asciiEntropy(name: string, from: number, to: number): number {
  for (let i = from; i < to; i++) counts[lower(name.charCodeAt(i))]++;
  const len = to - from;
  let e = 0;
  for (let i = from; i < to; i++) {
    const c = lower(name.charCodeAt(i));
    if (counted[c] !== 0) continue;
    counted[c] = 1;
    const p = counts[c] / len;
    e -= p * Math.log2(p);
  }
  for (let i = from; i < to; i++) {
    const c = lower(name.charCodeAt(i));
    counts[c] = 0;
    counted[c] = 0;
  }
  return e;
}

/** Start of the label that ends at name[dot] (a dot, or the end of the name). */
function labelStart(name: string, dot: number): number {
  return dot > 0 ? name.lastIndexOf('.', dot - 1) + 1 : 0;
}

/** looksLikeDga() of an ASCII name, on character codes. */
function looksLikeDgaAscii(name: string): boolean {
  // Labels are what registrableLabel()'s split gives, after one trailing dot is dropped.
  const end = name.length > 0 && name.charCodeAt(name.length - 1) === 0x2e ? name.length - 1 : name.length;
  const lastDot = end > 0 ? name.lastIndexOf('.', end - 1) : -1;
  let from = 0;
  let to = end;
  if (lastDot >= 0) {
    to = lastDot;
    from = labelStart(name, to);
    if (end - lastDot - 1 === 2 && from > 0 && to - from <= 3) {
      to = from - 1;
      from = labelStart(name, to);
    }
  }
  const len = to - from;
  if (len < 12) return false;
  if (lower(name.charCodeAt(from)) === 0x78 && lower(name.charCodeAt(from + 1)) === 0x6e &&
      name.charCodeAt(from + 2) === 0x2d && name.charCodeAt(from + 3) === 0x2d) return false;
  let vowels = 0;
  let digits = 0;
  let run = 0;
  let maxRun = 0;
  for (let i = from; i < to; i++) {
    const c = lower(name.charCodeAt(i));
    if (c >= 0x30 && c <= 0x39) {
      digits++;
      run = 0;
    } else if (isVowel(c)) {
      vowels++;
      run = 0;
    } else if (c >= 0x61 && c <= 0x7a) {
      run++;
      if (run > maxRun) maxRun = run;
    } else {
      run = 0;
    }
  }
  return dgaScore(len, vowels, digits, maxRun, asciiEntropy(name, from, to)) >= 3;
}

export function looksLikeDga(name: string): boolean {
  return isAscii(name) ? looksLikeDgaAscii(name) : looksLikeDgaText(name);
}

/** For tests: the string path, whatever the name holds. */
export const looksLikeDgaByText = looksLikeDgaText;

/**
 * Tor's TLS client names a random host: "www.<letters and digits>.com" or
 * ".net", the middle label holding at least one digit.
 */
export function torLikeHost(h: string): boolean {
  if (h.length <= 8 || !h.startsWith('www.') || !(h.endsWith('.com') || h.endsWith('.net'))) return false;
  const label = h.slice(4, h.indexOf('.', 4));
  return /^[a-z0-9]+$/.test(label) && /\d/.test(label);
}
