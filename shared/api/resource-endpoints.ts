/**
 * @module resource-endpoints
 * The HTTP side of the generic registry: one function per verb that parses options, decodes
 * the body, calls the ResourceService and renders the result. Nothing here is specific to
 * ImageStreams; a resource plugs in through `ResourceApi`.
 */
import type * as core from 'zod/v4/core';
import { encodeContinue } from '../apimachinery/continue-token.js';
import { decodeBody, decodeValue, MAX_REQUEST_BODY_BYTES, stripNulls } from '../apimachinery/decode.js';
import type { FieldMeta } from '../apimachinery/field-meta.js';
import { fieldErrors } from '../apimachinery/field-errors.js';
import { goValue } from '../apimachinery/go-format.js';
import { isProtobufContentType } from '../apimachinery/protobuf-decode.js';
import { findDuplicateKeys } from '../apimachinery/json-body.js';
import { applyPatch, jsonPatchUnknownFields, patchTypeOf } from '../apimachinery/patch.js';
import { parseIncludeObject, toTable, type TableOptions, type TablePrinter } from '../apimachinery/table.js';
import { matchesFields } from '../apimachinery/field-selector.js';
import { matchesLabels } from '../apimachinery/label-selector.js';
import { parseListOptions, type ListOptions } from '../apimachinery/list-options.js';
import type { KubeObject, ListMeta } from '../apimachinery/meta.js';
import type { ChangeLog } from '../apimachinery/registry/store.js';
import { watchChanges } from '../apimachinery/watch.js';
import { negotiateOutput, type OutputFormat } from '../apimachinery/negotiation.js';
import { fieldManagerFromUserAgent, parseBool, parseDeleteOptions, parseWriteOptions, type WriteOptions } from '../apimachinery/options.js';
import { applyPatch as applySsa, decodeApplyConfiguration } from '../apimachinery/server-side-apply.js';
import type { ResourceService } from '../apimachinery/registry/resource-service.js';
import { groupVersionOf, type ResourceDefinition } from '../apimachinery/resource.js';
import {
  badRequest,
  conflict,
  invalid,
  OPTIMISTIC_LOCK_MESSAGE,
  methodNotSupported,
  requestEntityTooLarge,
  resourceExpired,
  StatusError,
  successStatus,
  timeout,
} from '../apimachinery/status.js';
import { firstQuery, type ApiRequest, type ApiResponse, type UserInfo } from './http.js';
import { checkTableOptionsBeforeWrite, formattedResponse } from './render.js';
import type { ResourceRoute } from './routes.js';

export interface ResourceApi<T extends KubeObject> {
  readonly def: ResourceDefinition;
  readonly service: ResourceService<T>;
  /** Strict wire schema of a request body. */
  readonly schema: core.$ZodType;
  /** The exact wire form of one object (with kind and apiVersion). */
  readonly toWire: (obj: T) => Record<string, unknown>;
  /** A protobuf request body as its JSON form, when the resource accepts protobuf bodies. */
  readonly fromProtobuf?: (body: Uint8Array) => unknown;
  /** Values of the fields that may appear in a field selector. */
  readonly selectableFields: (obj: T) => Record<string, string>;
  readonly fieldSelectorKeys: readonly string[];
  /** Merge semantics of the fields (strategic merge patch, server-side apply). */
  readonly fieldMeta: FieldMeta;
  /** Server-side printing; without it Table requests get the plain object. */
  readonly table?: TablePrinter<T>;
  readonly clock?: () => Date;
  /** The change log watches read; without it `watch` is not served. */
  readonly changeLog?: ChangeLog<T>;
  /** The object of a BOOKMARK event: an empty object of the kind carrying only the resourceVersion. */
  readonly bookmarkObject: (resourceVersion: string, annotations?: Record<string, string>) => Record<string, unknown>;
  readonly watch: WatchSettings;
  /** How long a list continuation stays valid: the change-log window (a list revision older than it cannot be watched from). */
  readonly continueTtlSeconds: number;
}

