#!/usr/bin/env -S node --v8-pool-size=1
/**
 * flowtap's command-line entry point (the `flowtap` bin): runs main() and
 * exits with its code. Unexpected errors are reported as internal errors.
 *
 * The bin starts node with one V8 platform thread instead of four: the JIT
 * compiler's and the garbage collector's helper jobs then share one thread,
 * so on a small machine they take less of the packet thread's core (on 2
 * cores the bench input runs about 8% faster; docs/benchmarks.md). A flag
 * only node's command line can set, hence the shebang (env -S, coreutils
 * 8.30 or later); `node dist/cli.js` runs with node's defaults.
 */
import { main } from './cli/main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`flowtap: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);
