/**
 * Request attributes of routed requests, as the apiserver's RequestInfoFactory derives them.
 */
import { describe, expect, it } from 'vitest';
import { requestAttributes } from '../../../shared/api/request-authorization.js';
import { Router } from '../../../shared/api/router.js';
import { routes } from '../../../shared/api/routes.js';
import { queryFromSearchParams, type ApiRequest } from '../../../shared/api/http.js';

const router = new Router(routes);
function attrsOf(method: string, url: string) {
  const u = new URL(url, 'https://x');
  const m = router.match(method, u.pathname);
  if (m.kind !== 'found') throw new Error(`no route for ${method} ${url}`);
  const req: ApiRequest = { method, path: u.pathname, params: m.params, query: queryFromSearchParams(u.searchParams), headers: {}, body: undefined };
  return requestAttributes(m.route, req);
}
const IS = '/apis/image.openshift.io/v1';

describe('request-authorization', () => {
  describe('requestAttributes', () => {
    it.each([
      ['GET', `${IS}/namespaces/demo/imagestreams`, { verb: 'list', namespace: 'demo', name: '' }],
      ['GET', `${IS}/namespaces/demo/imagestreams?watch=true`, { verb: 'watch', namespace: 'demo' }],
      ['GET', `${IS}/namespaces/demo/imagestreams?watch=1`, { verb: 'watch' }],
      ['GET', `${IS}/namespaces/demo/imagestreams?watch=false`, { verb: 'list' }],
      ['GET', `${IS}/namespaces/demo/imagestreams?watch=bogus`, { verb: 'watch' }],
      ['GET', `${IS}/imagestreams?watch=true`, { verb: 'watch', namespace: '' }],
      ['GET', `${IS}/watch/namespaces/demo/imagestreams/app`, { verb: 'watch', name: 'app' }],
      ['GET', `${IS}/namespaces/demo/imagestreams?fieldSelector=metadata.name%3Dapp`, { verb: 'list', name: 'app' }],
      ['DELETE', `${IS}/namespaces/demo/imagestreams`, { verb: 'deletecollection', name: '' }],
      ['PUT', `${IS}/namespaces/demo/imagestreams/app/status`, { verb: 'update', subresource: 'status', name: 'app' }],
      ['PATCH', `${IS}/namespaces/demo/imagestreams/app`, { verb: 'patch', subresource: '', name: 'app' }],
      ['POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', namespace: '' }],
      ['GET', '/api/v1/namespaces/demo', { verb: 'get', apiGroup: '', resource: 'namespaces', namespace: 'demo', name: 'demo' }],
      ['GET', '/api/v1/namespaces/demo/events', { verb: 'list', resource: 'events', namespace: 'demo' }],
    ])('%s %s', (method, url, expected) => {
      expect(attrsOf(method, url)).toMatchObject({ resourceRequest: true, ...expected });
    });

    it('uses the lowercase method and the path for non-resource requests', () => {
      expect(attrsOf('GET', '/openapi/v3')).toEqual({ resourceRequest: false, verb: 'get', path: '/openapi/v3' });
    });
  });
});
