/**
 * @module review-openapi
 * OpenAPI v3 component schemas of the reviews (`io.k8s.api.authorization.v1.*`,
 * `io.k8s.api.authentication.v1.*`), with their GVK. The reviews have no list kinds: the
 * object schema stands in as the list schema (no list route references it).
 */
import { META_V1, refWith, typeMetaProperties, type OpenApiSchema } from '../apimachinery/openapi.js';
import { AUTHENTICATION_GROUP, AUTHORIZATION_GROUP } from './review-resources.js';

const AUTHZ = 'io.k8s.api.authorization.v1';
const AUTHN = 'io.k8s.api.authentication.v1';
export const reviewSchemaName = (kind: string): string => (kind === 'SelfSubjectReview' ? `${AUTHN}.${kind}` : `${AUTHZ}.${kind}`);

const str = (description: string): OpenApiSchema => ({ type: 'string', description });
const bool = (description: string): OpenApiSchema => ({ type: 'boolean', description });
const strings = (description: string): OpenApiSchema => ({ type: 'array', description, items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'atomic' });
const meta = refWith(`${META_V1}.ObjectMeta`, { description: "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", default: {} });

function review(kind: string, group: string, description: string, spec: string | undefined, status: string, required: string[]): OpenApiSchema {
  return {
    description,
    type: 'object',
    required,
    properties: {
      ...typeMetaProperties(),
      metadata: meta,
      ...(spec ? { spec: refWith(spec, { description: 'Spec holds information about the request being evaluated.', default: {} }) } : {}),
      status: refWith(status, { description: 'Status is filled in by the server and indicates whether the request is allowed or not', default: {} }),
    },
    'x-kubernetes-group-version-kind': [{ group, kind, version: 'v1' }],
  };
}

