/**
 * @module rbac-admission
 * RBAC escalation prevention (upstream `pkg/registry/rbac/<kind>/policybased`), run by the
 * registry after validation on every create and update of the RBAC kinds:
 *
 * - a Role/ClusterRole may be written only by a user who already holds every permission in
 *   it, or who has `escalate` on it; an aggregation rule needs cluster-admin authority;
 * - a RoleBinding/ClusterRoleBinding may be written only by a user who has `bind` on the
 *   referenced role, or who already holds every permission the role grants (in the
 *   binding's namespace); a reference to a missing role is then a 404;
 * - members of `system:masters` are exempt; updates touching only ownerReferences and
 *   finalizers are never checked.
 */
import { deepEqual } from '../apimachinery/equality.js';
import type { Admit, AdmissionRequest } from '../apimachinery/registry/resource-service.js';
import { forbidden, notFound } from '../apimachinery/status.js';
import { SYSTEM_MASTERS } from '../rbac/bootstrap-policy.js';
import { RBAC_GROUP } from '../rbac/resource.js';
import type { ClusterRole, PolicyRule, RoleBinding } from '../rbac/types.js';
import type { Authorization } from './authorizer.js';
import { escalationMessage } from './rbac/rules.js';

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** `IsOnlyMutatingGCFields`: the update changes nothing but ownerReferences and finalizers. */
function onlyGcFields<T extends { metadata: object }>(req: AdmissionRequest<T>): boolean {
  const old = req.old;
  if (old === undefined) return false;
  const o = old.metadata as Record<string, unknown>;
  const copy = {
    ...req.object,
    metadata: { ...req.object.metadata, ownerReferences: o['ownerReferences'], finalizers: o['finalizers'], selfLink: o['selfLink'], managedFields: o['managedFields'] },
  };
  return deepEqual(copy, old);
}

async function ownerEscalation(authz: Authorization, req: AdmissionRequest<unknown>, namespace: string, rules: readonly PolicyRule[]): Promise<string | undefined> {
  const user = req.user!;
  const owner = await authz.rulesFor(user, namespace);
  const msg = escalationMessage(user, owner.rules, rules);
  if (msg === undefined) return undefined;
  return owner.errors.length > 0 ? `${msg}; resolution errors: [${owner.errors.join(' ')}]` : msg;
}

const privileged = (req: AdmissionRequest<unknown>): boolean => req.user?.groups.includes(SYSTEM_MASTERS) ?? false;

/** Escalation prevention for `roles` (namespaced) or `clusterroles`. */
export function roleAdmission(resource: 'roles' | 'clusterroles', authz: Authorization): Admit<ClusterRole> {
  const gr = { group: RBAC_GROUP, resource };
  return async (req) => {
    if (privileged(req) || onlyGcFields(req)) return;
    const name = req.object.metadata.name ?? '';
    const namespace = resource === 'roles' ? req.namespace : '';
    if (req.user === undefined) throw forbidden(gr, name, 'no user on context');
    const escalate = await authz.authorize(req.user, { resourceRequest: true, verb: 'escalate', apiGroup: RBAC_GROUP, resource, subresource: '', namespace, name });
    if (escalate.allowed) return;
    const msg = await ownerEscalation(authz, req, namespace, req.object.rules ?? []);
    if (msg !== undefined) throw forbidden(gr, name, msg);
    if (resource === 'clusterroles' && (req.object.aggregationRule !== undefined || req.old?.aggregationRule !== undefined)) {
      if ((await ownerEscalation(authz, req, namespace, FULL_AUTHORITY)) !== undefined) {
        throw forbidden(gr, name, 'must have cluster-admin privileges to use the aggregationRule');
      }
    }
  };
}

/** Escalation prevention for `rolebindings` (namespaced) or `clusterrolebindings`. */
export function bindingAdmission(resource: 'rolebindings' | 'clusterrolebindings', authz: Authorization): Admit<RoleBinding> {
  const gr = { group: RBAC_GROUP, resource };
  return async (req) => {
    if (privileged(req) || onlyGcFields(req)) return;
    const name = req.object.metadata.name ?? '';
    const namespace = resource === 'rolebindings' ? req.namespace : '';
    if (req.user === undefined) throw forbidden(gr, name, 'no user on context');
    const ref = req.object.roleRef;
    const roleResource = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
    // BindingAuthorized: explicit `bind` on the role, checked in the binding's namespace.
    const bind = await authz.authorize(req.user, { resourceRequest: true, verb: 'bind', apiGroup: ref.apiGroup, resource: roleResource, subresource: '', namespace, name: ref.name });
    if (bind.allowed) return;
    const rules = await authz.roleRefRules(ref, namespace);
    // The lister's NotFound (singular resource), as upstream returns it.
    if (rules === undefined) throw notFound({ group: RBAC_GROUP, resource: ref.kind.toLowerCase() }, ref.name);
    const msg = await ownerEscalation(authz, req, namespace, rules);
    if (msg !== undefined) throw forbidden(gr, name, msg);
  };
}