export interface WatchSettings {
  /** Upper bound of a watch's lifetime (the platform's limit); default lifetimes are random below it. */
  readonly maxSeconds: number;
  /** Poll interval of the change log when no local commit wakes the watcher. */
  readonly pollMs: number;
  /** Interval of periodic bookmarks when the client allows them. */
  readonly bookmarkSeconds: number;
}

interface Ctx<T extends KubeObject> {
  readonly route: ResourceRoute;
  readonly req: ApiRequest;
  readonly api: ResourceApi<T>;
  readonly namespace: string;
  readonly name: string;
  readonly pretty: boolean;
  readonly format: OutputFormat;
}

const userOf = <T extends KubeObject>(c: Ctx<T>): { user?: UserInfo } => (c.req.user ? { user: c.req.user } : {});

/** The writer's identity for field ownership: `fieldManager`, else the User-Agent prefix. */
const managerOf = <T extends KubeObject>(c: Ctx<T>, opts: { fieldManager: string | undefined }): { fieldManager: string } => ({
  fieldManager: opts.fieldManager ?? fieldManagerFromUserAgent(c.req.headers['user-agent']),
});

function render<T extends KubeObject>(c: Ctx<T>, status: number, body: unknown, warnings: readonly string[] = []): ApiResponse {
  return formattedResponse(c.format.kind === 'table' ? { kind: 'json' } : c.format, status, body, { pretty: c.pretty, warnings });
}

/** One object in the negotiated representation (a one-row Table when asked for). */
function renderObject<T extends KubeObject>(c: Ctx<T>, status: number, obj: T, warnings: readonly string[] = []): ApiResponse {
  if (c.format.kind === 'table' && c.api.table) {
    const table = toTable(c.api.table, [obj], { resourceVersion: obj.metadata.resourceVersion ?? '' }, tableOptions(c, c.format.version));
    return render(c, status, table, warnings);
  }
  return render(c, status, c.api.toWire(obj), warnings);
}

function tableOptions<T extends KubeObject>(c: Ctx<T>, version: 'v1' | 'v1beta1'): TableOptions<T> {
  return {
    version,
    include: parseIncludeObject(firstQuery(c.req, 'includeObject')),
    now: (c.api.clock ?? (() => new Date()))(),
    toWire: c.api.toWire,
  };
}

export function listPredicate<T extends KubeObject>(api: ResourceApi<T>, opts: ListOptions): ((obj: T) => boolean) | undefined {
  if (opts.labelSelector.length === 0 && opts.fieldSelector.length === 0) return undefined;
  return (obj) => matchesLabels(opts.labelSelector, obj.metadata.labels) && matchesFields(opts.fieldSelector, api.selectableFields(obj));
}

async function get<T extends KubeObject>(c: Ctx<T>): Promise<ApiResponse> {
  const obj = await c.api.service.get(c.namespace, c.name, c.route.subresource);
  return renderObject(c, 200, obj);
}

async function list<T extends KubeObject>(c: Ctx<T>): Promise<ApiResponse> {
  const scopeNs = c.route.scope === 'namespace' ? c.namespace : undefined;
  const opts = parseListOptions(c.req.query, { namespace: scopeNs, fieldKeys: c.api.fieldSelectorKeys });
  if (opts.watch) return watch(c, opts);
  const issuedAt = Math.floor((c.api.clock ?? (() => new Date()))().getTime() / 1000);
  if (opts.continue && issuedAt - opts.continue.issuedAt > c.api.continueTtlSeconds) {
    throw resourceExpired(
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
    );
  }
  // A list at a given resourceVersion is checked against the resource type's revision, read
  // before the list (a namespace list's own revision is its namespace's last change).
  const explicit = !opts.continue && opts.resourceVersion !== undefined && opts.resourceVersion !== '0';
  const current = explicit ? Number(await c.api.service.currentResourceVersion()) : undefined;
  const page = await c.api.service.list({
    ...(scopeNs !== undefined ? { namespace: scopeNs } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.continue ? { startAfter: opts.continue.startAfter, resourceVersion: opts.continue.resourceVersion } : {}),
    ...(listPredicate(c.api, opts) ? { predicate: listPredicate(c.api, opts)! } : {}),
  });
  const resourceVersion = current === undefined ? page.resourceVersion : listResourceVersion(opts, page.resourceVersion, current);
  const metadata: ListMeta = { resourceVersion };
  if (page.lastKey) metadata.continue = encodeContinue(resourceVersion, page.lastKey, opts.continue?.issuedAt ?? issuedAt);
  if (c.format.kind === 'table' && c.api.table) {
    return render(c, 200, toTable(c.api.table, page.items, metadata, tableOptions(c, c.format.version)));
  }
  const items = page.items.map((o) => {
    const { kind: _k, apiVersion: _a, ...rest } = c.api.toWire(o);
    return rest;
  });
  return render(c, 200, { kind: c.api.def.listKind, apiVersion: groupVersionOf(c.api.def), metadata, items });
}

