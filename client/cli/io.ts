/**
 * What the CLI touches of its process, passed in so tests can run it in-process: the output
 * streams, the environment, and optionally fetch (the SDK's transport) and stdin for prompts.
 */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** For `cn login` prompts; without it the credentials come from flags or the environment. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}
