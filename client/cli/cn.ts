/**
 * Entry point of the `cn` command (package.json "bin" → cn.mjs → here); see index.ts and
 * `cn --help` for the commands and the exit codes.
 */
import { run } from './index.js';
import { exitQuietlyOnClosedPipe } from './epipe.js';

exitQuietlyOnClosedPipe(process.stdout, (code) => process.exit(code));

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
});
