/**
 * The relay loop's batch size: with a backlog (a pass settled a full batch) it doubles up to
 * `max`, so one claim, one Kafka request and one settle cover more rows; a partial pass brings
 * it back to `base`, so a quiet outbox keeps small claims and short row locks.
 */
export function adaptiveBatchSize(base: number, max: number) {
  let size = base;
  let backlog = false;
  return {
    get current() {
      return size;
    },
    /** The last pass settled a full batch: more rows are likely waiting. */
    get backlog() {
      return backlog;
    },
    after(settled: number) {
      backlog = settled >= size;
      size = backlog ? Math.min(Math.max(base, max), size * 2) : base;
    },
  };
}
