/**
 * E-mail against a local SMTP server (smtp-server): the message (envelope,
 * subject, body with the evidence and the JSON), AUTH with the configured
 * user, a temporary 451 answer retried, refused credentials not retried and
 * the password never logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession, SMTPServerAuthentication, SMTPServerAuthenticationResponse } from 'smtp-server';
import { EmailTransport } from '../../../src/detect/notify/email';
import { NotifierQueue } from '../../../src/detect/notify/queue';
import type { EmailConfig } from '../../../src/detect/rules-config';
import { MemoryLog, sampleAlert, until } from './support';

interface Mail {
  from: string;
  to: string[];
  user: string | undefined;
  data: string;
}

async function smtp(opts: { failFirst?: number; password?: string } = {}): Promise<{ server: SMTPServer; port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  let failures = opts.failFirst ?? 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth: SMTPServerAuthentication, _s: SMTPServerSession, cb: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void) {
      if (auth.username === 'flowtap' && auth.password === (opts.password ?? 'right-password')) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures > 0) {
          failures--;
          cb(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          return;
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          data: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.server.address() as AddressInfo).port, mails };
}

function cfg(port: number, over: Partial<EmailConfig> = {}): EmailConfig {
  return {
    id: 'email', minSeverity: 'info', ratePerMinute: 0, queueSize: 10, timeoutMs: 5000,
    host: '127.0.0.1', port, secure: false, requireTls: false, user: 'flowtap', password: 'right-password',
    from: 'flowtap@example.net', to: ['soc@example.net', 'oncall@example.net'], subjectPrefix: '[flowtap]', verifyCertificate: true, ...over,
  };
}

function close(server: SMTPServer): Promise<void> {
  return new Promise((r) => server.close(() => r()));
}

/** The decoded text of a quoted-printable body (soft line breaks and =XX escapes). */
function unqp(s: string): string {
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

test('an-alert-is-mailed-with-its-evidence-after-logging-in', async () => {
  const { server, port, mails } = await smtp();
  try {
    const t = new EmailTransport(cfg(port));
    await t.send(sampleAlert());
    await t.close();
    assert.equal(mails.length, 1);
    const m = mails[0];
    assert.equal(m.user, 'flowtap');
    assert.equal(m.from, 'flowtap@example.net');
    assert.deepEqual(m.to, ['soc@example.net', 'oncall@example.net']);
    assert.match(m.data, /^Subject: \[flowtap\] HIGH port-scan: 10\.1\.1\.66\r?$/m);
    const body = Buffer.from(unqp(m.data), 'latin1').toString('utf8');
    assert.match(body, /10\.1\.1\.66 contacted 241 ports on 1 host\(s\) in 13 s, mostly Skype/);
    assert.match(body, /Source: +10\.1\.1\.66/);
    assert.match(body, /Window: +2024-05-02T10:00:00\.000Z - 2024-05-02T10:00:13\.000Z/);
    assert.match(body, /Applications: +Skype_Teams 180, Unknown 61/);
    assert.match(body, /Community IDs: 1:CKjIu74Mo1jEpAo0GJdffO8dfX8= 1:HqG4YVVR9baSIxQyB5LdC0nEPZ4=/);
    assert.match(body, /"rule": "port-scan"/);
  } finally {
    await close(server);
  }
});

test('a-temporary-smtp-refusal-is-retried', async () => {
  const { server, port, mails } = await smtp({ failFirst: 1 });
  try {
    const log = new MemoryLog();
    const q = new NotifierQueue(new EmailTransport(cfg(port)), { minSeverity: 'info', ratePerMinute: 0, queueSize: 10, backoffMs: 20 }, log);
    q.offer(sampleAlert());
    await until(() => mails.length === 1, 10_000, 'the mail');
    const stats = await q.close(2000);
    assert.equal(stats.delivered, 1);
    assert.equal(log.lines.length, 2, log.lines.join('\n'));
    assert.match(log.lines[0], /^warn alerts to email smtp:\/\/127\.0\.0\.1:\d+: 127\.0\.0\.1:\d+: .*451.* \(E_NOTIFY_BUSY\); retrying/);
    assert.match(log.lines[1], /^info .*delivering again/);
  } finally {
    await close(server);
  }
});

test('refused-credentials-are-not-retried-and-the-password-is-never-logged', async () => {
  const { server, port, mails } = await smtp({ password: 'another-password' });
  try {
    const log = new MemoryLog();
    const q = new NotifierQueue(new EmailTransport(cfg(port)), { minSeverity: 'info', ratePerMinute: 0, queueSize: 10, backoffMs: 20 }, log);
    q.offer(sampleAlert());
    q.offer(sampleAlert());
    await until(() => q.stats.failed === 2, 10_000, 'two refusals');
    await q.close(1000);
    assert.equal(mails.length, 0);
    assert.equal(log.lines.length, 1, log.lines.join('\n'));
    assert.match(log.lines[0], /E_NOTIFY_AUTH\); not retried/);
    assert.ok(!log.lines[0].includes('right-password'));
  } finally {
    await close(server);
  }
});
