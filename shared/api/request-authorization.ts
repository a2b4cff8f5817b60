/**
 * @module request-authorization
 * Where every routed request is authorized: the attributes of a route and request (as the
 * apiserver's `RequestInfoFactory` derives them), then the authorizer.
 *
 * - Resource rows: the row's verb, except that a list with `watch=true` is `watch` and a
 *   list/watch whose field selector pins `metadata.name` carries that name (so
 *   `resourceNames` rules apply); group, resource, subresource, namespace and name from the
 *   row and path.
 * - The core paths kubectl probes are resource requests: `GET /api/v1/namespaces/{ns}` is
 *   `get namespaces/{ns}` in `{ns}`, also allowed to anyone a RoleBinding of `{ns}` applies to
 *   (403 without any rights there, as OpenShift answers), and its events are `list events`.
 * - Other non-resource paths: the lowercase method and the path (`system:discovery` allows
 *   the discovery and OpenAPI documents to every authenticated user, `/version` to anyone).
 */
import { parseFieldSelector } from '../apimachinery/field-selector.js';
import { parseBool } from '../apimachinery/options.js';
import { isStatusError } from '../apimachinery/status.js';
import { isValidPathSegmentName } from '../apimachinery/validation.js';
import { authorizeRequest, type Authorization, type RequestAttributes } from '../auth/authorizer.js';
import { firstQuery, type ApiRequest } from './http.js';
import type { Route } from './routes.js';

/** Whether `watch` asks for a watch (a value Go cannot parse counts as a watch, as upstream). */
function wantsWatch(value: string | undefined): boolean {
  if (value === undefined) return false;
  try {
    return parseBool('watch', value) ?? false;
  } catch {
    return !['false', '0'].includes(value.toLowerCase());
  }
}

/** The `metadata.name` an exact field-selector term pins, if any (invalid names are ignored). */
function selectedName(req: ApiRequest): string {
  const selector = firstQuery(req, 'fieldSelector');
  if (!selector) return '';
  try {
    const term = parseFieldSelector(selector).find((r) => r.key === 'metadata.name' && r.op === 'eq');
    return term && isValidPathSegmentName(term.value, false).length === 0 ? term.value : '';
  } catch {
    return '';
  }
}

export function requestAttributes(route: Route, req: ApiRequest): RequestAttributes {
  const namespace = req.params['namespace'] ?? '';
  if (route.kind === 'non-resource') {
    if (route.endpoint === 'core-namespace') {
      return { resourceRequest: true, verb: 'get', apiGroup: '', resource: 'namespaces', subresource: '', namespace, name: namespace };
    }
    if (route.endpoint === 'core-events') {
      const verb = wantsWatch(firstQuery(req, 'watch')) ? 'watch' : 'list';
      return { resourceRequest: true, verb, apiGroup: '', resource: 'events', subresource: '', namespace, name: selectedName(req) };
    }
    return { resourceRequest: false, verb: route.method.toLowerCase(), path: req.path };
  }
  let verb: string = route.verb;
  let name = req.params['name'] ?? '';
  if (route.verb === 'list' && wantsWatch(firstQuery(req, 'watch'))) verb = 'watch';
  if ((verb === 'list' || verb === 'watch') && name === '') name = selectedName(req);
  return {
    resourceRequest: true,
    verb,
    apiGroup: route.group,
    resource: route.resource,
    subresource: route.subresource ?? '',
    namespace: route.scope === 'namespace' ? namespace : '',
    name,
  };
}

/**
 * Authorizes a routed request (throws the 403 Status). The namespace probe falls back to
 * allowing when the policy cannot be read (its answer is synthetic either way; the
 * discovery function may have no table access).
 */
export async function authorizeRoute(
  authz: Pick<Authorization, 'authorize' | 'rulesFor'>,
  route: Route,
  req: ApiRequest,
  onError?: (e: unknown) => void,
): Promise<void> {
  const attrs = requestAttributes(route, req);
  if (route.kind === 'non-resource' && (route.endpoint === 'core-namespace' || route.endpoint === 'core-events')) {
    try {
      await authorizeRequest(authz, req.user, attrs);
    } catch (e) {
      if (!isStatusError(e)) return onError?.(e);
      // The namespace "exists" for anyone with some rights in it (a RoleBinding there), as OpenShift's projects.
      if (route.endpoint !== 'core-namespace' || req.user === undefined) throw e;
      const local = await authz.rulesFor(req.user, attrs.resourceRequest ? attrs.namespace : '', 'namespace').catch(() => ({ rules: [] }));
      if (local.rules.length === 0) throw e;
    }
    return;
  }
  await authorizeRequest(authz, req.user, attrs);
}
