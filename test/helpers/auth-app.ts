/**
 * An App with the production authenticator (inline static tokens) and authorizer (RBAC over
 * in-memory stores), called in process: admin (system:masters), alice, bob, carol and a
 * service account, no bindings besides the built-in ones.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createApp, type App } from '../../shared/api/app.js';
import type { KubeObject } from '../../shared/apimachinery/meta.js';
import { loadConfig } from '../../shared/config.js';
import type { ImageStream } from '../../shared/image/types.js';
import { MemoryStore } from '../../shared/storage/memory-store.js';
import { appCaller, type TestApp } from './app.js';

export const TOKENS = {
  admin: 'admin-token-0123456789',
  alice: 'alice-token-0123456789',
  bob: 'bob-token-0123456789',
  carol: 'carol-token-0123456789',
  robot: 'robot-token-0123456789',
} as const;

export const STATIC_TOKENS = [
  `${TOKENS.admin},admin,admin-uid,"system:masters"`,
  `${TOKENS.alice},alice,alice-uid,"developers"`,
  `${TOKENS.bob},bob,bob-uid`,
  `${TOKENS.carol},carol,carol-uid`,
  `${TOKENS.robot},system:serviceaccount:demo:robot,robot-uid,"system:serviceaccounts,system:serviceaccounts:demo"`,
].join('\n');

export const RBAC_STORE_KEYS = [
  'roles.rbac.authorization.k8s.io',
  'clusterroles.rbac.authorization.k8s.io',
  'rolebindings.rbac.authorization.k8s.io',
  'clusterrolebindings.rbac.authorization.k8s.io',
] as const;

export interface AuthTestApp {
  readonly app: App;
  readonly imageStreams: MemoryStore<ImageStream>;
  readonly stores: Record<string, MemoryStore<KubeObject>>;
  readonly call: TestApp['call'];
}

export function authApp(env: Record<string, string> = {}): AuthTestApp {
  const imageStreams = new MemoryStore<ImageStream>();
  const stores: Record<string, MemoryStore<KubeObject>> = { secrets: new MemoryStore() };
  for (const k of RBAC_STORE_KEYS) stores[k] = new MemoryStore();
  const app = createApp({
    config: loadConfig({ TABLE_NAME: 'unused', STATIC_TOKENS, RBAC_CACHE_MS: '60000', ...env }),
    imageStreamStore: imageStreams,
    stores,
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  });
  return {
    app,
    imageStreams,
    stores,
    call: appCaller(app, TOKENS.admin),
  };
}

export const RBAC = '/apis/rbac.authorization.k8s.io/v1';
export const IS = (ns: string): string => `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams`;

export const roleBinding = (name: string, role: string, subjects: Record<string, unknown>[], kind = 'ClusterRole'): Record<string, unknown> => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
  subjects,
});

export const user = (name: string): Record<string, unknown> => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });

export const stream = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name },
  spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/example/app:latest' } }] },
  ...extra,
});

/** Binds `role` (a ClusterRole by default) to a user in a namespace, as the admin. */
export async function bind(t: AuthTestApp, namespace: string, who: string, role: string, kind = 'ClusterRole'): Promise<void> {
  const res = await t.call('POST', `${RBAC}/namespaces/${namespace}/rolebindings`, { body: roleBinding(`${who}-${role}`, role, [user(who)], kind) });
  if (res.status !== 201) throw new Error(`bind ${who} ${role}: ${res.text}`);
}
