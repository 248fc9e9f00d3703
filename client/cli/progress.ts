/** A text progress bar for long work (settlement runs, statement exports), drawn on stderr. */
const BAR_WIDTH = 30;

export function progressBar(processed: number, total: number): string {
  const ratio = total === 0 ? 1 : Math.min(1, processed / total);
  const filled = Math.round(ratio * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${processed}/${total}`;
}
