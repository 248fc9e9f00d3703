/**
 * Runs the `cn` bin as a user would: a child process started from another directory, with only
 * PATH, the service's URL and its own config directory (where `cn login` keeps the session) in its
 * environment, so nothing of the test's own environment leaks into what the CLI sees.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

export type CliResult = { code: number | null; out: string; err: string };

const CN_BIN = path.resolve('client/cli/cn.mjs');

export function runCn(args: string[], options: { url: string; configDir: string; env?: Record<string, string> }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CN_BIN, ...args], {
      cwd: os.tmpdir(), // the bin works from any directory
      env: { PATH: process.env.PATH ?? '', CN_URL: options.url, CN_CONFIG_DIR: options.configDir, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out, err }));
  });
}
