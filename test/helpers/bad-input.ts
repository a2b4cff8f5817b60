/**
 * Bad input, property-based (fast-check): generators of junk requests, a harness that sends
 * them to an App in process and checks every answer, and the properties themselves:
 *
 * - the answer is never a 5xx (504 only as the `Timeout` Status of a too-large resourceVersion);
 * - every error is a Kubernetes `Status` whose `code` is the HTTP status;
 * - a request that fails writes nothing (no store's revision moves).
 *
 * The seed is fixed so CI is deterministic (`test/helpers/fuzz.ts`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import fc from 'fast-check';
import { stringify as stringifyYaml } from 'yaml';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect, it } from 'vitest';
import { createApp, type App } from '../../shared/api/app.js';
import { bodyText, type ApiResponse } from '../../shared/api/http.js';
import { routes } from '../../shared/api/routes.js';
import type { KubeObject } from '../../shared/apimachinery/meta.js';
import { loadConfig } from '../../shared/config.js';
import { MemoryStore } from '../../shared/storage/memory-store.js';
import { fuzzParams } from './fuzz.js';

export const TOKEN = 't0ken';

/** The last error the App logged (the cause of a 500, for the failure message). */
let lastLogged = '';

const fuzzLogger = (): Logger =>
  Object.assign(new Logger({ serviceName: 'fuzz', logLevel: 'SILENT' }), {
    error: (...args: unknown[]) => {
      const err = (args[1] as { error?: { stack?: string } } | undefined)?.error;
      lastLogged = err?.stack ?? JSON.stringify(args).slice(0, 2000);
    },
  });
const authenticator = { authenticate: (t: string) => (t === TOKEN ? { name: 'alice', groups: ['system:masters', 'system:authenticated'] } : undefined) };
const clock = () => new Date('2026-11-27T01:00:00Z');

/** The App to fuzz; the stores behind it are whatever the target chose. */
export type FuzzTarget = () => App;

/** Every resource type in its own in-memory store. */
export const memoryTarget: FuzzTarget = () => {
  const stores = new Map<string, MemoryStore<KubeObject>>();
  const lazy = new Proxy({} as Record<string, MemoryStore<KubeObject>>, {
    get: (_t, key) => {
      if (typeof key !== 'string') return undefined;
      let s = stores.get(key);
      if (!s) stores.set(key, (s = new MemoryStore<KubeObject>()));
      return s;
    },
  });
  return createApp({ config: loadConfig({ TABLE_NAME: 'unused' }), imageStreamStore: lazy['imagestreams'] as never, stores: lazy, authenticator, logger: fuzzLogger(), clock });
};

/** Every resource type in one DynamoDB table (the deployed layout). */
export const dynamoTarget =
  (client: DynamoDBClient, tableName: string): FuzzTarget =>
  () =>
    createApp({ config: loadConfig({ TABLE_NAME: tableName }), dynamo: client, authenticator, logger: fuzzLogger(), clock });

/** The resource types with stores (virtual views such as imagestreamtags have none of their own). */
const STORED = [...new Set(routes.flatMap((r) => (r.kind === 'resource' ? [`${r.group}/${r.resource}`] : [])))];

/** Every store's revision: a request that fails must leave this unchanged. */
async function revisionsOf(app: App): Promise<string> {
  const out: string[] = [];
  for (const gr of STORED) {
    const [group, resource] = gr.split('/') as [string, string];
    const api = app.resourceApi(resource, group);
    if (api) out.push(`${gr}=${await api.service.currentResourceVersion()}`);
  }
  return out.join(',');
}

export const STREAM = {
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name: 'a', namespace: 'demo', labels: { app: 'x' }, annotations: { note: 'y' } },
  spec: {
    lookupPolicy: { local: false },
    tags: [
      {
        name: 'latest',
        annotations: { a: 'b' },
        from: { kind: 'DockerImage', name: 'quay.io/example/app:latest' },
        importPolicy: { scheduled: false, importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
        generation: 0,
      },
      { name: 'v1', from: { kind: 'ImageStreamTag', name: 'a:latest' }, reference: true },
    ],
  },
  status: {
    dockerImageRepository: '',
    tags: [{ tag: 'latest', items: [{ created: '2026-11-27T00:00:00Z', dockerImageReference: 'quay.io/example/app@sha256:' + 'a'.repeat(64), image: 'sha256:' + 'a'.repeat(64), generation: 1 }] }],
  },
};

