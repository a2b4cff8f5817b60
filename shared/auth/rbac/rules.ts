/**
 * @module rules
 * Pure RBAC policy evaluation, as upstream `plugin/pkg/auth/authorizer/rbac` and
 * `pkg/registry/rbac/validation`: does a rule allow a request, does a binding's subject
 * list include a user, and do a user's rules cover a role's rules (escalation check).
 */
import { goQuote } from '../../apimachinery/go-format.js';
import type { UserInfo } from '../../apimachinery/user.js';
import type { PolicyRule, Subject } from '../../rbac/types.js';

/** What a request asks to do (Kubernetes `authorizer.Attributes`). */
export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

export interface ResourceAttributes {
  readonly resourceRequest: true;
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  /** Empty for cluster-scoped requests. */
  readonly namespace: string;
  /** Empty for collection requests. */
  readonly name: string;
}

export interface NonResourceAttributes {
  readonly resourceRequest: false;
  readonly verb: string;
  readonly path: string;
}

const has = (set: readonly string[] | undefined, v: string): boolean => set !== undefined && set.includes(v);

/** `RuleAllows`: verb, group, resource (`res/sub`, `*`, `*\/sub`) and name; or verb and URL. */
export function ruleAllows(a: RequestAttributes, rule: PolicyRule): boolean {
  if (!(has(rule.verbs, '*') || has(rule.verbs, a.verb))) return false;
  if (!a.resourceRequest) {
    for (const url of rule.nonResourceURLs ?? []) {
      if (url === '*' || url === a.path) return true;
      if (url.endsWith('*') && a.path.startsWith(url.slice(0, -1))) return true;
    }
    return false;
  }
  if (!(has(rule.apiGroups, '*') || has(rule.apiGroups, a.apiGroup))) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  let resourceOk = false;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined || (a.subresource !== '' && r === `*/${a.subresource}`)) {
      resourceOk = true;
      break;
    }
  }
  if (!resourceOk) return false;
  const names = rule.resourceNames;
  return names === undefined || names.length === 0 || names.includes(a.name);
}

/** `system:serviceaccount:<namespace>:<name>`. */
export const serviceAccountUsername = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`;

/** `appliesToUser`: a User by name, a Group by membership, a ServiceAccount by its username. */
export function subjectAppliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.name === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns !== '' && user.name === serviceAccountUsername(ns, s.name);
    }
    default:
      return false;
  }
}

/** The first subject of a binding that applies to the user, if any. */
export const appliesTo = (user: UserInfo, subjects: readonly Subject[] | undefined, bindingNamespace: string): Subject | undefined =>
  (subjects ?? []).find((s) => subjectAppliesTo(user, s, bindingNamespace));

// ---------------------------------------------------------------------------------------------
// Covers (escalation prevention).

/** `BreakdownRule`: one rule per (group, resource, verb[, name]) and per (URL, verb). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        if ((rule.resourceNames ?? []).length > 0) {
          for (const name of rule.resourceNames ?? []) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

const hasAll = (set: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean => (wanted ?? []).every((w) => has(set, w));

function resourceCoversAll(set: readonly string[] | undefined, covers: readonly string[] | undefined): boolean {
  if (has(set, '*') || hasAll(set, covers)) return true;
  for (const path of covers ?? []) {
    if (has(set, path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0) return false;
    if (!has(set, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

const nonResourceURLCovers = (owner: string, sub: string): boolean => owner === sub || (owner.endsWith('*') && sub.startsWith(owner.replace(/\*+$/, '')));

/** `ruleCovers`: the owner rule grants everything the (broken down) sub-rule grants. */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = (sub.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, p)));
  const subNames = sub.resourceNames ?? [];
  const ownerNames = owner.resourceNames ?? [];
  const names = subNames.length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, subNames);
  return verbs && groups && resources && names && urls;
}

/** `Covers`: whether `owner` covers every rule of `servant`, and the uncovered broken-down rules. */
export function covers(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const sub of servant.flatMap(breakdownRule)) if (!owner.some((o) => ruleCovers(o, sub))) missing.push(sub);
  return { covered: missing.length === 0, missing };
}

/** `CompactRules`: single-group/single-resource rules that differ only by verb are merged. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const names = r.resourceNames ?? [];
    const isSimple = names.length <= 1 && (r.nonResourceURLs ?? []).length === 0 && r.apiGroups?.length === 1 && r.resources?.length === 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups, r.resources, names]);
    const existing = simple.get(key);
    if (existing) existing.verbs.push(...r.verbs);
    else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...out, ...simple.values()];
}

/** Go `%q` of a []string: `["a" "b"]`. */
const quoteList = (values: readonly string[]): string => `[${values.map(goQuote).join(' ')}]`;

/** `CompactString`: `{APIGroups:["g"], Resources:["r"], Verbs:["get"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if ((r.apiGroups ?? []).length > 0) parts.push(`APIGroups:${quoteList(r.apiGroups ?? [])}`);
  if ((r.resources ?? []).length > 0) parts.push(`Resources:${quoteList(r.resources ?? [])}`);
  if ((r.nonResourceURLs ?? []).length > 0) parts.push(`NonResourceURLs:${quoteList(r.nonResourceURLs ?? [])}`);
  if ((r.resourceNames ?? []).length > 0) parts.push(`ResourceNames:${quoteList(r.resourceNames ?? [])}`);
  if (r.verbs.length > 0) parts.push(`Verbs:${quoteList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * `ConfirmNoEscalation`'s message when `ownerRules` do not cover `rules`, else undefined:
 * `user "alice" (groups=["g1" "g2"]) is attempting to grant RBAC permissions not currently held:\n{…}\n{…}`.
 */
export function escalationMessage(user: UserInfo, ownerRules: readonly PolicyRule[], rules: readonly PolicyRule[]): string | undefined {
  const { covered, missing } = covers(ownerRules, rules);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  return `user ${goQuote(user.name)} (groups=${quoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
}
