/**
 * Builds the web app with Vite into client/web/dist (vite.config.web.ts). With `--if-stale` it
 * builds only when the inputs changed since the last build: a SHA-256 over the app's sources, the
 * SDK and the server's domain module it bundles, and the config, recorded in dist/.build-hash.
 * `npm start` runs it as prestart; the browser tests call ensureWebBuild().
 *
 * Guarantees: concurrent callers (parallel test workers) build once — the others wait on a lock
 * directory and then find the build current; a half-written dist is never left marked as built.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repository = fileURLToPath(new URL('../..', import.meta.url));
export const WEB_DIST = path.join(repository, 'client/web/dist');
const HASH_FILE = path.join(WEB_DIST, '.build-hash');
const LOCK_DIR = path.join(repository, 'client/web/.build-lock');
const LOCK_WAIT_MS = 120_000;
const INPUTS = [
  'client/web/index.html',
  'client/web/src',
  'client/web/public',
  'client/sdk',
  'server/domain',
  'vite.config.web.ts',
  'package-lock.json',
];

function files(entry: string): string[] {
  const full = path.join(repository, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [entry];
  return fs
    .readdirSync(full)
    .sort()
    .flatMap((name) => files(path.join(entry, name)));
}

/** The hash of every input file's path and content. */
export function inputsHash(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(files))
    hash
      .update(file)
      .update('\0')
      .update(fs.readFileSync(path.join(repository, file)))
      .update('\0');
  return hash.digest('hex');
}

function isCurrent(hash: string): boolean {
  return fs.existsSync(path.join(WEB_DIST, 'index.html')) && fs.existsSync(HASH_FILE) && fs.readFileSync(HASH_FILE, 'utf8') === hash;
}

async function build(hash: string): Promise<void> {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: path.join(repository, 'vite.config.web.ts'), logLevel: 'warn' });
  fs.writeFileSync(HASH_FILE, hash);
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a crashed build is older than any real build takes.
      if (Date.now() - fs.statSync(LOCK_DIR, { throwIfNoEntry: false })!.mtimeMs > LOCK_WAIT_MS)
        fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      else if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`waited ${LOCK_WAIT_MS} ms for ${LOCK_DIR}`);
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Builds unless the last build is of exactly these inputs; answers whether it built. */
export async function ensureWebBuild(options: { force?: boolean } = {}): Promise<boolean> {
  const hash = inputsHash();
  if (!options.force && isCurrent(hash)) return false;
  return withLock(async () => {
    if (!options.force && isCurrent(hash)) return false;
    await build(hash);
    return true;
  });
}

async function cli(): Promise<void> {
  const ifStale = process.argv.includes('--if-stale');
  let viteMissing = false;
  try {
    await import('vite');
  } catch {
    viteMissing = true;
  }
  if (viteMissing) {
    // A production install without devDependencies: serve what was built, or the API alone.
    const note = fs.existsSync(path.join(WEB_DIST, 'index.html')) ? 'serving the existing build' : 'the web app will not be served';
    process.stderr.write(`web app: vite is not installed (npm ci without dev dependencies?); ${note}\n`);
    return;
  }
  const started = Date.now();
  const built = await ensureWebBuild({ force: !ifStale });
  process.stderr.write(built ? `web app built into client/web/dist in ${Date.now() - started} ms\n` : 'web app is up to date\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await cli();
