/**
 * `cn … | head -1`: when the reader closes the pipe early, writes fail with EPIPE. That is the
 * reader's choice, not an error of cn: exit 0 quietly instead of printing a stack trace.
 */
export function exitQuietlyOnClosedPipe(
  stream: { on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown },
  exit: (code: number) => void,
): void {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') return exit(0);
    throw error;
  });
}
