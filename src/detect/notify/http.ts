/**
 * One HTTP(S) POST of a JSON body with a deadline (node:http / node:https),
 * and the mapping of what came back to a NotifyError: 2xx is success;
 * 429 and 5xx are "busy" (retried, honouring Retry-After in seconds or as an
 * HTTP date, RFC 9110 section 10.2.3); 401/403 are "auth"; other 4xx
 * "rejected". Only the URL's origin appears in names and messages: webhook
 * paths and queries carry tokens.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { NotifyError } from './types';

export interface HttpAnswer {
  status: number;
  body: string;
}

/** scheme://host[:port] of a URL, for names and messages. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

function retryAfterMs(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

/** Posts body (JSON text) to url; resolves with the answer when 2xx, rejects with a NotifyError otherwise. */
export function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new NotifyError('E_NOTIFY_CONFIG', 'the URL is not valid'));
      return;
    }
    const origin = u.origin;
    const mod = u.protocol === 'https:' ? https : http;
    const data = Buffer.from(body, 'utf8');
    let done = false;
    const finish = (err: NotifyError | null, answer?: HttpAnswer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err !== null) reject(err);
      else resolve(answer as HttpAnswer);
    };
    const req = mod.request(u, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(data.length), 'user-agent': 'flowtap', ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < 65536) chunks.push(c);
        size += c.length;
      });
      res.on('error', (e) => finish(new NotifyError('E_NOTIFY_CONNECT', `${origin}: ${e.message}`)));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8').slice(0, 200).replace(/\s+/g, ' ').trim();
        const what = `${origin} answered HTTP ${status}${text !== '' ? ` (${text})` : ''}`;
        if (status >= 200 && status < 300) finish(null, { status, body: text });
        else if (status === 429 || status >= 500) finish(new NotifyError('E_NOTIFY_BUSY', what, retryAfterMs(res.headers['retry-after'])));
        else if (status === 401 || status === 403) finish(new NotifyError('E_NOTIFY_AUTH', what));
        else finish(new NotifyError('E_NOTIFY_REJECTED', what));
      });
    });
    const timer = setTimeout(() => {
      finish(new NotifyError('E_NOTIFY_TIMEOUT', `${origin}: no answer within ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      const tls = /certificate|SSL|TLS/i.test(e.message) || (e.code ?? '').startsWith('ERR_TLS') || (e.code ?? '').includes('CERT');
      finish(new NotifyError(tls ? 'E_NOTIFY_CONFIG' : 'E_NOTIFY_CONNECT', `${origin}: ${e.message}`));
    });
    req.end(data);
  });
}
