/**
 * A real ClickHouse server for tests, without systemd: its own minimal
 * config.xml/users.xml in a temporary directory (data, logs, tmp all in
 * there), the HTTP interface on a free 127.0.0.1 port and no other listener,
 * started as `clickhouse-server --config-file=<dir>/config.xml` and ready when
 * GET /ping answers "Ok." (optionally HTTPS too, with a self-signed
 * certificate). The config uses only elements 18.16 (Debian 12's package) and
 * current releases share; 18.16 needs mark_cache_size set.
 *
 * A server that does not come up is a test failure carrying the tail of its
 * logs (never a skip). stop() kills it and removes the directory; the exit of
 * the test process kills it too (also an abrupt one, through setpriv's
 * parent-death signal, when setpriv is installed).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClickHouseServerOptions {
  /** Extra users: name → password (the `default` user has no password). */
  users?: Record<string, string>;
  /** Server time zone (IANA name); the machine's when absent. */
  timezone?: string;
  /** How long to wait for /ping (default 60 s: the machine may be busy). */
  startTimeoutMs?: number;
  /** Also serve HTTPS, with a self-signed certificate for 127.0.0.1 and localhost (made with the openssl command). */
  tls?: boolean;
}

export interface ClickHouseServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** https://127.0.0.1:<port> when started with tls. */
  readonly httpsUrl?: string;
  /** The self-signed certificate (PEM) when started with tls: the CA to trust. */
  readonly ca?: string;
  readonly dir: string;
  /** Runs SQL as `default` (or the given user); resolves with the answer body, rejects with ClickHouse's error text. */
  query(sql: string, user?: { name: string; password: string }): Promise<string>;
  /** The last lines of the server's logs (for failure messages). */
  logTail(lines?: number): string;
  /** Kills the server (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>;
  /** Kills the server but keeps its directory and port (a "server went down" case). */
  kill(): Promise<void>;
  /** Starts it again (after kill()) on the same port with the same data; waits for /ping. */
  restart(): Promise<void>;
}

const BINARY = 'clickhouse-server';
const HAS_SETPRIV = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).status === 0;

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function tlsXml(dir: string, httpsPort: number): string {
  return `  <https_port>${httpsPort}</https_port>
  <openSSL>
    <server>
      <certificateFile>${dir}/server.crt</certificateFile>
      <privateKeyFile>${dir}/server.key</privateKeyFile>
      <verificationMode>none</verificationMode>
      <loadDefaultCAFile>false</loadDefaultCAFile>
      <cacheSessions>true</cacheSessions>
      <disableProtocols>sslv2,sslv3</disableProtocols>
      <preferServerCiphers>true</preferServerCiphers>
    </server>
  </openSSL>
`;
}

function configXml(dir: string, port: number, timezone: string | undefined, httpsPort: number | undefined): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>information</level>
    <log>${dir}/log/server.log</log>
    <errorlog>${dir}/log/server.err.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${port}</http_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <keep_alive_timeout>3</keep_alive_timeout>
${timezone !== undefined ? `  <timezone>${xmlEscape(timezone)}</timezone>\n` : ''}${httpsPort !== undefined ? tlsXml(dir, httpsPort) : ''}</yandex>
`;
}

function usersXml(users: Record<string, string>): string {
  const user = (name: string, password: string): string =>
    `    <${name}>\n      <password>${xmlEscape(password)}</password>\n      <networks><ip>::/0</ip></networks>\n      <profile>default</profile>\n      <quota>default</quota>\n    </${name}>\n`;
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>2000000000</max_memory_usage>
    </default>
  </profiles>
  <users>
${user('default', '')}${Object.entries(users)
    .map(([n, p]) => user(n, p))
    .join('')}  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
`;
}

/** POSTs SQL to the HTTP interface. */
function post(port: number, sql: string, user?: { name: string; password: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
    if (user !== undefined) {
      headers['X-ClickHouse-User'] = user.name;
      headers['X-ClickHouse-Key'] = user.password;
    }
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(sql);
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'GET', path: '/ping', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 && body.startsWith('Ok.')));
      res.on('error', () => resolve(false));
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return `(no ${file})`;
  return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a private ClickHouse server; rejects (with the log tail) when it does not answer /ping in time. */