/** Every path into a JSON value (object keys and array indices). */
function pathsOf(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...prefix, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...prefix, k]));
  return out;
}
const STREAM_PATHS = pathsOf(STREAM).filter((p) => p.length > 0);

const SECRET = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'pull', namespace: 'demo' },
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': Buffer.from('{"auths":{"r.example.com":{"auth":"dTpw"}}}').toString('base64') },
};
const ROLE = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name: 'reader', namespace: 'demo' },
  rules: [{ apiGroups: ['image.openshift.io'], resources: ['imagestreams'], verbs: ['get', 'list'] }],
};
const ROLE_BINDING = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'edit', namespace: 'demo' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
  subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }],
};
const DELETE_OPTIONS = {
  kind: 'DeleteOptions',
  apiVersion: 'v1',
  propagationPolicy: 'Background',
  gracePeriodSeconds: 0,
  preconditions: { uid: 'x', resourceVersion: '1' },
  dryRun: ['All'],
};

/** A valid object of some kind with one random change (a value replaced, removed or added). */
const mutated = (base: object) =>
  fc
    .tuple(fc.constantFrom(...pathsOf(base).filter((p) => p.length > 0)), fc.constantFrom('set', 'delete', 'extra'), fc.jsonValue({ maxDepth: 3 }))
    .map(([p, how, v]) => mutate(base, p, how as 'set', v));

/** `base` with the value at `path` replaced (or removed, or given an extra key). */
export function mutate(base: unknown, path: (string | number)[], how: 'set' | 'delete' | 'extra', value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (how === 'delete') {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else if (how === 'extra' && node[last] !== null && typeof node[last] === 'object' && !Array.isArray(node[last])) {
    (node[last] as Record<string, unknown>)['zz' + (JSON.stringify(value) ?? '').slice(0, 8)] = value;
  } else node[last] = value;
  return copy;
}

const junk = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', '1', '1e309', 'NaN', 'true', 'false', 'null', 'All', 'all', 'Strict', 'Warn', 'Ignore', 'Exact', 'NotOlderThan'),
  fc.constantFrom('a=b', 'a in (b', 'a notin ()', '!a', 'a,,b', 'metadata.name=x', 'spec.x=y', '=', 'a==b==c', 'x'.repeat(70_000)),
  fc.constantFrom('Orphan', 'Background', 'Foreground', '99999999999999999999', 'eyJ2IjoxfQ', 'garbage-continue'),
  fc.string({ maxLength: 40 }),
);
const queryKeys = fc.constantFrom(
  'dryRun',
  'fieldValidation',
  'fieldManager',
  'force',
  'labelSelector',
  'fieldSelector',
  'limit',
  'continue',
  'resourceVersion',
  'resourceVersionMatch',
  'timeoutSeconds',
  'propagationPolicy',
  'gracePeriodSeconds',
  'orphanDependents',
  'pretty',
  'allowWatchBookmarks',
  'sendInitialEvents',
  'includeObject',
  'zz',
);
const query = fc.oneof(
  { weight: 2, arbitrary: fc.constant([] as [string, string][]) },
  { weight: 1, arbitrary: fc.constantFrom<[string, string][]>([['dryRun', 'All']], [['fieldValidation', 'Strict']], [['fieldManager', 'fuzz'], ['force', 'true']], [['limit', '1']]) },
  { weight: 2, arbitrary: fc.array(fc.tuple(queryKeys, junk), { maxLength: 4 }) },
);

const segment = (valid: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.constantFrom('Bad_Name', 'a:b:c', 'a@sha256:' + 'b'.repeat(64), 'x'.repeat(300), 'é', '..', '-a', 'a.', ' ') },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('/')) },
  );

const contentType = fc.constantFrom(
  'application/json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'text/plain',
  'application/json; charset=utf-16',
  '',
);
const accept = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json',
  'application/json',
  'application/json',
  'application/json',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  '*/*',
  'text/html',
  ';;;',
);