/**
 * §5.4: the resourceVersion of a list asked for at `opts.resourceVersion`, or the error when
 * it cannot be served. `listed` is the list's own revision (the last change in its scope) and
 * `current` the resource type's, read before the list: any revision from `listed` to `current`
 * describes the same items, so the list is served at the one asked for when it is in that
 * range (`Exact`), or at the newer of the two (`NotOlderThan`).
 */
function listResourceVersion(opts: ListOptions, listed: string, current: number): string {
  const requested = Number(opts.resourceVersion);
  if (requested > current) {
    throw timeout(`Too large resource version: ${requested}, current: ${current}`, 1, [
      { reason: 'ResourceVersionTooLarge', message: 'Too large resource version' },
    ]);
  }
  const exact = opts.resourceVersionMatch === 'Exact' || (opts.resourceVersionMatch === '' && opts.limit !== undefined);
  if (exact && requested < Number(listed)) throw resourceExpired('The resourceVersion for the provided list is too old.');
  return String(Math.max(requested, Number(listed)));
}

/** The deprecated `/watch/` paths: a watch of the collection, or of one object by name. */
async function watchPath<T extends KubeObject>(c: Ctx<T>): Promise<ApiResponse> {
  const scopeNs = c.route.scope === 'namespace' ? c.namespace : undefined;
  const opts = parseListOptions(c.req.query, { namespace: scopeNs, fieldKeys: c.api.fieldSelectorKeys });
  if (c.name !== '') {
    const other = opts.fieldSelector.find((r) => r.key === 'metadata.name' && (r.op !== 'eq' || r.value !== c.name));
    if (other) throw badRequest("fieldSelector metadata.name doesn't match requested name");
    return watch(c, { ...opts, fieldSelector: [...opts.fieldSelector, { key: 'metadata.name', op: 'eq', value: c.name }] });
  }
  return watch(c, opts);
}

