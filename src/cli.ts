#!/usr/bin/env node
/**
 * flowtap's command-line entry point (the `flowtap` bin): runs main() and
 * exits with its code. Unexpected errors are reported as internal errors.
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
