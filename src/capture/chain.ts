/**
 * Several packet sources read one after another as one source (a playlist,
 * or the CLI's comma-separated list of inputs). Members may be given as
 * openers, called only when their turn comes, so a long list never holds more
 * than one file open. Parses nothing itself; stats are the live sum of the
 * members'.
 */

import type { PacketHandler, PacketSource, SourceStats } from './source';

/** Opens a member when its turn comes. */
export type SourceOpener = () => Promise<PacketSource>;

class ChainStats implements SourceStats {
  done: SourceStats = { packets: 0, bytes: 0, bytesRead: 0, files: 0 };
  current: SourceStats | null = null;
  get packets(): number {
    return this.done.packets + (this.current?.packets ?? 0);
  }
  get bytes(): number {
    return this.done.bytes + (this.current?.bytes ?? 0);
  }
  get bytesRead(): number {
    return this.done.bytesRead + (this.current?.bytesRead ?? 0);
  }
  get files(): number {
    return this.done.files + (this.current?.files ?? 0);
  }
}

class ChainSource implements PacketSource {
  readonly stats = new ChainStats();
  private started = false;

  constructor(
    readonly name: string,
    private readonly members: ReadonlyArray<PacketSource | SourceOpener>,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async run(handler: PacketHandler): Promise<void> {
    if (this.started) throw new Error(`${this.name}: run() called twice`);
    this.started = true;
    for (const m of this.members) {
      if (this.signal?.aborted === true) return;
      const src = typeof m === 'function' ? await m() : m;
      this.stats.current = src.stats;
      try {
        await src.run(handler);
      } finally {
        const d = this.stats.done;
        d.packets += src.stats.packets;
        d.bytes += src.stats.bytes;
        d.bytesRead += src.stats.bytesRead;
        d.files += src.stats.files;
        this.stats.current = null;
      }
    }
  }
}

/**
 * One source that reads `members` in order. run() stops at the first member
 * that fails (an opener's rejection included) with that member's error, and
 * opens no further member once `signal` is aborted.
 */
export function chainSources(name: string, members: ReadonlyArray<PacketSource | SourceOpener>, signal?: AbortSignal): PacketSource {
  return new ChainSource(name, members, signal);
}
