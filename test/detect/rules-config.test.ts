/**
 * The `alerts:` section: the sample file is valid (with its secrets in the
 * environment), defaults apply when keys are left out, and a bad section
 * is refused with every problem listed, each with file:line:col and key
 * path, without repeating secret values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAlertsConfig, DEFAULTS } from '../../src/detect/rules-config';
import { UsageError } from '../../src/util/errors';
import { P } from '../../src/dpi/generated/protocols';
import { configFrom, EXAMPLE_CONFIG, yamlWhere } from './helpers';
import { scratch } from '../support/common';

const ENV = {
  FLOWTAP_SLACK_WEBHOOK: 'https://hooks.slack.com/services/T000/B000/secret-token-1',
  FLOWTAP_SMTP_PASSWORD: 'smtp-secret-2',
  FLOWTAP_WEBHOOK_AUTH: 'Bearer secret-3',
};

function configError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected UsageError, got ${String(err)}`);
    assert.equal(err.code, 'E_CONFIG');
    return err;
  }
  assert.fail('no error');
}

test('the-sample-configuration-is-valid-and-resolves-its-secrets-from-the-environment', () => {
  const { raw, where } = yamlWhere(readFileSync(EXAMPLE_CONFIG, 'utf8'), 'flowtap.example.yaml');
  const cfg = parseAlertsConfig(raw, where, { env: ENV });
  assert.deepEqual(cfg.rules.map((r) => r.name), [
    'bittorrent', 'tor', 'vpn-out', 'remote-access-out', 'remote-control-software', 'db-not-via-bastion',
    'clear-text-credentials', 'malware-indicators', 'paste-and-tunnel-sites',
  ]);
  assert.equal(cfg.windowMs, 60_000);
  assert.equal(cfg.realertMs, 600_000);
  assert.equal(cfg.scans.portScan.threshold, 100);
  assert.equal(cfg.notify.slack[0].webhookUrl, ENV.FLOWTAP_SLACK_WEBHOOK);
  assert.equal(cfg.notify.email[0].password, ENV.FLOWTAP_SMTP_PASSWORD);
  assert.equal(cfg.notify.webhook[0].headers.Authorization, ENV.FLOWTAP_WEBHOOK_AUTH);
  assert.equal(cfg.notify.syslog[0].transport, 'tcp');
  assert.equal(cfg.notify.syslog[0].facility, 16);
  const db = cfg.rules.find((r) => r.name === 'db-not-via-bastion');
  assert.ok(db);
  assert.deepEqual(db.match[0].applications, [P.MySQL, P.PostgreSQL, P.MsSQL_TDS, P.MongoDB, P.Redis]);
  assert.equal(db.match[0].srcNot?.containsText('10.20.0.10'), true, 'bastions network name resolved');
  assert.equal(db.match[0].srcNot?.containsText('10.20.0.12'), false);
  assert.deepEqual(db.match[0].confidence, [1, 3, 4], 'application rules default to labels seen in the traffic');
  assert.equal(cfg.internal.containsText('2001:db8:1::1'), true);
});

test('an-empty-section-gets-the-documented-defaults', () => {
  const cfg = parseAlertsConfig({}, () => '');
  assert.equal(cfg.enabled, true);
  assert.equal(cfg.windowMs, DEFAULTS.windowMs);
  assert.equal(cfg.holdMs, DEFAULTS.holdMs);
  assert.equal(cfg.maxSources, DEFAULTS.maxSources);
  assert.equal(cfg.scans.portScan.threshold, 100);
  assert.equal(cfg.scans.hostSweep.threshold, 100);
  assert.equal(cfg.scans.failedConnections.minFailed, 30);
  assert.equal(cfg.internal.containsText('192.168.3.4'), true);
  assert.equal(cfg.internal.containsText('8.8.8.8'), false);
  assert.deepEqual(cfg.rules, []);
  assert.equal(parseAlertsConfig(undefined, () => '').windowMs, 60_000);
});

test('durations-accept-seconds-and-units', () => {
  const cfg = configFrom('alerts:\n  window: 90\n  realert: 1h30m\n  hold: 2500ms\n');
  assert.equal(cfg.windowMs, 90_000);
  assert.equal(cfg.realertMs, 5_400_000);
  assert.equal(cfg.holdMs, 2500);
});

test('every-problem-is-listed-with-its-location-and-key-path', () => {
  const text = [
    'alerts:',
    '  window: forever',
    '  colour: blue',
    '  scans:',
    '    port_scan:',
    '      threshold: 1',
    '  rules:',
    '    - name: p2p',
    '      severity: urgent',
    '      match:',
    '        application: [Bittorent]',
    '        risk: [No Such Risk]',
    '        direction: sideways',
    '        dst_port: [70000]',
    '    - name: p2p',
    '      severity: low',
    '      message: "{src_addr} {nonsense}"',
    '      match: { src_not: [bastions] }',
    '    - name: empty',
    '      severity: low',
    '      match: {}',
    '',
  ].join('\n');
  const err = configError(() => configFrom(text, 'flowtap.yaml'));
  const lines = err.message.split('\n');
  assert.match(lines[0], /invalid alerts configuration \(\d+ problems\)/);
  const expect: [RegExp, string][] = [
    [/^flowtap\.yaml:2:11: alerts\.window: must be a duration/, 'window'],
    [/^flowtap\.yaml:3:\d+: alerts\.colour: unknown key; expected one of: enabled, window/, 'unknown key'],
    [/^flowtap\.yaml:6:18: alerts\.scans\.port_scan\.threshold: must be an integer from 2 to 5000/, 'threshold'],
    [/^flowtap\.yaml:9:\d+: alerts\.rules\[0\]\.severity: must be one of: info, low, medium, high, critical/, 'severity'],
    [/alerts\.rules\[0\]\.match\.application\[0\]: unknown application 'Bittorent' \(did you mean 'BitTorrent'\?\)/, 'application'],
    [/alerts\.rules\[0\]\.match\.risk\[0\]: unknown risk 'No Such Risk'/, 'risk'],
    [/alerts\.rules\[0\]\.match\.direction: must be one of: outbound, inbound, internal, external/, 'direction'],
    [/alerts\.rules\[0\]\.match\.dst_port\[0\]: '70000' is not a port/, 'port'],
    [/^flowtap\.yaml:15:\d+: alerts\.rules\[1\]\.name: 'p2p' is used by another rule/, 'duplicate'],
    [/alerts\.rules\[1\]\.message: unknown placeholder \{nonsense\}/, 'placeholder'],
    [/alerts\.rules\[1\]\.match\.src_not\[0\]: 'bastions' is not an IPv4 or IPv6 address/, 'network name'],
    [/alerts\.rules\[2\]\.match: needs at least one condition/, 'empty match'],
  ];
  for (const [re, what] of expect) assert.ok(lines.some((l) => re.test(l.trim())), `${what}: no line matches ${re}\n${err.message}`);
  assert.equal(lines.length - 1, expect.length, `one line per problem:\n${err.message}`);
});

test('secrets-never-appear-in-messages', () => {
  const secret = 'https://hooks.slack.com/services/T1/B2/very-secret';
  const err = configError(() => parseAlertsConfig({
    notify: {
      slack: { webhook_url: secret.replace('https', 'ftp') },
      webhook: { url: 'not a url with secret-token', headers: { Authorization: '${env:FLOWTAP_TEST_UNSET_VAR}' } },
      email: { host: 'smtp.example.net', from: 'a@example.net', to: 'b@example.net', password: 'hunter2', password_file: '/nonexistent' },
    },
  }, () => ''));
  assert.doesNotMatch(err.message, /very-secret|secret-token|hunter2/);
  assert.match(err.message, /alerts\.notify\.slack\.webhook_url: must be an http:\/\/ or https:\/\/ URL/);
  assert.match(err.message, /alerts\.notify\.webhook\.url: is not a valid URL/);
  assert.match(err.message, /alerts\.notify\.webhook\.headers\.Authorization: environment variable FLOWTAP_TEST_UNSET_VAR is not set/);
  assert.match(err.message, /alerts\.notify\.email\.password: give either password or password_file, not both/);
});

test('secrets-can-come-from-files', () => {
  const f = join(scratch(), 'slack.url');
  writeFileSync(f, 'https://hooks.slack.com/services/T/B/x\n');
  const cfg = parseAlertsConfig({ notify: { slack: [{ webhook_url_file: f }, { webhook_url: `\${file:${f}}`, format: 'text' }] } }, () => '');
  assert.equal(cfg.notify.slack.length, 2);
  assert.equal(cfg.notify.slack[0].webhookUrl, 'https://hooks.slack.com/services/T/B/x');
  assert.equal(cfg.notify.slack[1].webhookUrl, 'https://hooks.slack.com/services/T/B/x');
  assert.equal(cfg.notify.slack[1].id, 'slack[1]');
  assert.equal(cfg.notify.slack[0].ratePerMinute, 20, 'Slack is rate-limited by default');
});

test('direction-rules-need-internal-networks', () => {
  const err = configError(() => parseAlertsConfig({ internal_networks: [], rules: [{ name: 'x', severity: 'low', match: { direction: 'outbound' } }] }, () => ''));
  assert.match(err.message, /alerts\.rules\[0\]\.match\.direction: needs alerts\.internal_networks/);
});