/** A watch as a stream of newline-delimited WatchEvents (Table-wrapped when asked for). */
function watch<T extends KubeObject>(c: Ctx<T>, opts: ListOptions): ApiResponse {
  const log = c.api.changeLog;
  if (!log) throw methodNotSupported({ group: c.api.def.group, resource: c.api.def.plural }, 'watch');
  const service = c.api.service;
  const namespace = c.route.scope === 'namespace' ? c.namespace : undefined;
  const settings = c.api.watch;
  const requested = opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0 ? opts.timeoutSeconds : undefined;
  // Upstream picks a random lifetime so reconnects spread out; ours is bounded by the platform.
  const lifetime = requested ?? settings.maxSeconds * (0.5 + Math.random() / 2);
  const events = watchChanges<T>(
    {
      log,
      currentRevision: async () => Number(await service.currentResourceVersion()),
      list: (ns) => service.snapshot(ns),
    },
    {
      filter: {
        ...(namespace !== undefined ? { namespace } : {}),
        labels: opts.labelSelector,
        fields: opts.fieldSelector,
        selectableFields: c.api.selectableFields,
      },
      ...(opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {}),
      ...(opts.sendInitialEvents !== undefined ? { sendInitialEvents: opts.sendInitialEvents } : {}),
      allowBookmarks: opts.allowWatchBookmarks,
      timeoutMs: Math.min(lifetime, settings.maxSeconds) * 1000,
      pollMs: settings.pollMs,
      bookmarkEveryMs: settings.bookmarkSeconds * 1000,
      ...(c.req.signal ? { signal: c.req.signal } : {}),
    },
  );
  const table = c.format.kind === 'table' && c.api.table ? { printer: c.api.table, version: c.format.version } : undefined;
  const include = table ? parseIncludeObject(firstQuery(c.req, 'includeObject')) : 'Metadata';
  const now = c.api.clock ?? (() => new Date());
  async function* lines(): AsyncGenerator<string> {
    let headers = true;
    for await (const ev of events) {
      let object: unknown;
      if (ev.type === 'ERROR') object = ev.status;
      else if (ev.type === 'BOOKMARK') {
        const bookmark = c.api.bookmarkObject(ev.resourceVersion, ev.initialEventsEnd ? { 'k8s.io/initial-events-end': 'true' } : undefined);
        object = table
          ? { kind: 'Table', apiVersion: `meta.k8s.io/${table.version}`, metadata: { resourceVersion: ev.resourceVersion }, columnDefinitions: null, rows: [] }
          : bookmark;
      } else {
        const obj = service.decorate(ev.object);
        object = table
          ? toTable(table.printer, [obj], { resourceVersion: obj.metadata.resourceVersion ?? '' }, {
              version: table.version,
              include,
              now: now(),
              toWire: c.api.toWire,
              noHeaders: !headers,
            })
          : c.api.toWire(obj);
        headers = false;
      }
      yield JSON.stringify({ type: ev.type, object }) + '\n';
    }
  }
  return { statusCode: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' }, body: lines() };
}

/** The body and its type; a protobuf body the resource can read is turned into JSON first. */
function requestBody<T extends KubeObject>(c: Ctx<T>): { body: Buffer | undefined; contentType: string | undefined } {
  const contentType = c.req.headers['content-type'];
  if (!c.api.fromProtobuf || !isProtobufContentType(contentType)) return { body: c.req.body, contentType };
  let json: unknown;
  try {
    json = c.api.fromProtobuf(c.req.body ?? Buffer.alloc(0));
  } catch (e) {
    throw badRequest(`the object provided is unrecognized (must be of type ${c.api.def.kind}): ${e instanceof Error ? e.message : String(e)}`);
  }
  return { body: Buffer.from(JSON.stringify(json)), contentType: 'application/json' };
}

async function create<T extends KubeObject>(c: Ctx<T>): Promise<ApiResponse> {
  const opts = parseWriteOptions('CreateOptions', c.req.query);
  const decoded = decodeBody(c.api.def, c.api.schema, {
    ...requestBody(c),
    fieldValidation: opts.fieldValidation,
  });
  const res = await c.api.service.create(c.namespace, decoded.object as T, { dryRun: opts.dryRun, ...userOf(c), ...managerOf(c, opts) });
  return renderObject(c, 201, res.object, [...decoded.warnings, ...res.warnings]);
}

async function update<T extends KubeObject>(c: Ctx<T>): Promise<ApiResponse> {
  const opts = parseWriteOptions('UpdateOptions', c.req.query);
  const decoded = decodeBody(c.api.def, c.api.schema, {
    ...requestBody(c),
    fieldValidation: opts.fieldValidation,
  });
  const out = await c.api.service.update(c.namespace, c.name, decoded.object as T, {
    dryRun: opts.dryRun,
    ...userOf(c),
    ...managerOf(c, opts),
    ...(c.route.subresource ? { subresource: c.route.subresource } : {}),
  });
  return renderObject(c, out.created ? 201 : 200, out.object, decoded.warnings);
}

async function remove<T extends KubeObject>(c: Ctx<T>): Promise<ApiResponse> {
  const opts = parseDeleteOptions(c.req.query, c.req.body);
  const out = await c.api.service.delete(c.namespace, c.name, {
    dryRun: opts.dryRun,
    ...(opts.preconditions ? { preconditions: opts.preconditions } : {}),
  });
  if (!out.deleted) return renderObject(c, 200, out.object);
  const status = successStatus({
    name: c.name,
    group: c.api.def.group,
    kind: c.api.def.plural,
    ...(out.object.metadata.uid ? { uid: out.object.metadata.uid } : {}),
  });
  return render(c, 200, status);
}

async function deleteCollection<T extends KubeObject>(c: Ctx<T>): Promise<ApiResponse> {
  const listOpts = parseListOptions(c.req.query, { namespace: c.namespace, fieldKeys: c.api.fieldSelectorKeys });
  const opts = parseDeleteOptions(c.req.query, c.req.body);
  const predicate = listPredicate(c.api, listOpts);
  const page = await c.api.service.list({ namespace: c.namespace, ...(predicate ? { predicate } : {}) });
  const deleted: Record<string, unknown>[] = [];
  for (const obj of page.items) {
    try {
      await c.api.service.delete(c.namespace, obj.metadata.name ?? '', { dryRun: opts.dryRun });
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) continue;
      throw e;
    }
    const { kind: _k, apiVersion: _a, ...rest } = c.api.toWire(obj);
    deleted.push(rest);
  }
  return render(c, 200, {
    kind: c.api.def.listKind,
    apiVersion: groupVersionOf(c.api.def),
    metadata: { resourceVersion: page.resourceVersion },
    items: deleted,
  });
}

