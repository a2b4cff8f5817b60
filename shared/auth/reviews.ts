/**
 * @module reviews
 * The access and identity reviews (create-only, nothing stored): SelfSubjectAccessReview
 * (`kubectl auth can-i`), SelfSubjectRulesReview (`kubectl auth can-i --list`),
 * SubjectAccessReview and LocalSubjectAccessReview (authorization.k8s.io/v1), and
 * SelfSubjectReview (`kubectl auth whoami`, authentication.k8s.io/v1). Types, wire schemas,
 * upstream validation and evaluation; the HTTP side is `shared/api/modules/reviews.ts`.
 */
import * as z from 'zod/mini';
import { fieldErrors, FieldPath, type FieldError } from '../apimachinery/field-errors.js';
import { goQuote } from '../apimachinery/go-format.js';
import { objectMetaSchema, type ObjectMeta } from '../apimachinery/meta.js';
import type { UserInfo } from '../apimachinery/user.js';
import type { PolicyRule } from '../rbac/types.js';
import type { Authorization, RequestAttributes } from './authorizer.js';

export {
  AUTHENTICATION_GROUP,
  AUTHORIZATION_GROUP,
  localSubjectAccessReviewResource,
  REVIEW_RESOURCES,
  selfSubjectAccessReviewResource,
  selfSubjectReviewResource,
  selfSubjectRulesReviewResource,
  subjectAccessReviewResource,
} from './review-resources.js';

export interface ReviewResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  fieldSelector?: Record<string, unknown>;
  labelSelector?: Record<string, unknown>;
}

export interface ReviewNonResourceAttributes {
  path?: string;
  verb?: string;
}

export interface AccessReviewSpec {
  resourceAttributes?: ReviewResourceAttributes;
  nonResourceAttributes?: ReviewNonResourceAttributes;
  user?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  uid?: string;
}

export interface AccessReview {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: AccessReviewSpec;
}

export interface AccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

const str = z.nullish(z.string());
const bool = z.nullish(z.boolean());
const strings = z.nullish(z.array(z.string()));
const anyObject = z.nullish(z.record(z.string(), z.unknown()));

const resourceAttributesSchema = z.strictObject({
  namespace: str,
  verb: str,
  group: str,
  version: str,
  resource: str,
  subresource: str,
  name: str,
  fieldSelector: anyObject,
  labelSelector: anyObject,
});
const nonResourceAttributesSchema = z.strictObject({ path: str, verb: str });
const accessStatusSchema = z.nullish(z.strictObject({ allowed: bool, denied: bool, reason: str, evaluationError: str }));

/** SelfSubjectAccessReview (the spec has only the attributes). */
export const selfSubjectAccessReviewSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  spec: z.nullish(z.strictObject({ resourceAttributes: z.nullish(resourceAttributesSchema), nonResourceAttributes: z.nullish(nonResourceAttributesSchema) })),
  status: accessStatusSchema,
});

/** SubjectAccessReview and LocalSubjectAccessReview. */
export const subjectAccessReviewSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  spec: z.nullish(
    z.strictObject({
      resourceAttributes: z.nullish(resourceAttributesSchema),
      nonResourceAttributes: z.nullish(nonResourceAttributesSchema),
      user: str,
      groups: strings,
      extra: z.nullish(z.record(z.string(), z.array(z.string()))),
      uid: str,
    }),
  ),
  status: accessStatusSchema,
});

export const selfSubjectRulesReviewSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  spec: z.nullish(z.strictObject({ namespace: str })),
  status: z.nullish(z.record(z.string(), z.unknown())),
});

export const selfSubjectReviewSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  status: z.nullish(z.record(z.string(), z.unknown())),
});

// ---------------------------------------------------------------------------------------------
// Validation (upstream `pkg/apis/authorization/validation`).

export const nonResourceLiteral = (a: ReviewNonResourceAttributes): { goLiteral: string } => ({
  goLiteral: `&authorization.NonResourceAttributes{Path:${goQuote(a.path ?? '')}, Verb:${goQuote(a.verb ?? '')}}`,
});

