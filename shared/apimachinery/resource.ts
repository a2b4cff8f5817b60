/**
 * @module resource
 * The description of a served resource type: names, scope and subresources. Discovery,
 * error messages and the generic registry are driven by it; nothing here is type-specific.
 */
import type { GroupKind, GroupResource } from './status.js';

export interface ResourceDefinition {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  /** Plural resource name used in URLs, e.g. `imagestreams`. */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  readonly subresources: readonly string[];
}

export const groupVersionOf = (d: Pick<ResourceDefinition, 'group' | 'version'>): string =>
  d.group === '' ? d.version : `${d.group}/${d.version}`;

export const groupResourceOf = (d: ResourceDefinition): GroupResource => ({ group: d.group, resource: d.plural });

export const groupKindOf = (d: ResourceDefinition): GroupKind => ({ group: d.group, kind: d.kind });
