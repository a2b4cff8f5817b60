/**
 * @module resource
 * A served resource (the HTTP API's `ResourceApi`) as the watch machinery sees it: its
 * change log, current revision, consistent list, selector fields and wire forms — the same
 * ones the HTTP watch uses, so both transports send identical events.
 */
import type { KubeObject } from '../apimachinery/meta.js';
import type { App } from '../api/app.js';
import type { ResourceApi } from '../api/resource-endpoints.js';
import { storageKeyOf } from '../api/resource-module.js';
import { routes } from '../api/routes.js';
import type { WatchedResource } from './subscription.js';

export function watchedResourceOf(api: ResourceApi<KubeObject>): WatchedResource | undefined {
  const log = api.changeLog;
  if (!log) return undefined;
  const service = api.service;
  return {
    log,
    currentRevision: async () => Number(await service.currentResourceVersion()),
    list: (namespace) => service.snapshot(namespace),
    selectableFields: api.selectableFields,
    toWire: (obj) => api.toWire(service.decorate(obj)),
    bookmark: (resourceVersion, annotations) => api.bookmarkObject(resourceVersion, annotations),
  };
}

/** The served resources with a change log, by storage key (the key of their event-log partition). */
export function watchedResources(app: Pick<App, 'resourceApi'>): (storageKey: string) => WatchedResource | undefined {
  let byKey: Map<string, WatchedResource> | undefined;
  return (storageKey) => {
    if (!byKey) {
      byKey = new Map();
      for (const r of routes) {
        if (r.kind !== 'resource') continue;
        const api = app.resourceApi(r.resource, r.group);
        const watched = api ? watchedResourceOf(api) : undefined;
        if (api && watched && !byKey.has(storageKeyOf(api.def))) byKey.set(storageKeyOf(api.def), watched);
      }
    }
    return byKey.get(storageKey);
  };
}
