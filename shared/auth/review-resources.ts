/**
 * @module review-resources
 * Identity of the review resources (create-only, cluster-scoped except
 * LocalSubjectAccessReview): authorization.k8s.io/v1 access and rules reviews and
 * authentication.k8s.io/v1 SelfSubjectReview. Kept free of dependencies for the route table.
 */
import type { ResourceDefinition } from '../apimachinery/resource.js';

export const AUTHORIZATION_GROUP = 'authorization.k8s.io';
export const AUTHENTICATION_GROUP = 'authentication.k8s.io';

const review = (group: string, kind: string, namespaced = false): ResourceDefinition => ({
  group,
  version: 'v1',
  kind,
  listKind: `${kind}List`,
  plural: `${kind.toLowerCase()}s`,
  singular: kind.toLowerCase(),
  shortNames: [],
  categories: [],
  namespaced,
  subresources: [],
});

export const selfSubjectAccessReviewResource = review(AUTHORIZATION_GROUP, 'SelfSubjectAccessReview');
export const selfSubjectRulesReviewResource = review(AUTHORIZATION_GROUP, 'SelfSubjectRulesReview');
export const subjectAccessReviewResource = review(AUTHORIZATION_GROUP, 'SubjectAccessReview');
export const localSubjectAccessReviewResource = review(AUTHORIZATION_GROUP, 'LocalSubjectAccessReview', true);
export const selfSubjectReviewResource = review(AUTHENTICATION_GROUP, 'SelfSubjectReview');

export const REVIEW_RESOURCES: readonly ResourceDefinition[] = [
  selfSubjectAccessReviewResource,
  selfSubjectRulesReviewResource,
  subjectAccessReviewResource,
  localSubjectAccessReviewResource,
  selfSubjectReviewResource,
];
