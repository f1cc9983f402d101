/**
 * Slack incoming webhooks (https://api.slack.com/messaging/webhooks): one
 * POST per alert with a Block Kit message (header, the alert's message,
 * source / window / counts / applications fields, community IDs), or a
 * plain `text` message (format: text). The `text` field is always set: it is
 * what notifications and old clients show. Slack answers 200 "ok"; 429
 * carries Retry-After; 400/403/404/410 mean the payload, token or channel is
 * wrong (not retried). mrkdwn text is escaped (&, <, >) as Slack requires.
 * The webhook URL is a secret: only its origin is ever shown.
 */
import type { Alert } from '../alert';
import { appsText } from '../alert';
import { originOf, postJson } from './http';
import type { AlertTransport } from './types';
import { formatCount } from '../../util/format';

const EMOJI: Record<string, string> = {
  critical: ':rotating_light:',
  high: ':red_circle:',
  medium: ':large_orange_diamond:',
  low: ':large_blue_circle:',
  info: ':information_source:',
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A time Slack shows in the reader's own time zone, with the UTC text as fallback. */
function slackDate(ms: number, format = '{date_num} {time_secs}'): string {
  return `<!date^${Math.floor(ms / 1000)}^${format}|${iso(ms)}>`;
}

function countsText(a: Alert): string {
  const c = a.counts;
  if (a.kind === 'scan') {
    const parts = [`${formatCount(c.dst_ports ?? 0)} ports`, `${formatCount(c.dst_hosts ?? 0)} host${c.dst_hosts === 1 ? '' : 's'}`, `${formatCount(c.flows ?? 0)} flows`];
    if ((c.tcp_attempts ?? 0) > 0) parts.push(`${formatCount(c.tcp_failed ?? 0)} of ${formatCount(c.tcp_attempts ?? 0)} TCP attempts failed`);
    return parts.join(' · ') + (a.approximate ? ' (estimated)' : '');
  }
  if (a.kind === 'summary') return `${formatCount(c.suppressed ?? 0)} alerts`;
  return `${formatCount(c.flows ?? 0)} matching flow${c.flows === 1 ? '' : 's'}${(c.suppressed ?? 0) > 0 ? ` (+${formatCount(c.suppressed ?? 0)} since the last alert)` : ''}`;
}

/** The webhook payload for an alert (exported for the docs and tests). */
export function slackPayload(a: Alert, format: 'blocks' | 'text'): Record<string, unknown> {
  const head = `[${a.severity.toUpperCase()}] ${a.rule}`;
  const text = `${head}: ${a.message}`;
  if (format === 'text' || a.kind === 'summary') {
    return { text: `${EMOJI[a.severity] ?? ''} *${esc(head)}*: ${esc(a.message)}`.trim() };
  }
  const fields: { type: 'mrkdwn'; text: string }[] = [
    { type: 'mrkdwn', text: `*Source*\n\`${esc(a.src_addr)}\`` },
    { type: 'mrkdwn', text: `*Window*\n${slackDate(a.window_start)} – ${slackDate(a.window_end, '{time_secs}')}` },
    { type: 'mrkdwn', text: `*Counts*\n${esc(countsText(a))}` },
    { type: 'mrkdwn', text: `*Applications*\n${esc(appsText(a.applications))}` },
  ];
  if (a.flow !== undefined) {
    const f = a.flow;
    fields.push({ type: 'mrkdwn', text: `*Flow*\n\`${esc(f.dst_addr)}:${f.dst_port}\` ${esc(f.l4)} ${esc(f.protocol_name)}${f.server_name ? ` (${esc(f.server_name)})` : ''}` });
    if (f.risks.length > 0) fields.push({ type: 'mrkdwn', text: `*Risks*\n${esc(f.risks.join(', '))}` });
  }
  const ids = a.community_ids.map((c) => `\`${c}\``).join(' ');
  return {
    text: esc(text),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${EMOJI[a.severity] ?? ''} ${head}`.trim().slice(0, 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: esc(a.message).slice(0, 3000) } },
      { type: 'section', fields: fields.map((x) => ({ ...x, text: x.text.slice(0, 2000) })) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${ids !== '' ? `Community IDs: ${ids} · ` : ''}raised ${slackDate(a.raised_at)} by flowtap` }] },
    ],
  };
}

export class SlackTransport implements AlertTransport {
  readonly name: string;
  private readonly url: string;
  private readonly format: 'blocks' | 'text';
  private readonly timeoutMs: number;

  constructor(webhookUrl: string, format: 'blocks' | 'text', timeoutMs: number) {
    this.url = webhookUrl;
    this.format = format;
    this.timeoutMs = timeoutMs;
    this.name = `slack ${originOf(webhookUrl).replace(/^https?:\/\//, '')}`;
  }

  async send(a: Alert): Promise<void> {
    await postJson(this.url, JSON.stringify(slackPayload(a, this.format)), {}, this.timeoutMs);
  }

  async close(): Promise<void> {}
}
