/**
 * The cost of authentication + authorization per request, warm (token and policy caches
 * filled), in process: a realistic policy (200 namespaces × 3 RoleBindings, 50
 * ClusterRoleBindings, 20 custom ClusterRoles, 1000 static tokens) and one request
 * (`GET …/namespaces/ns-7/imagestreams/app`) authenticated then authorized exactly as the
 * serve path does (`App.authenticate` + `authorizeRoute`). Prints µs per request (CPU time
 * of this process and wall time) for: a static token, an OIDC JWT (RS256, cached after the
 * first verification), a denied request, and a system:masters token; plus the one-off cost
 * of verifying a JWT.
 *
 *   npx tsx bench/auth-cost.ts [iterations=20000]
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createApp } from '../shared/api/app.js';
import type { ApiRequest } from '../shared/api/http.js';
import { authorizeRoute } from '../shared/api/request-authorization.js';
import type { KubeObject } from '../shared/apimachinery/meta.js';
import { OidcAuthenticator } from '../shared/auth/oidc.js';
import { loadConfig } from '../shared/config.js';
import { MemoryStore } from '../shared/storage/memory-store.js';
import { startTestIssuer } from '../test/helpers/oidc-issuer.js';

const ITERATIONS = Number(process.argv[2] ?? 20_000);
const G = 'rbac.authorization.k8s.io';

async function main(): Promise<void> {
  const iss = await startTestIssuer('imagestream-api');
  const tokens = Array.from({ length: 1000 }, (_, i) => `static-token-${i}-${'x'.repeat(24)},user-${i},uid-${i}`);
  tokens.push(`admin-token-${'x'.repeat(24)},admin,admin,"system:masters"`);
  const stores: Record<string, MemoryStore<KubeObject>> = {};
  for (const k of ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']) stores[`${k}.${G}`] = new MemoryStore();
  stores['secrets'] = new MemoryStore();
  const app = createApp({
    config: loadConfig({
      TABLE_NAME: 'bench',
      STATIC_TOKENS: tokens.join('\n'),
      OIDC_ISSUER_URL: iss.issuer,
      OIDC_CLIENT_ID: 'imagestream-api',
      OIDC_JWKS_URL: iss.jwksUrl,
      OIDC_USERNAME_PREFIX: 'oidc:',
    }),
    imageStreamStore: new MemoryStore(),
    stores,
    logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
  });

  // The policy, written through the API as the admin.
  const admin = `admin-token-${'x'.repeat(24)}`;
  const call = async (method: string, path: string, body: unknown) => {
    const res = await app.handle({ method, path, params: {}, query: new Map(), headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) });
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode}`);
  };
  for (let i = 0; i < 20; i++) {
    await call('POST', `/apis/${G}/v1/clusterroles`, { apiVersion: `${G}/v1`, kind: 'ClusterRole', metadata: { name: `custom-${i}` }, rules: [{ verbs: ['get'], apiGroups: ['example.com'], resources: [`things-${i}`] }] });
  }
  for (let i = 0; i < 50; i++) {
    await call('POST', `/apis/${G}/v1/clusterrolebindings`, { apiVersion: `${G}/v1`, kind: 'ClusterRoleBinding', metadata: { name: `crb-${i}` }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: `custom-${i % 20}` }, subjects: [{ kind: 'User', name: `user-${500 + i}` }] });
  }
  for (let n = 0; n < 200; n++) {
    const binding = (name: string, role: string, who: string) =>
      call('POST', `/apis/${G}/v1/namespaces/ns-${n}/rolebindings`, { apiVersion: `${G}/v1`, kind: 'RoleBinding', metadata: { name }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: role }, subjects: [{ kind: 'User', name: who }] });
    await binding('viewers', 'view', `user-${n}`);
    await binding('editors', 'edit', `user-${n + 200}`);
    await binding('oidc', 'edit', 'oidc:alice');
  }

  const jwt = await iss.sign({ sub: 'alice' });
  const path = '/apis/image.openshift.io/v1/namespaces/ns-7/imagestreams/app';
  const match = app.router.match('GET', path);
  if (match.kind !== 'found') throw new Error('no route');
  const route = match.route;
  const request = (token: string): ApiRequest => ({ method: 'GET', path, params: match.params, query: new Map(), headers: { authorization: `Bearer ${token}` }, body: undefined });

  async function measure(name: string, token: string, expectAllowed: boolean): Promise<void> {
    const req = request(token);
    const once = async (): Promise<boolean> => {
      const user = await app.authenticate(req, route);
      try {
        await authorizeRoute(app.authorization, route, { ...req, ...(user ? { user } : {}) });
        return true;
      } catch {
        return false;
      }
    };
    if ((await once()) !== expectAllowed) throw new Error(`${name}: unexpected decision`);
    for (let i = 0; i < 2000; i++) await once();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < ITERATIONS; i++) await once();
    const wall = ((performance.now() - t0) * 1000) / ITERATIONS;
    const c = process.cpuUsage(cpu0);
    const cpu = (c.user + c.system) / ITERATIONS;
    console.log(`${name.padEnd(44)} ${cpu.toFixed(1).padStart(7)} µs CPU  ${wall.toFixed(1).padStart(7)} µs wall`);
  }

  console.log(`auth cost per request, warm caches, ${ITERATIONS} requests each (target ≤ 300 µs CPU)`);
  await measure('static token (user-207: edit in ns-7)', 'static-token-207-' + 'x'.repeat(24), true);
  await measure('OIDC JWT, cached (oidc:alice: edit in ns-7)', jwt, true);
  await measure('static token, denied (user-3: view in ns-3)', 'static-token-3-' + 'x'.repeat(24), false);
  await measure('static token, system:masters', admin, true);

  // The one-off cost of a cold JWT (signature check, claims), what the cache saves.
  const oidc = new OidcAuthenticator({ issuerUrl: iss.issuer, audiences: ['imagestream-api'], usernameClaim: 'sub', jwksUrl: iss.jwksUrl, clockSkewSeconds: 30, algorithms: ['RS256'] });
  await oidc.authenticate(jwt);
  const fresh = await Promise.all(Array.from({ length: 200 }, (_, i) => iss.sign({ sub: `u${i}` })));
  const cpu0 = process.cpuUsage();
  for (const t of fresh) await oidc.authenticate(t);
  const c = process.cpuUsage(cpu0);
  console.log(`${'OIDC JWT, first verification (RS256)'.padEnd(44)} ${((c.user + c.system) / fresh.length).toFixed(1).padStart(7)} µs CPU`);
  await iss.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
