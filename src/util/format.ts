/**
 * Number formatting for messages to users: counts with thousands separators
 * ("153,529"), the same in every message whatever the machine's locale.
 */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
