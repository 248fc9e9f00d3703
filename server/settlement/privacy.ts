/**
 * What an investor or dealer may see of a settlement instruction: its own side, never the other
 * party. The venue's trades are anonymous (executions and the tape name no counterparty), so a
 * settlement instruction must not name one either; the back office and operators see both sides.
 *
 * Pure: the view in, the same view with the counterparty's id set to null out.
 */
export function instructionAsSeenBy<T extends { buyerPartyId: string | null; sellerPartyId: string | null }>(view: T, partyId: string): T {
  return {
    ...view,
    buyerPartyId: view.buyerPartyId === partyId ? view.buyerPartyId : null,
    sellerPartyId: view.sellerPartyId === partyId ? view.sellerPartyId : null,
  };
}