const body = fc.oneof(
  { weight: 4, arbitrary: mutated(STREAM).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: mutated(STREAM).map((o) => stringifyYaml(o)) },
  { weight: 1, arbitrary: fc.oneof(mutated(SECRET), mutated(ROLE_BINDING), mutated(DELETE_OPTIONS)).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.record({
          op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
          path: fc.oneof(fc.constantFrom(...STREAM_PATHS).map((p) => '/' + p.join('/')), fc.string({ maxLength: 12 })),
          from: fc.constantFrom('/spec', '/metadata/name', '/nope', ''),
          value: fc.jsonValue({ maxDepth: 2 }),
        }),
        { maxLength: 3 },
      )
      .map((ops) => JSON.stringify(ops)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{',
      '[',
      '{"a":1,"a":2}',
      '{"metadata":{"name":"a","name":"b"}}',
      'apiVersion: v1\nkind: [\n',
      'a: &x [*x]\n',
      '\u0000',
      '[' .repeat(5000) + ']'.repeat(5000),
      '{"spec":{"tags":[{"$patch":"delete","name":"latest"}],"$setElementOrder/tags":[{"name":"zz"}]}}',
      '{"spec":{"$retainKeys":["tags"],"tags":{"$patch":"replace"}}}',
      '{"metadata":{"managedFields":[{"manager":"x","operation":"Apply","fieldsV1":{"f:spec":{"k:{bad":{}}}}]}}',
      '{"metadata":{"resourceVersion":"abc","uid":"x","deletionTimestamp":"nope"}}',
      '1e999',
      '"string"',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  // A valid object with a value nested deep somewhere, around the server's limit (MAX_BODY_NESTING).
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...STREAM_PATHS), fc.integer({ min: 100, max: 1_200 }), fc.constantFrom('[', '{"a":'))
      .map(([p, depth, open]) => {
        const marker = '"__deep__"';
        const nested = open.repeat(depth) + (open === '[' ? ']' : '1}').repeat(depth);
        return JSON.stringify(mutate(STREAM, p, 'set', '__deep__')).replace(marker, nested);
      }),
  },
);

const served = routes.filter((r) => !(r.kind === 'resource' && (r.verb === 'watch' || (r.streaming && r.path.includes('/watch/')))));
// Half the requests go to the ImageStream routes (the bodies are mostly ImageStreams).
const route = fc.oneof(
  fc.constantFrom(...served),
  fc.constantFrom(...served.filter((r) => r.kind === 'resource' && r.resource === 'imagestreams' && r.scope === 'namespace')),
);

export const request = fc.record({
  route,
  namespace: segment(['demo', 'demo', 'demo', 'other']),
  name: segment(['a', 'b', 'a', 'b', 'a:latest', 'a@sha256:' + 'a'.repeat(64), 'edit', 'admin']),
  query,
  contentType,
  accept,
  body: fc.option(body, { nil: undefined, freq: 4 }),
  /** PUT bodies carry the target's current resourceVersion (else most PUTs stop at 422). */
  currentRv: fc.boolean(),
});

export const STREAMS = '/apis/image.openshift.io/v1/namespaces/demo/imagestreams';

interface Sent {
  readonly status: number;
  readonly text: string;
}

