/**
 * @module authorizer
 * Authorization as the rest of the server sees it: request attributes → allowed or a 403
 * Status with the apiserver's exact text (kube-api-conventions §2.3 #37).
 *
 * - `authorizeRequest(authz, user, attrs)` throws the 403 (the HTTP serve path and the
 *   WebSocket `$connect` handler use it);
 * - `accessCheckAuthorizer(authz)` adapts it to the registry's `ServiceDeps.authorizer`
 *   (and the WebSocket `WatchAuthorizer`) signature.
 */
import { goQuote } from '../apimachinery/go-format.js';
import type { AccessCheck, AccessDecision } from '../apimachinery/registry/strategy.js';
import { forbidden, StatusError } from '../apimachinery/status.js';
import type { UserInfo } from '../apimachinery/user.js';
import { ANONYMOUS_USER, SYSTEM_UNAUTHENTICATED } from '../rbac/bootstrap-policy.js';
import type { PolicyRule, RoleRef } from '../rbac/types.js';
import type { Decision } from './rbac/policy.js';
import type { RequestAttributes, ResourceAttributes } from './rbac/rules.js';

export type { Decision } from './rbac/policy.js';
export type { NonResourceAttributes, RequestAttributes, ResourceAttributes } from './rbac/rules.js';

/** The identity of a request without credentials (only public endpoints accept it). */
export const ANONYMOUS: UserInfo = { name: ANONYMOUS_USER, groups: [SYSTEM_UNAUTHENTICATED] };

/** The authorization engine (RBAC over the stored and built-in policy). */
export interface Authorization {
  authorize(user: UserInfo, attrs: RequestAttributes): Promise<Decision>;
  /** Every rule granted to the user in the namespace (cluster-wide grants included unless `scope` is `namespace`). */
  rulesFor(user: UserInfo, namespace: string, scope?: 'all' | 'namespace'): Promise<{ rules: PolicyRule[]; errors: string[] }>;
  /** The rules a role reference grants, undefined when the role does not exist. */
  roleRefRules(ref: RoleRef, namespace: string): Promise<readonly PolicyRule[] | undefined>;
}

/** `forbiddenMessage` of the apiserver: `User "alice" cannot get resource "imagestreams" in API group "…" in the namespace "demo"`. */
export function forbiddenMessage(user: UserInfo, attrs: RequestAttributes): string {
  const who = `User ${goQuote(user.name)} cannot ${attrs.verb}`;
  if (!attrs.resourceRequest) return `${who} path ${goQuote(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const where = attrs.namespace ? `in the namespace ${goQuote(attrs.namespace)}` : 'at the cluster scope';
  return `${who} resource ${goQuote(resource)} in API group ${goQuote(attrs.apiGroup)} ${where}`;
}

/** The 403 Status of a denied request (`ForbiddenStatusError`); the reason, if any, is appended. */
export function forbiddenError(user: UserInfo | undefined, attrs: RequestAttributes, reason = ''): StatusError {
  const message = forbiddenMessage(user ?? ANONYMOUS, attrs) + (reason ? `: ${reason}` : '');
  if (attrs.resourceRequest) return forbidden({ group: attrs.apiGroup, resource: attrs.resource }, attrs.name, message);
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `forbidden: ${message}`,
    reason: 'Forbidden',
    details: {},
    code: 403,
  });
}

/** Allows the request or throws its 403 Status. */
export async function authorizeRequest(authz: Pick<Authorization, 'authorize'>, user: UserInfo | undefined, attrs: RequestAttributes): Promise<void> {
  const decision = await authz.authorize(user ?? ANONYMOUS, attrs);
  if (!decision.allowed) throw forbiddenError(user, attrs, decision.reason.startsWith('RBAC: allowed') ? '' : decision.reason);
}

/** The attributes of a registry access check (e.g. `get imagestreams/layers` in the source namespace). */
export const accessCheckAttributes = (c: AccessCheck): ResourceAttributes => ({
  resourceRequest: true,
  verb: c.verb,
  apiGroup: c.group,
  resource: c.resource,
  subresource: c.subresource ?? '',
  namespace: c.namespace,
  name: c.name,
});

/**
 * `ServiceDeps.authorizer` (and the WebSocket `WatchAuthorizer`): a SubjectAccessReview for
 * the requesting user. Without a user the answer is no.
 */
export function accessCheckAuthorizer(authz: Pick<Authorization, 'authorize'>): (user: UserInfo | undefined, check: AccessCheck) => Promise<AccessDecision> {
  return async (user, check) => {
    if (user === undefined) return { allowed: false, reason: 'no user' };
    const d = await authz.authorize(user, accessCheckAttributes(check));
    return d.allowed ? { allowed: true, ...(d.reason ? { reason: d.reason } : {}) } : { allowed: false, ...(d.reason ? { reason: d.reason } : {}) };
  };
}
