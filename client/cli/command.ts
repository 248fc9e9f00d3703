/**
 * The shape of a `cn` command: its name, help group, usage and summary, and `run`, which gets the
 * parsed arguments, the output and a lazily connected SDK client. `run` returns an exit code
 * (0 when it returns nothing) or throws: a UsageError, an ApiError or an AuthError.
 */
import type { ComputeNotesClient } from '../sdk/index.js';
import type { Args } from './args.js';
import type { CliIo } from './io.js';
import type { Output } from './output.js';

export interface Context {
  args: Args;
  io: CliIo;
  out: Output;
  client(): Promise<ComputeNotesClient>;
}

export interface Command {
  name: string;
  group: 'Session' | 'Market data' | 'Trading' | 'RFQ' | 'Pricing' | 'Back office' | 'Surveillance' | 'Risk';
  usage: string;
  summary: string;
  run(context: Context): Promise<number | void>;
}
