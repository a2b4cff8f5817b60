/**
 * @module validation
 * Upstream's `pkg/apis/rbac/validation`: policy rules, aggregation rules, role references and
 * subjects. (ObjectMeta, with `ValidateRBACName` = path-segment names, is checked by the
 * generic registry.)
 */
import { fieldErrors, FieldPath, type FieldError } from '../apimachinery/field-errors.js';
import { validateLabels } from '../apimachinery/meta.js';
import { isDNS1123Subdomain, isQualifiedName, isValidPathSegmentName } from '../apimachinery/validation.js';
import { goQuote } from '../apimachinery/go-format.js';
import { RBAC_GROUP } from './resource.js';
import {
  GROUP_KIND,
  SERVICE_ACCOUNT_KIND,
  USER_KIND,
  type ClusterRole,
  type LabelSelectorSpec,
  type PolicyRule,
  type Role,
  type RoleBinding,
  type RoleRef,
  type Subject,
} from './types.js';

export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (rule.verbs.length === 0) errs.push(fieldErrors.required(path.child('verbs'), 'verbs must contain at least one value'));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (namespaced) {
      errs.push(fieldErrors.invalid(path.child('nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    }
    if ((rule.apiGroups ?? []).length > 0 || (rule.resources ?? []).length > 0 || (rule.resourceNames ?? []).length > 0) {
      errs.push(fieldErrors.invalid(path.child('nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if ((rule.apiGroups ?? []).length === 0) errs.push(fieldErrors.required(path.child('apiGroups'), 'resource rules must supply at least one api group'));
  if ((rule.resources ?? []).length === 0) errs.push(fieldErrors.required(path.child('resources'), 'resource rules must supply at least one resource'));
  return errs;
}

const rulesErrors = (rules: readonly PolicyRule[] | undefined, namespaced: boolean): FieldError[] =>
  (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, FieldPath.root('rules').index(i)));

export const validateRole = (role: Role): FieldError[] => rulesErrors(role.rules, true);

/** `ValidateLabelSelector` (metav1 validation) for the aggregation rule. */
function validateLabelSelector(s: LabelSelectorSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (s.matchExpressions ?? []).forEach((e, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = e.values ?? [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (values.length === 0) errs.push(fieldErrors.required(p.child('values'), 'must be specified when `operator` is \'In\' or \'NotIn\''));
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length > 0) errs.push(fieldErrors.forbidden(p.child('values'), 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
    } else {
      errs.push(fieldErrors.invalid(p.child('operator'), e.operator, 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(e.key)) errs.push(fieldErrors.invalid(p.child('key'), e.key, msg));
  });
  errs.push(...validateLabels(s.matchLabels, path.child('matchLabels')));
  return errs;
}

export function validateClusterRole(role: ClusterRole): FieldError[] {
  const errs = rulesErrors(role.rules, false);
  const agg = role.aggregationRule;
  if (agg !== undefined) {
    const selectors = agg.clusterRoleSelectors ?? [];
    const path = FieldPath.root('aggregationRule').child('clusterRoleSelectors');
    if (selectors.length === 0) errs.push(fieldErrors.required(path, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, path.index(i))));
  }
  return errs;
}

function validateRoleRef(ref: RoleRef, kinds: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.root('roleRef');
  if (ref.apiGroup !== RBAC_GROUP) errs.push(fieldErrors.notSupported(path.child('apiGroup'), ref.apiGroup, [RBAC_GROUP]));
  if (!kinds.includes(ref.kind)) errs.push(fieldErrors.notSupported(path.child('kind'), ref.kind, kinds));
  if (ref.name === '') errs.push(fieldErrors.required(path.child('name')));
  else for (const msg of isValidPathSegmentName(ref.name, false)) errs.push(fieldErrors.invalid(path.child('name'), ref.name, msg));
  return errs;
}

export function validateSubject(s: Subject, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (s.name === '') errs.push(fieldErrors.required(path.child('name')));
  switch (s.kind) {
    case SERVICE_ACCOUNT_KIND:
      if (s.name !== '') for (const msg of isDNS1123Subdomain(s.name)) errs.push(fieldErrors.invalid(path.child('name'), s.name, msg));
      if (s.apiGroup) errs.push(fieldErrors.notSupported(path.child('apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(fieldErrors.required(path.child('namespace')));
      break;
    case USER_KIND:
    case GROUP_KIND:
      if (s.apiGroup !== RBAC_GROUP) errs.push(fieldErrors.notSupported(path.child('apiGroup'), s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(fieldErrors.notSupported(path.child('kind'), s.kind, [SERVICE_ACCOUNT_KIND, USER_KIND, GROUP_KIND]));
  }
  return errs;
}

function validateBinding(b: RoleBinding, namespaced: boolean): FieldError[] {
  return [
    ...validateRoleRef(b.roleRef, namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole']),
    ...(b.subjects ?? []).flatMap((s, i) => validateSubject(s, namespaced, FieldPath.root('subjects').index(i))),
  ];
}

export const validateRoleBinding = (b: RoleBinding): FieldError[] => validateBinding(b, true);
export const validateClusterRoleBinding = (b: RoleBinding): FieldError[] => validateBinding(b, false);

/** `rbac.RoleRef{APIGroup:"…", Kind:"…", Name:"…"}` — Go's `%#v`, as the "cannot change roleRef" message shows it. */
export const roleRefLiteral = (r: RoleRef): string =>
  `rbac.RoleRef{APIGroup:${goQuote(r.apiGroup)}, Kind:${goQuote(r.kind)}, Name:${goQuote(r.name)}}`;

/** Update: the role reference of a binding is immutable. */
export function validateRoleRefUpdate(b: RoleBinding, old: RoleBinding): FieldError[] {
  const a = b.roleRef;
  const o = old.roleRef;
  if (a.apiGroup === o.apiGroup && a.kind === o.kind && a.name === o.name) return [];
  return [fieldErrors.invalid('roleRef', { goLiteral: roleRefLiteral(a) }, 'cannot change roleRef')];
}
