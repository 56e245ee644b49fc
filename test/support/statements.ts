// The statements the store runs, as its onQuery option reports them, recorded around a piece of work.
import type { ExecutedQuery } from '../../src/store/db.js';

export interface StatementRecorder {
  /** For DbOptions.onQuery. */
  readonly onQuery: (query: ExecutedQuery) => void;
  /** The statements `work` made the store run (transaction control left out). */
  captured(work: () => Promise<unknown>): Promise<ExecutedQuery[]>;
}

export function statementRecorder(): StatementRecorder {
  let recording: ExecutedQuery[] | null = null;
  return {
    onQuery(query) {
      recording?.push(query);
    },
    async captured(work) {
      const statements: ExecutedQuery[] = [];
      recording = statements;
      try {
        await work();
      } finally {
        recording = null;
      }
      return statements.filter((q) => /^\s*(select|insert|update|delete|with)\b/i.test(q.sql));
    },
  };
}