/** `ValidateSelfSubjectAccessReviewSpec`: exactly one of the attribute kinds. */
export function validateAttributes(spec: AccessReviewSpec | undefined, path = FieldPath.root('spec')): FieldError[] {
  const errs: FieldError[] = [];
  const res = spec?.resourceAttributes;
  const non = spec?.nonResourceAttributes;
  if (res !== undefined && non !== undefined) {
    errs.push(fieldErrors.invalid(path.child('nonResourceAttributes'), nonResourceLiteral(non), 'cannot be specified in combination with resourceAttributes'));
  }
  if (res === undefined && non === undefined) {
    errs.push(fieldErrors.required(path.child('resourceAttributes'), 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  return errs;
}

/** `metadata` of a review must be empty (managedFields aside). */
export function validateEmptyMetadata(meta: ObjectMeta | undefined, allowNamespace = false): FieldError[] {
  const isSet = (v: unknown): boolean =>
    v !== undefined && v !== null && v !== '' && v !== 0 && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && Object.keys(v).length === 0);
  const rest = Object.entries(meta ?? {}).filter(([k, v]) => isSet(v) && k !== 'managedFields' && !(allowNamespace && k === 'namespace'));
  return rest.length === 0 ? [] : [fieldErrors.invalidNoValue('metadata', allowNamespace ? 'must be empty except for namespace' : 'must be empty')];
}

/** `ValidateSubjectAccessReviewSpec`: attributes, and a user or a group. */
export function validateSubjectAccessReviewSpec(spec: AccessReviewSpec | undefined): FieldError[] {
  const errs = validateAttributes(spec);
  if (!spec?.user && (spec?.groups ?? []).length === 0) {
    errs.push(fieldErrors.invalid(FieldPath.root('spec').child('user'), spec?.user ?? '', 'at least one of user or group must be specified'));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

/** The request attributes a review asks about (`AuthorizationAttributesFrom`). */
export function reviewAttributes(spec: AccessReviewSpec): RequestAttributes {
  const res = spec.resourceAttributes;
  if (res !== undefined) {
    return {
      resourceRequest: true,
      verb: res.verb ?? '',
      apiGroup: res.group ?? '',
      resource: res.resource ?? '',
      subresource: res.subresource ?? '',
      namespace: res.namespace ?? '',
      name: res.name ?? '',
    };
  }
  const non = spec.nonResourceAttributes ?? {};
  return { resourceRequest: false, verb: non.verb ?? '', path: non.path ?? '' };
}

export async function accessReviewStatus(authz: Pick<Authorization, 'authorize'>, user: UserInfo, spec: AccessReviewSpec): Promise<AccessReviewStatus> {
  const d = await authz.authorize(user, reviewAttributes(spec));
  return { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) };
}

export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

export interface RulesReviewStatus {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

/** SelfSubjectRulesReview status: the user's rules in the namespace (`kubectl auth can-i --list`). */
export async function rulesReviewStatus(authz: Pick<Authorization, 'rulesFor'>, user: UserInfo, namespace: string): Promise<RulesReviewStatus> {
  const { rules, errors } = await authz.rulesFor(user, namespace);
  const resourceRules: ResourceRule[] = [];
  const nonResourceRules: NonResourceRule[] = [];
  for (const r of rules as readonly PolicyRule[]) {
    if ((r.nonResourceURLs ?? []).length > 0) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs ?? [] });
    else {
      resourceRules.push({
        verbs: r.verbs,
        ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
        ...(r.resources ? { resources: r.resources } : {}),
        ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
      });
    }
  }
  return { resourceRules, nonResourceRules, incomplete: errors.length > 0, ...(errors.length > 0 ? { evaluationError: `[${errors.join(', ')}]` } : {}) };
}

/** SelfSubjectReview status: who the server thinks the caller is. */
export const userInfoStatus = (user: UserInfo): { userInfo: Record<string, unknown> } => ({
  userInfo: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: [...user.groups] },
});
