/**
 * @module resource
 * Identity of the ImageStream resource (image.openshift.io/v1).
 */
import type { ResourceDefinition } from '../apimachinery/resource.js';

export const IMAGE_GROUP = 'image.openshift.io';
export const IMAGE_VERSION = 'v1';

export const imageStreamResource: ResourceDefinition = {
  group: IMAGE_GROUP,
  version: IMAGE_VERSION,
  kind: 'ImageStream',
  listKind: 'ImageStreamList',
  plural: 'imagestreams',
  singular: 'imagestream',
  shortNames: ['is'],
  categories: ['all'],
  namespaced: true,
  subresources: ['status'],
};