/** The App under fuzz, a raw client of it, and the property every answer must have. */
export function harness(target: FuzzTarget, token: string = TOKEN) {
  const app = target();
  const revisions = () => revisionsOf(app);
  const send = async (method: string, path: string, q: readonly (readonly [string, string])[], headers: Record<string, string>, b?: string): Promise<Sent> => {
    const queryMap = new Map<string, string[]>();
    for (const [k, v] of q) queryMap.set(k, [...(queryMap.get(k) ?? []), v]);
    const res: ApiResponse = await app.handle({
      method,
      path,
      params: {},
      query: queryMap,
      headers: { authorization: `Bearer ${token}`, ...headers },
      body: b === undefined ? undefined : Buffer.from(b),
    });
    return { status: res.statusCode, text: Buffer.isBuffer(res.body) ? res.body.toString('utf8') : await bodyText(res.body) };
  };
  /** Streams a and b in demo, re-created after a fuzzed delete: something to hit. */
  const ensureStreams = async (): Promise<void> => {
    for (const name of ['a', 'b']) {
      if ((await send('GET', `${STREAMS}/${name}`, [], {})).status === 404) {
        const created = await send('POST', STREAMS, [], { 'content-type': 'application/json' }, JSON.stringify(mutate(STREAM, ['metadata', 'name'], 'set', name)));
        expect(created.status).toBe(201);
      }
    }
  };
  const currentRv = async (path: string): Promise<string | undefined> => {
    const res = await send('GET', path.replace(/\/status$/, ''), [], {});
    return res.status === 200 ? (JSON.parse(res.text) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion : undefined;
  };
  /** Sends one request and checks the answer: no 5xx, errors as Status, no write on failure. */
  const check = async (method: string, path: string, q: readonly (readonly [string, string])[], headers: Record<string, string>, b?: string): Promise<Sent> => {
    const before = await revisions();
    lastLogged = '';
    const res = await send(method, path, q, headers, b);
    const where = `${method} ${path} ${JSON.stringify(q)} ${JSON.stringify(headers)} ${b?.slice(0, 400) ?? ''} → ${res.status} ${res.text.slice(0, 400)} ${lastLogged}`;
    const timeout = res.status === 504 && /"reason":"Timeout"/.test(res.text);
    expect(res.status < 500 || timeout, where).toBe(true);
    // A path no route matches gets the plain-text page of a real API server.
    const unrouted = res.status === 404 && res.text === '404 page not found\n';
    if (res.status >= 400 && !unrouted) {
      let status: { kind?: string; code?: number } | undefined;
      try {
        status = JSON.parse(res.text) as typeof status;
      } catch {
        // An error asked for as YAML is YAML; everything else must be a JSON Status.
        status = (headers['accept'] ?? '').includes('yaml') && res.text.includes('kind: Status') ? { kind: 'Status', code: res.status } : undefined;
      }
      expect(status?.kind, where).toBe('Status');
      expect(status?.code, where).toBe(res.status);
    }
    if (res.status >= 400) expect(await revisions(), `a failed request wrote: ${where}`).toBe(before);
    return res;
  };
  return { app, send, check, ensureStreams, currentRv };
}

/** Sets fields of `metadata` in a JSON object body (other bodies unchanged). */
export function withMeta(body: string, meta: Record<string, string | undefined>): string {
  try {
    const parsed = JSON.parse(body) as { metadata?: unknown };
    if (parsed.metadata !== null && typeof parsed.metadata === 'object' && !Array.isArray(parsed.metadata)) {
      const set = Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined));
      return JSON.stringify({ ...parsed, metadata: { ...parsed.metadata, ...set } });
    }
  } catch {
    // not JSON
  }
  return body;
}
export const withRv = (body: string, rv: string | undefined): string => withMeta(body, { resourceVersion: rv });

/** Writes to existing streams with the right content types: reaches the strategies, patch and apply code. */
const write = fc.record({
  op: fc.constantFrom('put', 'put-status', 'merge', 'strategic', 'json', 'apply', 'apply-status', 'merge-status', 'create', 'istag-put', 'istag-create', 'istag-apply', 'istag-merge'),
  name: fc.constantFrom('a', 'b'),
  body,
  options: fc.constantFrom<[string, string][]>([], [], [['dryRun', 'All']], [['fieldValidation', 'Strict']], [['fieldValidation', 'Ignore']], [['force', 'true']]),
});

/** Writes to the other stored resources (core Secrets, RBAC), each with its collection path. */
const OTHERS = [
  { base: SECRET, collection: '/api/v1/namespaces/demo/secrets' },
  { base: ROLE, collection: '/apis/rbac.authorization.k8s.io/v1/namespaces/demo/roles' },
  { base: ROLE_BINDING, collection: '/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings' },
] as const;
const otherWrite = fc
  .record({
    kind: fc.nat({ max: OTHERS.length - 1 }),
    op: fc.constantFrom('create', 'put', 'merge', 'strategic', 'json', 'apply', 'delete'),
    mutation: fc.tuple(fc.nat(), fc.constantFrom('set', 'delete', 'extra'), fc.jsonValue({ maxDepth: 3 })),
    options: fc.constantFrom<[string, string][]>([], [], [['dryRun', 'All']], [['fieldValidation', 'Strict']], [['force', 'true']]),
    jsonPatch: body,
  })
  .map((w) => {
    const target = OTHERS[w.kind]!;
    const paths = pathsOf(target.base).filter((p) => p.length > 0 && !(p[0] === 'metadata' && p[1] === 'name'));
    const [at, how, value] = w.mutation;
    return { ...w, target, body: JSON.stringify(mutate(target.base, paths[at % paths.length]!, how as 'set', value)) };
  });

