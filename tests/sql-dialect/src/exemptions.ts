/**
 * Reviewed exceptions, each with its reason. `file` is relative to the repository root;
 * `statement`, when given, limits the exception to statements containing that text.
 */
export interface Exemption {
  file: string;
  statement?: string;
  reason: string;
}

export const EXEMPTIONS: readonly Exemption[] = [
  {
    file: "services/order/test/fixtures/0003_orders_archive_reservation.old.sql",
    reason:
      "the MariaDB-only 0003 file that old installs applied, kept byte for byte so the test of the superseded checksum can replay it",
  },
];

export function isExempt(file: string, sql: string, list: readonly Exemption[] = EXEMPTIONS) {
  return list.some((e) => e.file === file && (!e.statement || sql.includes(e.statement)));
}
