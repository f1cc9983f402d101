/**
 * E-mail over SMTP (RFC 5321) with nodemailer: one message per alert, plain
 * text, subject "[flowtap] HIGH port-scan: 10.0.0.5", body with the message,
 * the evidence and the alert as JSON. SMTPS (secure: true, port 465) or
 * STARTTLS when the server offers it (require_tls makes it mandatory);
 * AUTH when a user is configured. SMTP 4xx answers and connection problems
 * are retried; 5xx and refused credentials are not. The password is never
 * shown.
 */
import * as nodemailer from 'nodemailer';
import type { Alert } from '../alert';
import { appsText } from '../alert';
import type { EmailConfig } from '../rules-config';
import { AlertTransport, NotifyError } from './types';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Subject and body of an alert's e-mail (exported for tests and docs). */
export function emailContent(a: Alert, prefix: string): { subject: string; text: string } {
  const subject = a.kind === 'summary'
    ? `${prefix} ${a.severity.toUpperCase()} ${a.message}`.slice(0, 200)
    : `${prefix} ${a.severity.toUpperCase()} ${a.rule}: ${a.src_addr}`;
  const c = a.counts;
  const lines = [a.message, '', `Rule:          ${a.rule} (${a.severity})`];
  if (a.src_addr !== '') lines.push(`Source:        ${a.src_addr}`);
  lines.push(`Window:        ${iso(a.window_start)} - ${iso(a.window_end)}`, `Raised at:     ${iso(a.raised_at)}`);
  const counts = Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ');
  if (counts !== '') lines.push(`Counts:        ${counts}${a.approximate ? ' (distinct counts estimated)' : ''}`);
  if (a.applications.length > 0) lines.push(`Applications:  ${appsText(a.applications)}`);
  if (a.flow !== undefined) {
    const f = a.flow;
    lines.push(`Flow:          ${f.l4} ${a.src_addr}:${f.src_port} -> ${f.dst_addr}:${f.dst_port} ${f.protocol_name} (${f.category}, ${f.confidence})${f.server_name ? ` ${f.server_name}` : ''}`);
    if (f.risks.length > 0) lines.push(`Risks:         ${f.risks.join(', ')}`);
  }
  if (a.community_ids.length > 0) lines.push(`Community IDs: ${a.community_ids.join(' ')}`);
  lines.push('', '-- ', 'The alert as JSON:', JSON.stringify(a, null, 2), '');
  return { subject: subject.replace(/[\r\n]+/g, ' '), text: lines.join('\n') };
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  message?: string;
}

export class EmailTransport implements AlertTransport {
  readonly name: string;
  private readonly cfg: EmailConfig;
  private transporter: nodemailer.Transporter | null = null;

  constructor(cfg: EmailConfig) {
    this.cfg = cfg;
    this.name = `email smtp${cfg.secure ? 's' : ''}://${cfg.host}:${cfg.port}`;
  }

  private get mailer(): nodemailer.Transporter {
    if (this.transporter === null) {
      const c = this.cfg;
      this.transporter = nodemailer.createTransport({
        host: c.host,
        port: c.port,
        secure: c.secure,
        requireTLS: c.requireTls,
        auth: c.user !== null ? { user: c.user, pass: c.password ?? '' } : undefined,
        connectionTimeout: c.timeoutMs,
        greetingTimeout: c.timeoutMs,
        socketTimeout: c.timeoutMs,
        tls: { rejectUnauthorized: c.verifyCertificate },
      });
    }
    return this.transporter;
  }

  async send(a: Alert): Promise<void> {
    const { subject, text } = emailContent(a, this.cfg.subjectPrefix);
    try {
      await this.mailer.sendMail({ from: this.cfg.from, to: this.cfg.to, subject, text });
    } catch (err) {
      throw this.classify(err as SmtpFailure);
    }
  }

  private classify(e: SmtpFailure): NotifyError {
    const where = `${this.cfg.host}:${this.cfg.port}`;
    const msg = `${where}: ${(e.message ?? String(e)).replace(/\s+/g, ' ').slice(0, 300)}`;
    if (e.code === 'EAUTH' || e.responseCode === 535 || e.responseCode === 534 || e.responseCode === 530) return new NotifyError('E_NOTIFY_AUTH', msg);
    if (e.code === 'ETLS' || /certificate/i.test(e.message ?? '')) return new NotifyError('E_NOTIFY_CONFIG', msg);
    if (typeof e.responseCode === 'number') {
      if (e.responseCode >= 400 && e.responseCode < 500) return new NotifyError('E_NOTIFY_BUSY', msg);
      if (e.responseCode >= 500) return new NotifyError('E_NOTIFY_REJECTED', msg);
    }
    if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return new NotifyError('E_NOTIFY_REJECTED', msg);
    if (e.code === 'ETIMEDOUT') return new NotifyError('E_NOTIFY_TIMEOUT', msg);
    return new NotifyError('E_NOTIFY_CONNECT', msg);
  }

  async close(): Promise<void> {
    this.transporter?.close();
    this.transporter = null;
  }
}