/**
 * The bad-input properties against `target`, `runs` cases each (the watch property a fifth):
 * random requests to every route, mangled writes to existing streams, watch requests with junk.
 */
export function badInputProperties(target: FuzzTarget, runs: number, timeoutMs = 120_000): void {
  it('random requests to every route: never 5xx, errors are Status objects, failures write nothing', async () => {
    const h = harness(target);
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        await h.ensureStreams();
        // The watch query turns a list into a stream; watches have their own suites.
        const q = r.query.filter(([k]) => k !== 'watch');
        const path = r.route.path.replace('{namespace}', r.namespace).replace('{name}', r.name);
        const b = r.route.method === 'PUT' && r.currentRv && r.body !== undefined ? withRv(r.body, await h.currentRv(path)) : r.body;
        const headers: Record<string, string> = { accept: r.accept };
        if (b !== undefined && r.contentType !== '') headers['content-type'] = r.contentType;
        await h.check(r.route.method, path, q, headers, b);
      }),
      { ...fuzzParams(runs), numRuns: runs },
    );
  }, timeoutMs);

  it('mangled writes to existing streams (PUT, status, every patch type, apply, istags): same guarantees', async () => {
    const h = harness(target);
    let succeeded = 0;
    let created = 0;
    await fc.assert(
      fc.asyncProperty(write, async (w) => {
        await h.ensureStreams();
        const one = `${STREAMS}/${w.name}`;
        const istag = `/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/${w.name}:latest`;
        const apply: [string, string][] = [['fieldManager', 'fuzz'], ...w.options];
        const json = { 'content-type': 'application/json', accept: 'application/json' };
        const patch = (type: string) => ({ 'content-type': type, accept: 'application/json' });
        // The body names its target (a mismatch is a plain 400 that would hide everything behind it).
        const body = withMeta(w.body, { name: w.op === 'create' ? `c${created++}` : w.op.startsWith('istag') ? `${w.name}:latest` : w.name });
        const res = await (async (): Promise<Sent> => {
          switch (w.op) {
            case 'put':
              return h.check('PUT', one, w.options, json, withRv(body, await h.currentRv(one)));
            case 'put-status':
              return h.check('PUT', `${one}/status`, w.options, json, withRv(body, await h.currentRv(one)));
            case 'merge':
              return h.check('PATCH', one, w.options, patch('application/merge-patch+json'), body);
            case 'merge-status':
              return h.check('PATCH', `${one}/status`, w.options, patch('application/merge-patch+json'), body);
            case 'strategic':
              return h.check('PATCH', one, w.options, patch('application/strategic-merge-patch+json'), body);
            case 'json':
              return h.check('PATCH', one, w.options, patch('application/json-patch+json'), body);
            case 'apply':
              return h.check('PATCH', one, apply, patch('application/apply-patch+yaml'), body);
            case 'apply-status':
              return h.check('PATCH', `${one}/status`, apply, patch('application/apply-patch+yaml'), body);
            case 'create':
              return h.check('POST', STREAMS, w.options, json, body);
            case 'istag-put':
              return h.check('PUT', istag, w.options, json, withRv(body.replace('"kind":"ImageStream"', '"kind":"ImageStreamTag"'), await h.currentRv(istag)));
            case 'istag-create':
              return h.check('POST', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags', w.options, json, body.replace('"kind":"ImageStream"', '"kind":"ImageStreamTag"'));
            case 'istag-apply':
              return h.check('PATCH', istag, apply, patch('application/apply-patch+yaml'), body.replace('"kind":"ImageStream"', '"kind":"ImageStreamTag"'));
            case 'istag-merge':
              return h.check('PATCH', istag, w.options, patch('application/merge-patch+json'), body);
          }
        })();
        if (res.status < 300) succeeded++;
      }),
      { ...fuzzParams(runs), numRuns: runs },
    );
    // The generator reaches the success paths too, not only the early rejections.
    expect(succeeded).toBeGreaterThan(runs / 10);
  }, timeoutMs);

  it('watch requests with junk parameters: a 4xx Status before any event, or a stream that starts', async () => {
    const h = harness(target);
    const watches = routes.filter((r) => r.kind === 'resource' && (r.verb === 'watch' || r.verb === 'list') && r.resource === 'imagestreams');
    const watchRequest = fc.record({
      route: fc.constantFrom(...watches),
      namespace: segment(['demo']),
      name: segment(['a']),
      query: fc.array(fc.tuple(queryKeys, junk), { maxLength: 4 }),
      accept,
    });
    await fc.assert(
      fc.asyncProperty(watchRequest, async (r) => {
        const path = r.route.path.replace('{namespace}', r.namespace).replace('{name}', r.name);
        const query = new Map<string, string[]>([['watch', ['true']]]);
        for (const [k, v] of r.query) query.set(k, [...(query.get(k) ?? []), v]);
        const abort = new AbortController();
        const res = await h.app.handle({ method: 'GET', path, params: {}, query, headers: { authorization: `Bearer ${TOKEN}`, accept: r.accept }, body: undefined, signal: abort.signal });
        abort.abort();
        const where = `GET ${path} ${JSON.stringify([...query])} ${r.accept} → ${res.statusCode}`;
        expect(res.statusCode < 500, where).toBe(true);
        if (res.statusCode >= 400) {
          const text = Buffer.isBuffer(res.body) ? res.body.toString('utf8') : await bodyText(res.body);
          if (text !== '404 page not found\n') expect(JSON.parse(text), where).toMatchObject({ kind: 'Status', code: res.statusCode });
        } else if (!Buffer.isBuffer(res.body) && typeof res.body !== 'string') {
          // A stream: it ends once aborted (no event is waited for).
          for await (const _chunk of res.body) break;
        }
      }),
      { ...fuzzParams(runs), numRuns: Math.ceil(runs / 5) },
    );
  }, timeoutMs);

  it('mangled writes to Secrets, Roles and RoleBindings: same guarantees', async () => {
    const h = harness(target);
    let succeeded = 0;
    let created = 0;
    await fc.assert(
      fc.asyncProperty(otherWrite, async (w) => {
        const { collection, base } = w.target;
        const one = `${collection}/${base.metadata.name}`;
        // Something to change: the unmutated object, (re)created when a case deleted it.
        if ((await h.send('GET', one, [], {})).status === 404) {
          expect((await h.send('POST', collection, [], { 'content-type': 'application/json' }, JSON.stringify(base))).status).toBe(201);
        }
        const json = { 'content-type': 'application/json', accept: 'application/json' };
        const patch = (type: string) => ({ 'content-type': type, accept: 'application/json' });
        const res = await (async (): Promise<Sent> => {
          switch (w.op) {
            case 'create':
              return h.check('POST', collection, w.options, json, withMeta(w.body, { name: `c-${created++}` }));
            case 'put':
              return h.check('PUT', one, w.options, json, withRv(w.body, await h.currentRv(one)));
            case 'merge':
              return h.check('PATCH', one, w.options, patch('application/merge-patch+json'), w.body);
            case 'strategic':
              return h.check('PATCH', one, w.options, patch('application/strategic-merge-patch+json'), w.body);
            case 'json':
              return h.check('PATCH', one, w.options, patch('application/json-patch+json'), w.jsonPatch);
            case 'apply':
              return h.check('PATCH', one, [['fieldManager', 'fuzz'], ...w.options], patch('application/apply-patch+yaml'), w.body);
            case 'delete':
              return h.check('DELETE', one, w.options, json, w.jsonPatch);
          }
        })();
        if (res.status < 300) succeeded++;
      }),
      { ...fuzzParams(runs), numRuns: runs },
    );
    expect(succeeded).toBeGreaterThan(runs / 10);
  }, timeoutMs);
}
