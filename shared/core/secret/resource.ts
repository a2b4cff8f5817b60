/**
 * @module resource
 * Identity of the core v1 Secret resource (kept apart from the schemas so the route table
 * stays light).
 */
import type { ResourceDefinition } from '../../apimachinery/resource.js';

export const secretResource: ResourceDefinition = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  listKind: 'SecretList',
  plural: 'secrets',
  singular: 'secret',
  shortNames: [],
  categories: [],
  namespaced: true,
  subresources: [],
};
