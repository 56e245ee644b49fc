// The sandbox's "upstream": what it accepted (our reference → its id, time). A port, kept in memory or in a table.

// What the upstream takes and gives back is the table's shape (src/store/sandbox-upstream.ts), named once there.
import type { SandboxHandOver, SandboxRecord } from '../../../store/sandbox-upstream.js';

export type { SandboxHandOver, SandboxRecord };

/**
 * The port. `accept` is idempotent on the reference: a reference taken before keeps its first id and time. The table
 * implementation (src/store/sandbox-upstream.ts) is shared by every worker process on one database.
 */
export interface SandboxUpstream {
  accept(handOvers: readonly SandboxHandOver[]): Promise<ReadonlyMap<string, SandboxRecord>>;
  find(references: readonly string[]): Promise<ReadonlyMap<string, SandboxRecord>>;
  /**
   * Whether a reference absent from `find` was certainly never accepted. False when the upstream may have forgotten
   * (memory bounded) or cannot see other processes' hand-overs: the adapter then answers "cannot tell".
   */
  readonly knowsEveryHandOver: boolean;
}

/** References kept by the in-memory upstream before the oldest are forgotten (a long-running server stays bounded). */
export const SANDBOX_MEMORY_REFERENCES_MAX = 1_000_000;

export interface MemoryUpstreamOptions {
  readonly referencesMax?: number;
  /**
   * Declares this process the only one that ever handed messages to this sandbox (tests), so an absent reference was
   * never accepted, as long as nothing has been forgotten. Not for a server: after a restart its memory is empty while
   * the database still holds leases of the previous run. A server uses the table (src/store/sandbox-upstream.ts).
   */
  readonly soleProcess?: boolean;
}

export interface MemorySandboxUpstream extends SandboxUpstream {
  /** Accept calls per reference, for the tests. */
  submitCalls(reference: string): number;
  readonly size: number;
}

export function createMemorySandboxUpstream(options: MemoryUpstreamOptions = {}): MemorySandboxUpstream {
  const referencesMax = options.referencesMax ?? SANDBOX_MEMORY_REFERENCES_MAX;
  const records = new Map<string, SandboxRecord & { calls: number }>();
  let forgotten = 0;
  return {
    get knowsEveryHandOver() {
      return options.soleProcess === true && forgotten === 0;
    },
    get size() {
      return records.size;
    },
    submitCalls: (reference) => records.get(reference)?.calls ?? 0,
    async accept(handOvers) {
      const out = new Map<string, SandboxRecord>();
      for (const handOver of handOvers) {
        let record = records.get(handOver.reference);
        if (record) record.calls++;
        else {
          record = { providerMessageId: handOver.providerMessageId, acceptedAtUs: handOver.acceptedAtUs, calls: 1 };
          records.set(handOver.reference, record);
          // Map keeps insertion order: the first key is the oldest hand-over.
          if (records.size > referencesMax) {
            const oldest = records.keys().next().value;
            if (oldest !== undefined) records.delete(oldest);
            forgotten++;
          }
        }
        out.set(handOver.reference, { providerMessageId: record.providerMessageId, acceptedAtUs: record.acceptedAtUs });
      }
      return out;
    },
    async find(references) {
      const out = new Map<string, SandboxRecord>();
      for (const reference of references) {
        const record = records.get(reference);
        if (record)
          out.set(reference, { providerMessageId: record.providerMessageId, acceptedAtUs: record.acceptedAtUs });
      }
      return out;
    },
  };
}
