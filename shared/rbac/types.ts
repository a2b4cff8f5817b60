/**
 * @module types
 * RBAC (rbac.authorization.k8s.io/v1) wire types and their strict zod schemas, with the
 * decoding-time defaults of upstream's `rbac/v1/defaults.go`.
 */
import * as z from 'zod/mini';
import { canonicalMeta, objectMetaSchema, type ObjectMeta } from '../apimachinery/meta.js';
import { RBAC_GROUP } from './resource.js';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface AggregationRule {
  clusterRoleSelectors?: LabelSelectorSpec[];
}

export interface Role {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  rules?: PolicyRule[];
}

export interface ClusterRole extends Role {
  aggregationRule?: AggregationRule;
}

export const USER_KIND = 'User';
export const GROUP_KIND = 'Group';
export const SERVICE_ACCOUNT_KIND = 'ServiceAccount';

export interface Subject {
  kind: string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

export interface RoleBinding {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  subjects?: Subject[];
  roleRef: RoleRef;
}

export type ClusterRoleBinding = RoleBinding;

export type RbacObject = Role | ClusterRole | RoleBinding | ClusterRoleBinding;

const str = z.nullish(z.string());
const strings = z.nullish(z.array(z.string()));

const policyRuleSchema = z.strictObject({
  verbs: strings,
  apiGroups: strings,
  resources: strings,
  resourceNames: strings,
  nonResourceURLs: strings,
});

const labelSelectorSchema = z.strictObject({
  matchLabels: z.nullish(z.record(z.string(), z.nullable(z.string()))),
  matchExpressions: z.nullish(z.array(z.strictObject({ key: str, operator: str, values: strings }))),
});

/** Wire schema of a Role body. */
export const roleSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  rules: z.nullish(z.array(policyRuleSchema)),
});

/** Wire schema of a ClusterRole body. */
export const clusterRoleSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  rules: z.nullish(z.array(policyRuleSchema)),
  aggregationRule: z.nullish(z.strictObject({ clusterRoleSelectors: z.nullish(z.array(labelSelectorSchema)) })),
});

const subjectSchema = z.strictObject({ kind: str, apiGroup: str, name: str, namespace: str });

/** Wire schema of a RoleBinding or ClusterRoleBinding body. */
export const roleBindingSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  subjects: z.nullish(z.array(subjectSchema)),
  roleRef: z.nullish(z.strictObject({ apiGroup: str, kind: str, name: str })),
});

// ---------------------------------------------------------------------------------------------
// Canonical form (defaults applied, empty values dropped as the stored form drops them).

const list = (v: readonly string[] | undefined): string[] | undefined => (v && v.length > 0 ? [...v] : undefined);

export function canonicalRule(r: Partial<PolicyRule>): PolicyRule {
  const out: PolicyRule = { verbs: [...(r.verbs ?? [])] };
  const apiGroups = list(r.apiGroups);
  const resources = list(r.resources);
  const resourceNames = list(r.resourceNames);
  const nonResourceURLs = list(r.nonResourceURLs);
  if (apiGroups) out.apiGroups = apiGroups;
  if (resources) out.resources = resources;
  if (resourceNames) out.resourceNames = resourceNames;
  if (nonResourceURLs) out.nonResourceURLs = nonResourceURLs;
  return out;
}

function canonicalSelector(s: LabelSelectorSpec): LabelSelectorSpec {
  const out: LabelSelectorSpec = {};
  if (s.matchLabels && Object.keys(s.matchLabels).length > 0) out.matchLabels = { ...s.matchLabels };
  if (s.matchExpressions && s.matchExpressions.length > 0) {
    out.matchExpressions = s.matchExpressions.map((e) => ({
      key: e.key ?? '',
      operator: e.operator ?? '',
      ...(e.values && e.values.length > 0 ? { values: [...e.values] } : {}),
    }));
  }
  return out;
}

export function normalizeRole<T extends Role | ClusterRole>(input: T): T {
  const rules = input.rules?.map(canonicalRule);
  const out: ClusterRole = { metadata: canonicalMeta(input.metadata ?? {}), ...(rules && rules.length > 0 ? { rules } : {}) };
  const aggregation = (input as ClusterRole).aggregationRule;
  if (aggregation !== undefined) {
    out.aggregationRule = { ...(aggregation.clusterRoleSelectors ? { clusterRoleSelectors: aggregation.clusterRoleSelectors.map(canonicalSelector) } : {}) };
  }
  return out as T;
}

/** `SetDefaults_Subject`: User and Group subjects default to the RBAC API group, ServiceAccounts to "". */
export function defaultSubject(s: Partial<Subject>): Subject {
  const kind = s.kind ?? '';
  const apiGroup = s.apiGroup || (kind === USER_KIND || kind === GROUP_KIND ? RBAC_GROUP : '');
  return { kind, ...(apiGroup ? { apiGroup } : {}), name: s.name ?? '', ...(s.namespace ? { namespace: s.namespace } : {}) };
}

/** `SetDefaults_RoleBinding` / `SetDefaults_ClusterRoleBinding`: roleRef.apiGroup defaults to the RBAC group. */
export function normalizeRoleBinding<T extends RoleBinding>(input: T): T {
  const ref: Partial<RoleRef> = input.roleRef ?? {};
  const subjects = input.subjects?.map(defaultSubject);
  return {
    metadata: canonicalMeta(input.metadata ?? {}),
    ...(subjects && subjects.length > 0 ? { subjects } : {}),
    roleRef: { apiGroup: ref.apiGroup || RBAC_GROUP, kind: ref.kind ?? '', name: ref.name ?? '' },
  } as T;
}

// ---------------------------------------------------------------------------------------------
// Wire form (Go field order; `rules` is not omitempty, so an empty list is `null`).

export function ruleToWire(r: PolicyRule): Record<string, unknown> {
  return {
    verbs: r.verbs,
    ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
    ...(r.resources ? { resources: r.resources } : {}),
    ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
    ...(r.nonResourceURLs ? { nonResourceURLs: r.nonResourceURLs } : {}),
  };
}

export const roleToWire = (kind: 'Role' | 'ClusterRole') => (r: ClusterRole): Record<string, unknown> => ({
  kind,
  apiVersion: `${RBAC_GROUP}/v1`,
  metadata: r.metadata,
  rules: r.rules && r.rules.length > 0 ? r.rules.map(ruleToWire) : null,
  ...(kind === 'ClusterRole' && r.aggregationRule ? { aggregationRule: r.aggregationRule } : {}),
});

export const roleBindingToWire = (kind: 'RoleBinding' | 'ClusterRoleBinding') => (b: RoleBinding): Record<string, unknown> => ({
  kind,
  apiVersion: `${RBAC_GROUP}/v1`,
  metadata: b.metadata,
  ...(b.subjects && b.subjects.length > 0 ? { subjects: b.subjects } : {}),
  roleRef: { apiGroup: b.roleRef.apiGroup, kind: b.roleRef.kind, name: b.roleRef.name },
});
