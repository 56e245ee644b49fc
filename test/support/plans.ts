// PostgreSQL's JSON EXPLAIN: every node of a statement's plan, for the tests that look at how statements are planned.

/** The fields of a plan node the tests read (EXPLAIN, and with ANALYZE its counts). */
export interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Actual Rows'?: number;
  readonly 'Actual Loops'?: number;
  readonly 'Rows Removed by Filter'?: number;
  readonly 'Rows Removed by Index Recheck'?: number;
  readonly Plans?: readonly PlanNode[];
}

/** The rows of `explain (format json) …` as pg returns them. */
export type ExplainRows = readonly { readonly 'QUERY PLAN': readonly { readonly Plan: PlanNode }[] }[];

/** Every node of the explained plan, the root first, each node before its children. */
export function planNodes(rows: ExplainRows): PlanNode[] {
  const nodes: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    nodes.push(node);
    for (const child of node.Plans ?? []) walk(child);
  };
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (plan) walk(plan);
  return nodes;
}
