/**
 * Per-order ordering: a claimed row may be published only when every earlier unsettled row of
 * its order is in the same batch (and therefore published before it, in id order). A row
 * whose order still has an earlier row elsewhere — locked by another replica, or backing off —
 * waits for a later poll.
 */
export function publishableRows<R extends { id: number; aggregateId: string }>(
  claimed: R[],
  earliestPendingOutsideBatch: Map<string, number>,
): R[] {
  return [...claimed]
    .sort((a, b) => a.id - b.id)
    .filter((row) => {
      const blocker = earliestPendingOutsideBatch.get(row.aggregateId);
      return blocker === undefined || blocker > row.id;
    });
}