async function patch<T extends KubeObject>(c: Ctx<T>): Promise<ApiResponse> {
  const type = patchTypeOf(c.req.headers['content-type']);
  const opts = parseWriteOptions('PatchOptions', c.req.query, { isApply: type === 'apply' });
  const body = c.req.body ?? Buffer.alloc(0);
  if (body.length > MAX_REQUEST_BODY_BYTES) throw requestEntityTooLarge(`limit is ${MAX_REQUEST_BODY_BYTES}`);
  const text = body.toString('utf8');
  if (type === 'apply') return serverSideApply(c, opts, text);
  // Problems in the patch document itself are the same on every attempt.
  const docProblems =
    opts.fieldValidation === 'Ignore'
      ? []
      : type === 'json'
        ? jsonPatchUnknownFields(safeJson(text)).map((p) => `json patch unknown field ${JSON.stringify(p)}`)
        : findDuplicateKeysSafe(text).map((p) => `duplicate field ${JSON.stringify(p)}`);
  let warnings: string[] = [];
  const out = await c.api.service.updateWith(
    c.namespace,
    c.name,
    (current) => {
      const patched = applyPatch(type, c.api.toWire(current), text, c.api.fieldMeta);
      const { object, unknown } = decodeValue(c.api.def, c.api.schema, patched);
      const problems = [...docProblems, ...(opts.fieldValidation === 'Ignore' ? [] : unknown.map((u) => `unknown field ${JSON.stringify(u)}`))];
      if (opts.fieldValidation === 'Strict' && problems.length > 0) {
        const shown = type === 'strategic' ? goValue(safeJson(text)) : JSON.stringify(patched);
        throw invalid({ group: '', kind: '' }, '', [fieldErrors.invalid('patch', shown, `strict decoding error: ${problems.join(', ')}`)]);
      }
      warnings = opts.fieldValidation === 'Warn' ? problems : [];
      return c.api.service.normalize(object as T);
    },
    { dryRun: opts.dryRun, ...userOf(c), ...managerOf(c, opts), ...(c.route.subresource ? { subresource: c.route.subresource } : {}) },
  );
  return renderObject(c, 200, out.object, warnings);
}

