/**
 * Compiles every `contracts/*.sol` with solc-js (standard JSON, optimizer on, `evmVersion`
 * shanghai, the newest hardfork ganache 7 runs) into `contracts/artifacts/<ContractName>.json`
 * holding `{ abi, bytecode }`. Imports resolve to `contracts/` or to packages in node_modules
 * (OpenZeppelin).
 *
 * Guarantees: a compile error throws with solc's formatted messages and leaves the previous
 * artifacts in place. The compile is skipped, after a few `stat`s, while no input of the last
 * build (our sources, every imported file, this script) changed after that build started reading,
 * and the set of sources, the compiler version and the settings are unchanged, so tests can call
 * `compileContracts()` at the start of every run. Each file is written atomically (write, then
 * rename), so a concurrent reader never sees half an artifact; the build record is written last.
 * Never reads outside `contracts/` and node_modules, never writes outside `contracts/artifacts/`.
 *
 * Script: `tsx contracts/compile.ts [--force]`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CONTRACTS_DIR = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_DIR = path.dirname(CONTRACTS_DIR);
export const ARTIFACTS_DIR = path.join(CONTRACTS_DIR, 'artifacts');
const BUILD_RECORD = path.join(ARTIFACTS_DIR, 'build-info.json');
const THIS_SCRIPT = fileURLToPath(import.meta.url);
const requireFromProject = createRequire(path.join(PROJECT_DIR, 'package.json'));

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'shanghai',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
} as const;

export interface Artifact {
  abi: unknown[];
  bytecode: string;
}

export interface CompileResult {
  compiled: boolean;
  /** Contract names written (or, when skipped, recorded by the last build). */
  contracts: string[];
  elapsedMs: number;
}

interface BuildRecord {
  /** When the build started reading its inputs: a file changed after this makes the build stale. */
  startedAtMs: number;
  solcVersion: string;
  settings: string;
  /** Unit names of our own sources, sorted. */
  sources: string[];
  /** Absolute paths of every file the compiler read, imports included. */
  inputs: string[];
  contracts: string[];
}

interface SolcMessage {
  severity: 'error' | 'warning' | 'info';
  formattedMessage?: string;
  message: string;
}

interface SolcOutput {
  errors?: SolcMessage[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

export async function compileContracts(options: { force?: boolean } = {}): Promise<CompileResult> {
  const started = performance.now();
  const sources = ownSourceUnits();
  const solcVersion = installedSolcVersion();
  const record = readBuildRecord();
  if (!options.force && record && isFresh(record, sources, solcVersion)) {
    return { compiled: false, contracts: record.contracts, elapsedMs: performance.now() - started };
  }
  const { default: solc } = await import('solc');
  const startedAtMs = Date.now();
  const inputs = new Map<string, string>();
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(sources.map((unit) => [unit, { content: readUnit(unit, inputs) }])),
    settings: SETTINGS,
  };
  const findImports = (unit: string): { contents: string } | { error: string } => {
    try {
      return { contents: readUnit(unit, inputs) };
    } catch (error) {
      return { error: `cannot import ${unit}: ${(error as Error).message}` };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
  const messages = output.errors ?? [];
  const errors = messages.filter((m) => m.severity === 'error');
  if (errors.length > 0) {
    throw new Error(`solc ${solcVersion} failed:\n${errors.map((m) => m.formattedMessage ?? m.message).join('\n')}`);
  }
  for (const warning of messages.filter((m) => m.severity === 'warning')) {
    console.warn(warning.formattedMessage ?? warning.message);
  }
  const contracts = writeArtifacts(output, sources);
  const newRecord: BuildRecord = {
    startedAtMs,
    solcVersion,
    settings: JSON.stringify(SETTINGS),
    sources,
    inputs: [...inputs.values(), THIS_SCRIPT].sort(),
    contracts,
  };
  writeAtomically(BUILD_RECORD, JSON.stringify(newRecord, null, 2));
  return { compiled: true, contracts, elapsedMs: performance.now() - started };
}

/** Our own sources as solc unit names (`contracts/NoteRegistry.sol`), sorted. */
function ownSourceUnits(): string[] {
  const files = fs
    .readdirSync(CONTRACTS_DIR)
    .filter((name) => name.endsWith('.sol'))
    .sort();
  if (files.length === 0) throw new Error(`no .sol files in ${CONTRACTS_DIR}`);
  return files.map((name) => `contracts/${name}`);
}

/** Reads a source unit from contracts/ or from an installed package, and remembers its path. */
function readUnit(unit: string, inputs: Map<string, string>): string {
  if (unit.split('/').some((segment) => segment === '..' || segment === '')) throw new Error('path not allowed');
  const file = unit.startsWith('contracts/') ? path.join(PROJECT_DIR, unit) : requireFromProject.resolve(unit);
  const contents = fs.readFileSync(file, 'utf8');
  inputs.set(unit, file);
  return contents;
}

function installedSolcVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(requireFromProject.resolve('solc/package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

function readBuildRecord(): BuildRecord | null {
  try {
    return JSON.parse(fs.readFileSync(BUILD_RECORD, 'utf8')) as BuildRecord;
  } catch {
    return null;
  }
}

function isFresh(record: BuildRecord, sources: string[], solcVersion: string): boolean {
  if (record.solcVersion !== solcVersion || record.settings !== JSON.stringify(SETTINGS)) return false;
  if (record.sources.join('\n') !== sources.join('\n')) return false;
  const inputs = [...record.inputs, ...sources.map((unit) => path.join(PROJECT_DIR, unit))];
  for (const file of inputs) {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs > record.startedAtMs) return false;
  }
  return record.contracts.every((name) => fs.existsSync(artifactPath(name)));
}

/** Writes one artifact per contract declared in our own sources; returns their names. */
function writeArtifacts(output: SolcOutput, sources: string[]): string[] {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const names: string[] = [];
  for (const unit of sources) {
    for (const [name, contract] of Object.entries(output.contracts?.[unit] ?? {})) {
      if (names.includes(name)) throw new Error(`two contracts named ${name}: artifact names must be unique`);
      const artifact: Artifact = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
      writeAtomically(artifactPath(name), JSON.stringify(artifact));
      names.push(name);
    }
  }
  return names.sort();
}

export function artifactPath(contractName: string): string {
  return path.join(ARTIFACTS_DIR, `${contractName}.json`);
}

function writeAtomically(file: string, contents: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, file);
}

const invokedAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedAsScript) {
  compileContracts({ force: process.argv.includes('--force') }).then(
    (result) => {
      const what = result.compiled ? 'compiled' : 'up to date';
      console.log(`contracts ${what}: ${result.contracts.join(', ')} (${Math.round(result.elapsedMs)} ms)`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
