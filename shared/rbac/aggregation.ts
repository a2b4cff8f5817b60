/**
 * @module aggregation
 * ClusterRole aggregation (upstream's clusterrole-aggregation controller, evaluated on
 * read): a ClusterRole with an `aggregationRule` has the union of the rules of every other
 * ClusterRole whose labels match one of its selectors, taken in name order, duplicates
 * dropped. Aggregated roles may themselves be aggregated (edit ← view); the result is the
 * fixpoint the controller converges to.
 */
import { deepEqual } from '../apimachinery/equality.js';
import { matchesLabels, type Requirement } from '../apimachinery/label-selector.js';
import type { ClusterRole, LabelSelectorSpec, PolicyRule } from './types.js';

const OPERATORS: Readonly<Record<string, Requirement['op']>> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: 'notexists' };

/** Whether a `metav1.LabelSelector` selects these labels (`{}` selects everything; unknown operators nothing). */
export function selectorMatches(s: LabelSelectorSpec, labels: Readonly<Record<string, string>> | undefined): boolean {
  const reqs: Requirement[] = Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({ key, op: 'eq' as const, values: [v] }));
  for (const e of s.matchExpressions ?? []) {
    const op = OPERATORS[e.operator];
    if (op === undefined) return false;
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return matchesLabels(reqs, labels);
}

const byName = (a: ClusterRole, b: ClusterRole): number => {
  const x = a.metadata.name ?? '';
  const y = b.metadata.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The effective rules of every ClusterRole, by name (aggregation rules resolved). */
export function effectiveClusterRoleRules(roles: readonly ClusterRole[]): Map<string, PolicyRule[]> {
  const sorted = [...roles].sort(byName);
  const byRoleName = new Map(sorted.map((r) => [r.metadata.name ?? '', r]));
  const out = new Map<string, PolicyRule[]>();
  const resolving = new Set<string>();
  const resolve = (role: ClusterRole): PolicyRule[] => {
    const name = role.metadata.name ?? '';
    const done = out.get(name);
    if (done) return done;
    const selectors = role.aggregationRule?.clusterRoleSelectors;
    if (role.aggregationRule === undefined || resolving.has(name)) return role.rules ?? [];
    resolving.add(name);
    const rules: PolicyRule[] = [];
    for (const other of sorted) {
      if (other === role || !(selectors ?? []).some((s) => selectorMatches(s, other.metadata.labels))) continue;
      for (const rule of resolve(other)) if (!rules.some((r) => deepEqual(r, rule))) rules.push(rule);
    }
    resolving.delete(name);
    out.set(name, rules);
    return rules;
  };
  for (const role of byRoleName.values()) out.set(role.metadata.name ?? '', resolve(role));
  return out;
}
