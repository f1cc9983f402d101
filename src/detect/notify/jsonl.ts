/**
 * Alerts as JSON Lines (`--alerts <file|->`): one alert object per line,
 * appended to a file or written to standard output. send() resolves when the
 * line has been handed to the operating system.
 */
import { createWriteStream, WriteStream } from 'node:fs';
import type { Alert } from '../alert';
import { AlertTransport, NotifyError } from './types';

export class JsonlTransport implements AlertTransport {
  readonly name: string;
  private readonly path: string;
  private stream: WriteStream | null = null;
  private failure: Error | null = null;

  constructor(path: string) {
    this.path = path;
    this.name = path === '-' ? 'standard output' : `file ${path}`;
  }

  private out(): NodeJS.WritableStream {
    if (this.path === '-') return process.stdout;
    if (this.stream === null) {
      const s = createWriteStream(this.path, { flags: 'a' });
      s.on('error', (e) => {
        this.failure = e;
      });
      this.stream = s;
    }
    return this.stream;
  }

  send(a: Alert): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) {
        const e = this.failure;
        this.failure = null;
        this.stream?.destroy();
        this.stream = null;
        reject(new NotifyError('E_NOTIFY_CONFIG', `${this.path}: ${e.message}`));
        return;
      }
      this.out().write(JSON.stringify(a) + '\n', (err) => {
        if (err) reject(new NotifyError('E_NOTIFY_CONFIG', `${this.path}: ${err.message}`));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    const s = this.stream;
    this.stream = null;
    if (s !== null) await new Promise<void>((resolve) => s.end(() => resolve()));
  }
}
