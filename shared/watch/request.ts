/**
 * @module request
 * The watch a WebSocket client asks for, from the Kubernetes watch URL (conventions §6.1,
 * §6.7): the collection paths (`…/imagestreams`, `…/namespaces/{ns}/imagestreams`) or the
 * deprecated `/watch/` paths (one object by name), with the list/watch query parameters,
 * validated exactly as the HTTP watch validates them. On AWS the WebSocket API has no paths,
 * so the watch path travels in the `path` query parameter; the local gateway accepts the
 * real URLs and passes the path the same way.
 */
import type { Query } from '../apimachinery/options.js';
import { parseListOptions } from '../apimachinery/list-options.js';
import { badRequest, notFoundGeneric } from '../apimachinery/status.js';
import type { Router } from '../api/router.js';
import type { ResourceRoute } from '../api/routes.js';
import type { WatchRequest } from './subscription.js';

/** The query parameter carrying the Kubernetes watch path on the AWS WebSocket URL. */
export const PATH_PARAMETER = 'path';

export interface WatchRequestContext {
  readonly router: Router;
  /** A served resource by group and plural: its storage key and selectable field keys. */
  readonly lookup: (group: string, plural: string) => { readonly storageKey: string; readonly fieldKeys: readonly string[] } | undefined;
  /** Throws 403 unless the user may watch there (runs before the options are parsed, as upstream). */
  readonly authorize?: (route: ResourceRoute, namespace: string | undefined) => Promise<void>;
}

/** Parses and validates a watch URL; throws the StatusError the handshake is refused with. */
export async function parseWatchRequest(path: string, query: Query, ctx: WatchRequestContext): Promise<WatchRequest> {
  const match = ctx.router.match('GET', path);
  if (match.kind !== 'found') throw notFoundGeneric();
  const route = match.route;
  if (route.kind !== 'resource' || (route.verb !== 'list' && route.verb !== 'watch') || route.subresource !== undefined) {
    throw notFoundGeneric();
  }
  const served = ctx.lookup(route.group, route.resource);
  if (served === undefined) throw notFoundGeneric();
  const namespace = route.scope === 'namespace' ? match.params['namespace'] : undefined;
  await ctx.authorize?.(route, namespace);
  // A WebSocket connection is always a watch: `watch=true` is implied (and accepted).
  const q = new Map(query);
  q.set('watch', ['true']);
  const opts = parseListOptions(q, { namespace, fieldKeys: served.fieldKeys });
  let fieldSelector = opts.fieldSelectorText;
  const name = match.params['name'];
  if (name !== undefined && name !== '') {
    const other = opts.fieldSelector.find((r) => r.key === 'metadata.name' && (r.op !== 'eq' || r.value !== name));
    if (other) throw badRequest("fieldSelector metadata.name doesn't match requested name");
    fieldSelector = fieldSelector === '' ? `metadata.name=${name}` : `${fieldSelector},metadata.name=${name}`;
  }
  return {
    resource: served.storageKey,
    ...(namespace !== undefined ? { namespace } : {}),
    labelSelector: opts.labelSelectorText,
    fieldSelector,
    ...(opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {}),
    ...(opts.sendInitialEvents !== undefined ? { sendInitialEvents: opts.sendInitialEvents } : {}),
    allowBookmarks: opts.allowWatchBookmarks,
    ...(opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0 ? { timeoutSeconds: opts.timeoutSeconds } : {}),
  };
}

/** Whether the watch starts with the current state (§6.3, §6.5): RV unset or "0", unless sendInitialEvents says otherwise. */
export function startsWithState(req: Pick<WatchRequest, 'resourceVersion' | 'sendInitialEvents'>): boolean {
  return req.sendInitialEvents ?? (req.resourceVersion === undefined || req.resourceVersion === '0');
}
