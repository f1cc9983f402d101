/**
 * A conservative test for machine-generated (DGA) domain names, in the spirit
 * of nDPI's ndpi_check_dga_name: the registrable label (the one before the
 * public suffix, approximated as the label before the last one, or before a
 * two-letter country code with a short second level) is examined for what
 * human-chosen names rarely have together: length, long consonant runs, few
 * vowels, digits mixed into letters, high character entropy. Only names that
 * fail several tests are flagged, to keep false positives on real traffic low.
 */

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

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

export function looksLikeDga(name: string): boolean {
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
  let score = 0;
  if (maxRun >= 5) score++;
  if (vowels / label.length < 0.25) score++;
  if (digits > 0 && digits < label.length && digits / label.length >= 0.2) score++;
  if (entropy(label) >= 3.6) score++;
  if (label.length >= 18) score++;
  return score >= 3;
}

/**
 * Tor's TLS client names a random host: "www.<letters and digits>.com" or
 * ".net", the middle label holding at least one digit.
 */
export function torLikeHost(h: string): boolean {
  if (h.length <= 8 || !h.startsWith('www.') || !(h.endsWith('.com') || h.endsWith('.net'))) return false;
  const label = h.slice(4, h.indexOf('.', 4));
  return /^[a-z0-9]+$/.test(label) && /\d/.test(label);
}