/** Every component schema of the two review group-versions. */
export function reviewSchemas(): Record<string, OpenApiSchema> {
  const s = (kind: string) => `${AUTHZ}.${kind}`;
  const accessStatus = s('SubjectAccessReviewStatus');
  return {
    [s('ResourceAttributes')]: {
      description: 'ResourceAttributes includes the authorization attributes available for resource requests to the Authorizer interface',
      type: 'object',
      properties: {
        group: str('Group is the API Group of the Resource.  "*" means all.'),
        name: str('Name is the name of the resource being requested for a "get" or deleted for a "delete". "" (empty) means all.'),
        namespace: str('Namespace is the namespace of the action being requested.  "" (empty) is defaulted for LocalSubjectAccessReviews, "" (empty) is empty for cluster-scoped resources, "" (empty) means "all" for namespace scoped resources from a SubjectAccessReview or SelfSubjectAccessReview'),
        resource: str('Resource is one of the existing resource types.  "*" means all.'),
        subresource: str('Subresource is one of the existing resource types.  "" means none.'),
        verb: str('Verb is a kubernetes resource API verb, like: get, list, watch, create, update, delete, proxy.  "*" means all.'),
        version: str('Version is the API Version of the Resource.  "*" means all.'),
      },
    },
    [s('NonResourceAttributes')]: {
      description: 'NonResourceAttributes includes the authorization attributes available for non-resource requests to the Authorizer interface',
      type: 'object',
      properties: { path: str('Path is the URL path of the request'), verb: str('Verb is the standard HTTP verb') },
    },
    [s('SelfSubjectAccessReviewSpec')]: {
      description: 'SelfSubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set',
      type: 'object',
      properties: {
        nonResourceAttributes: refWith(s('NonResourceAttributes'), { description: 'NonResourceAttributes describes information for a non-resource access request' }),
        resourceAttributes: refWith(s('ResourceAttributes'), { description: 'ResourceAuthorizationAttributes describes information for a resource access request' }),
      },
    },
    [s('SubjectAccessReviewSpec')]: {
      description: 'SubjectAccessReviewSpec is a description of the access request.  Exactly one of ResourceAuthorizationAttributes and NonResourceAuthorizationAttributes must be set',
      type: 'object',
      properties: {
        groups: strings("Groups is the groups you're testing for."),
        nonResourceAttributes: refWith(s('NonResourceAttributes'), { description: 'NonResourceAttributes describes information for a non-resource access request' }),
        resourceAttributes: refWith(s('ResourceAttributes'), { description: 'ResourceAuthorizationAttributes describes information for a resource access request' }),
        uid: str('UID information about the requesting user.'),
        user: str('User is the user you\'re testing for. If you specify "User" but not "Groups", then is it interpreted as "What if User were not a member of any groups'),
      },
    },
    [accessStatus]: {
      description: 'SubjectAccessReviewStatus',
      type: 'object',
      required: ['allowed'],
      properties: {
        allowed: bool('Allowed is required. True if the action would be allowed, false otherwise.'),
        denied: bool('Denied is optional. True if the action would be denied, otherwise false.'),
        evaluationError: str('EvaluationError is an indication that some error occurred during the authorization check.'),
        reason: str('Reason is optional.  It indicates why a request was allowed or denied.'),
      },
    },
    [s('SelfSubjectRulesReviewSpec')]: {
      description: 'SelfSubjectRulesReviewSpec defines the specification for SelfSubjectRulesReview.',
      type: 'object',
      properties: { namespace: str('Namespace to evaluate rules for. Required.') },
    },
    [s('SubjectRulesReviewStatus')]: {
      description: 'SubjectRulesReviewStatus contains the result of a rules check.',
      type: 'object',
      required: ['resourceRules', 'nonResourceRules', 'incomplete'],
      properties: {
        evaluationError: str('EvaluationError can appear in combination with Rules.'),
        incomplete: bool('Incomplete is true when the rules returned by this call are incomplete.'),
        nonResourceRules: { type: 'array', description: 'NonResourceRules is the list of actions the subject is allowed to perform on non-resources.', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' },
        resourceRules: { type: 'array', description: 'ResourceRules is the list of actions the subject is allowed to perform on resources.', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' },
      },
    },
    [s('SelfSubjectAccessReview')]: review(
      'SelfSubjectAccessReview',
      AUTHORIZATION_GROUP,
      'SelfSubjectAccessReview checks whether or the current user can perform an action.',
      s('SelfSubjectAccessReviewSpec'),
      accessStatus,
      ['spec'],
    ),
    [s('SelfSubjectRulesReview')]: review(
      'SelfSubjectRulesReview',
      AUTHORIZATION_GROUP,
      'SelfSubjectRulesReview enumerates the set of actions the current user can perform within a namespace.',
      s('SelfSubjectRulesReviewSpec'),
      s('SubjectRulesReviewStatus'),
      ['spec'],
    ),
    [s('SubjectAccessReview')]: review('SubjectAccessReview', AUTHORIZATION_GROUP, 'SubjectAccessReview checks whether or not a user or group can perform an action.', s('SubjectAccessReviewSpec'), accessStatus, ['spec']),
    [s('LocalSubjectAccessReview')]: review(
      'LocalSubjectAccessReview',
      AUTHORIZATION_GROUP,
      'LocalSubjectAccessReview checks whether or not a user or group can perform an action in a given namespace.',
      s('SubjectAccessReviewSpec'),
      accessStatus,
      ['spec'],
    ),
    [`${AUTHN}.UserInfo`]: {
      description: 'UserInfo holds the information about the user needed to implement the user.Info interface.',
      type: 'object',
      properties: {
        groups: strings('The names of groups this user is a part of.'),
        uid: str('A unique value that identifies this user across time.'),
        username: str('The name that uniquely identifies this user among all active users.'),
      },
    },
    [`${AUTHN}.SelfSubjectReviewStatus`]: {
      description: 'SelfSubjectReviewStatus is filled by the kube-apiserver and sent back to a user.',
      type: 'object',
      properties: { userInfo: refWith(`${AUTHN}.UserInfo`, { description: 'User attributes of the user making this request.', default: {} }) },
    },
    [`${AUTHN}.SelfSubjectReview`]: review(
      'SelfSubjectReview',
      AUTHENTICATION_GROUP,
      'SelfSubjectReview contains the user information that the kube-apiserver has about the user making this request.',
      undefined,
      `${AUTHN}.SelfSubjectReviewStatus`,
      [],
    ),
  };
}