export async function startClickHouse(options: ClickHouseServerOptions = {}): Promise<ClickHouseServer> {
  const which = spawnSync('sh', ['-c', `command -v ${BINARY}`], { encoding: 'utf8' });
  if (which.status !== 0) throw new Error(`${BINARY} is not installed (Debian: apt-get install clickhouse-server); the ClickHouse tests need a real server`);
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options);
    } catch (e) {
      lastError = e as Error;
      // Only a port taken between choosing it and the server binding it is worth another try.
      if (!/Address already in use|Net Exception: Address/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError as Error;
}

async function startOnce(options: ClickHouseServerOptions): Promise<ClickHouseServer> {
  const dir = mkdtempSync(join(tmpdir(), 'flowtap-clickhouse-'));
  for (const d of ['log', 'data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, d));
  const port = await freePort();
  let httpsPort: number | undefined;
  let ca: string | undefined;
  if (options.tls === true) {
    httpsPort = await freePort();
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`openssl could not make the test certificate: ${made.error?.message ?? made.stderr.trim()}`);
    }
    ca = readFileSync(join(dir, 'server.crt'), 'utf8');
  }
  writeFileSync(join(dir, 'config.xml'), configXml(dir, port, options.timezone, httpsPort));
  writeFileSync(join(dir, 'users.xml'), usersXml(options.users ?? {}));
  const server = new Server(dir, port, options.startTimeoutMs ?? 60_000, httpsPort, ca);
  try {
    await server.launch();
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

class Server implements ClickHouseServer {
  readonly url: string;
  readonly httpsUrl?: string;
  private child: ChildProcess | null = null;
  private output = '';
  private stopped = false;
  private readonly killAtExit = (): void => {
    const c = this.child;
    if (c !== null && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly startTimeoutMs: number,
    httpsPort?: number,
    readonly ca?: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    if (httpsPort !== undefined) this.httpsUrl = `https://127.0.0.1:${httpsPort}`;
  }

  /** Spawns the server and waits for /ping. */
  async launch(): Promise<void> {
    this.output = '';
    const args = [`--config-file=${join(this.dir, 'config.xml')}`];
    // With setpriv (util-linux), the server is killed when this process dies, even by SIGKILL.
    const child = HAS_SETPRIV
      ? spawn('setpriv', ['--pdeathsig', 'KILL', '--', BINARY, ...args], { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(BINARY, args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (c: Buffer): void => {
      this.output = (this.output + c.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let spawnError: Error | null = null;
    child.on('error', (e) => (spawnError = e));
    process.on('exit', this.killAtExit);
    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      if (spawnError !== null || child.exitCode !== null || child.signalCode !== null) {
        await sleep(200);
        const why = spawnError !== null ? (spawnError as Error).message : `exit code ${child.exitCode ?? child.signalCode}`;
        throw new Error(`clickhouse-server did not start (${why}):\n${this.logTail()}`);
      }
      if (await ping(this.port)) return;
      if (Date.now() > deadline) {
        throw new Error(`clickhouse-server did not answer /ping on 127.0.0.1:${this.port} within ${this.startTimeoutMs / 1000} s:\n${this.logTail()}`);
      }
      await sleep(100);
    }
  }

  async query(sql: string, user?: { name: string; password: string }): Promise<string> {
    const r = await post(this.port, sql, user);
    if (r.status !== 200) throw new Error(`ClickHouse answered HTTP ${r.status} to ${sql.slice(0, 80)}: ${r.body.trim()}`);
    return r.body;
  }

  logTail(lines = 30): string {
    const log = (name: string): string => tail(join(this.dir, 'log', name), lines);
    return `--- server.err.log ---\n${log('server.err.log')}\n--- server.log ---\n${log('server.log')}\n--- output ---\n${this.output.trim()}`;
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 15_000))) {
        child.kill('SIGKILL');
        await waitExit(child, 5000);
      }
    }
    process.removeListener('exit', this.killAtExit);
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
