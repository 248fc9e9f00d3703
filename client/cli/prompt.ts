/**
 * Asks a question on the terminal for `cn login`; a password is read without echo (raw mode),
 * so it never appears on screen or in the terminal's scrollback.
 */
import type { CliIo } from './io.js';

export function prompt(io: CliIo, question: string, secret = false): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream | undefined;
  if (!stdin) return Promise.resolve('');
  io.stderr.write(question);
  return new Promise((resolve) => {
    let answer = '';
    const raw = secret && typeof stdin.setRawMode === 'function';
    if (raw) stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          stdin.off('data', onData);
          if (raw) stdin.setRawMode(false);
          stdin.pause();
          if (secret) io.stderr.write('\n');
          resolve(answer.trim());
          return;
        }
        if (char === '\u0003') process.exit(130);
        answer = char === '\u007f' ? answer.slice(0, -1) : answer + char;
      }
    };
    stdin.on('data', onData);
  });
}
