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

/** `imagestreamtags` (`istag`): a view of one tag of a stream, named `<stream>:<tag>` (semantics §6.4, §10). */
export const imageStreamTagResource: ResourceDefinition = {
  group: IMAGE_GROUP,
  version: IMAGE_VERSION,
  kind: 'ImageStreamTag',
  listKind: 'ImageStreamTagList',
  plural: 'imagestreamtags',
  singular: 'imagestreamtag',
  shortNames: ['istag'],
  categories: [],
  namespaced: true,
  subresources: [],
};

/** `imagestreamimages` (`isimage`): an image of a stream's history, named `<stream>@<id>` (semantics §6.4). */
export const imageStreamImageResource: ResourceDefinition = {
  group: IMAGE_GROUP,
  version: IMAGE_VERSION,
  kind: 'ImageStreamImage',
  listKind: 'ImageStreamImageList',
  plural: 'imagestreamimages',
  singular: 'imagestreamimage',
  shortNames: ['isimage'],
  categories: [],
  namespaced: true,
  subresources: [],
};

/**
 * The group of this server's own operations beyond OpenShift (`extensions.ts`): kept out of
 * `image.openshift.io`, so that group serves exactly upstream's kinds.
 */
export const EXTENSIONS_GROUP = 'imagestreams.internal';
export const EXTENSIONS_VERSION = 'v1';
export const EXTENSIONS_API_VERSION = `${EXTENSIONS_GROUP}/${EXTENSIONS_VERSION}`;

export const imageStreamPruneResource: ResourceDefinition = {
  group: EXTENSIONS_GROUP,
  version: EXTENSIONS_VERSION,
  kind: 'ImageStreamPrune',
  listKind: 'ImageStreamPruneList',
  plural: 'imagestreamprunes',
  singular: 'imagestreamprune',
  shortNames: [],
  categories: [],
  namespaced: false,
  subresources: [],
};

export const imageStreamLookupResource: ResourceDefinition = {
  group: EXTENSIONS_GROUP,
  version: EXTENSIONS_VERSION,
  kind: 'ImageStreamLookup',
  listKind: 'ImageStreamLookupList',
  plural: 'imagestreamlookups',
  singular: 'imagestreamlookup',
  shortNames: [],
  categories: [],
  namespaced: true,
  subresources: [],
};