/** `application/apply-patch+yaml`: server-side apply (creates a missing object, 201). */
async function serverSideApply<T extends KubeObject>(c: Ctx<T>, opts: WriteOptions, text: string): Promise<ApiResponse> {
  const apiVersion = groupVersionOf(c.api.def);
  const { config, warnings } = decodeApplyConfiguration(c.api.def, c.api.schema, c.api.fieldMeta, text, opts.fieldValidation);
  const md = (config['metadata'] ?? {}) as { name?: string; namespace?: string; uid?: string };
  // The merge keeps the configuration's explicit nulls; a typed object has none (a null map or
  // list decodes to nothing), so they go before the strategy sees the result.
  const apply = (live: T | undefined) => {
    const result = applySsa<T>({
      live,
      config,
      manager: opts.fieldManager ?? '',
      force: opts.force ?? false,
      apiVersion,
      ...(c.route.subresource ? { subresource: c.route.subresource } : {}),
      now: (c.api.clock ?? (() => new Date()))(),
      meta: c.api.fieldMeta,
      ignore: c.route.subresource === 'status' ? ['spec'] : ['status'],
    });
    return { ...result, object: stripNulls(result.object) };
  };
  const writeOpts = { dryRun: opts.dryRun, ...userOf(c), appliedManagedFields: true, ...(c.route.subresource ? { subresource: c.route.subresource } : {}) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const out = await c.api.service.updateWith(c.namespace, c.name, (current) => c.api.service.normalize(apply(current).object), writeOpts);
      return renderObject(c, 200, out.object, warnings);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404 && e.reason === 'NotFound') || c.route.subresource) throw e;
    }
    // The object does not exist: the apply creates it.
    if (md.uid) {
      throw conflict({ group: c.api.def.group, resource: c.api.def.plural }, c.name, `uid mismatch: the provided object specified uid ${md.uid}, and no existing object was found`);
    }
    const created = apply(undefined).object;
    if ((created.metadata.name ?? '') !== c.name) {
      throw badRequest(`the name of the object (${created.metadata.name ?? ''}) does not match the name on the URL (${c.name})`);
    }
    try {
      const res = await c.api.service.create(c.namespace, c.api.service.normalize(created), writeOpts);
      return renderObject(c, 201, res.object, [...warnings, ...res.warnings]);
    } catch (e) {
      // Created by someone else meanwhile: apply to it instead.
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    }
  }
  throw conflict({ group: c.api.def.group, resource: c.api.def.plural }, c.name, OPTIMISTIC_LOCK_MESSAGE);
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const findDuplicateKeysSafe = (text: string): string[] => (safeJson(text) === undefined ? [] : findDuplicateKeys(text));

const HANDLERS = {
  get,
  list,
  watch: watchPath,
  create,
  update,
  patch,
  delete: remove,
  deletecollection: deleteCollection,
} as const;

/** Serves one resource route. */
export async function handleResourceRoute<T extends KubeObject>(
  route: ResourceRoute,
  req: ApiRequest,
  api: ResourceApi<T>,
  extra: Partial<Record<ResourceRoute['verb'], (c: Ctx<T>) => Promise<ApiResponse>>> = {},
): Promise<ApiResponse> {
  const c: Ctx<T> = {
    route,
    req,
    api,
    namespace: req.params['namespace'] ?? '',
    name: req.params['name'] ?? '',
    pretty: parseBool('pretty', firstQuery(req, 'pretty')) ?? false,
    // Negotiated first, as upstream: an unacceptable Accept is a 406 before any work.
    format: negotiateOutput(req.headers['accept'], { table: api.table !== undefined }),
  };
  checkTableOptionsBeforeWrite(route.verb, c.format, firstQuery(req, 'includeObject'));
  const handler = extra[route.verb] ?? (HANDLERS as Partial<Record<string, (c: Ctx<T>) => Promise<ApiResponse>>>)[route.verb];
  if (!handler) throw methodNotSupported({ group: api.def.group, resource: api.def.plural }, route.verb);
  return handler(c);
}

export type { Ctx as ResourceRequestContext };
