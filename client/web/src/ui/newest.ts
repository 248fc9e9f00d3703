/**
 * For a view that loads again on each change of a pick or a filter: only the newest request's answer
 * may reach the screen. An earlier request that answers late (a slow deal, a wide date range) is
 * dropped, so the screen never shows data for a choice the user has already left.
 *
 *   const newest = newestOnly();
 *   const load = async () => {
 *     const current = newest();
 *     const rows = await app.client.something(pick.value);
 *     if (!current()) return;
 *     table.update(rows);
 *   };
 */
export function newestOnly(): () => () => boolean {
  let asked = 0;
  return () => {
    const ask = ++asked;
    return () => ask === asked;
  };
}
