export interface ChunkRequest {
  cutoff: Date;
  /** Keyset position: only ids greater than this are considered ("" = from the start). */
  afterId: string;
  limit: number;
}

export interface ChunkResult {
  /** Orders that were candidates for this chunk; fewer than the limit means the last page. */
  candidates: number;
  /** Highest candidate id, the next chunk's keyset position; null when nothing was left. */
  lastId: string | null;
  archived: number;
  items: number;
  /** Candidates gone or changed by the time they were locked (another run moved them first). */
  noLongerEligible: number;
  /** From the locking read to the commit: how long this chunk held row locks. */
  lockHeldMs: number;
  /** Attempts the database rolled back (deadlock victim, lock wait timeout) before this one committed. */
  retries: number;
}

export interface EligibleCount {
  orders: number;
  items: number;
}

/** The archive tables and the live ones, moved between atomically per chunk. */
export interface ArchiveStore {
  /** The eligibility cutoff on the database's clock, fixed once per run. */
  cutoff(afterDays: number): Promise<Date>;
  countEligible(cutoff: Date): Promise<EligibleCount>;
  moveChunk(request: ChunkRequest): Promise<ChunkResult>;
}

export interface HeldRunLock {
  release(): Promise<void>;
}

/** One archiver run at a time per database; null when another run kept it past the wait. */
export interface RunLock {
  acquire(waitSeconds: number): Promise<HeldRunLock | null>;
}

export interface ArchiveMetrics {
  chunkMoved(chunk: ChunkResult): void;
  eligibleCounted(count: EligibleCount): void;
}
