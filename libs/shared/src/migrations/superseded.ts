/**
 * Applied migrations whose file was later rewritten on purpose, each reviewed: the new file has
 * the same effect on a database that applied the old one, so the runner accepts the old
 * checksum there (and records the new one). Anything else edited after it was applied still
 * stops the run. Add an entry only with the reason, both checksums and a test that migrates
 * a database with the old file.
 */
export interface SupersededMigration {
  version: string;
  /** The checksum databases recorded when they applied the old file. */
  replaced: string;
  /** The checksum of the file as it is now; a further edit is refused again. */
  by: string;
  why: string;
}

export const SUPERSEDED_MIGRATIONS: readonly SupersededMigration[] = [
  {
    version: "0003_orders_archive_reservation",
    replaced: "a09b258aeac1bd97078e46f06c5608efab46ca175de560a21df750a80096386c",
    by: "4fe537bf44b5d4c984d96861a9deb9baf82f4faab9827735ebdb41df0a59cd59",
    why: "a plain CREATE INDEX of the same index replaced the MariaDB-only IF NOT EXISTS form",
  },
];

/** The reviewed entry that lets `recorded` stand for the file now checksummed `current`. */
export function supersededEntry(
  version: string,
  recorded: string,
  current: string,
  list: readonly SupersededMigration[] = SUPERSEDED_MIGRATIONS,
): SupersededMigration | undefined {
  return list.find((e) => e.version === version && e.replaced === recorded && e.by === current);
}
