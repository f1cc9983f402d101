/**
 * Label text as nDPI prints it: "Master.App" when an application rides a
 * master protocol (TLS.YouTube, DNS.Google), else the single name; the
 * category of the application (or of the master when the application has
 * none).
 */
import { CATEGORY_NAMES, PROTOCOL_CATEGORY, PROTOCOL_NAMES } from './generated/protocols';

export function protocolName(app: number, master: number): string {
  const a = PROTOCOL_NAMES[app] ?? 'Unknown';
  if (master === 0 || master === app) return a;
  return `${PROTOCOL_NAMES[master] ?? 'Unknown'}.${a}`;
}

export function categoryId(app: number, master: number): number {
  const c = PROTOCOL_CATEGORY[app] ?? 0;
  return c !== 0 || master === 0 ? c : PROTOCOL_CATEGORY[master] ?? 0;
}

export function categoryName(app: number, master: number): string {
  return CATEGORY_NAMES[categoryId(app, master)] ?? 'Unspecified';
}
