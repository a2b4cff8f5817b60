/**
 * @module view-support
 * What the virtual resources of the image group share: the request context (namespace, name,
 * negotiated representation), rendering of one object / a list / a Table as the generic
 * endpoints do, the stream services they work through, and the write options they pass on.
 */
import { toTable, parseIncludeObject, type TablePrinter } from '../../apimachinery/table.js';
import type { KubeObject, ListMeta } from '../../apimachinery/meta.js';
import { negotiateOutput, type OutputFormat } from '../../apimachinery/negotiation.js';
import { fieldManagerFromUserAgent, parseBool } from '../../apimachinery/options.js';
import type { ResourceService, WriteOpts } from '../../apimachinery/registry/resource-service.js';
import { groupVersionOf, type ResourceDefinition } from '../../apimachinery/resource.js';
import { internalError, isStatusError } from '../../apimachinery/status.js';
import { IMAGE_GROUP } from '../../image/resource.js';
import type { ImageStream } from '../../image/types.js';
import type { VirtualContext } from '../app.js';
import { firstQuery, type ApiRequest, type ApiResponse } from '../http.js';
import { checkTableOptionsBeforeWrite, formattedResponse } from '../render.js';
import type { ResourceRoute } from '../routes.js';

export interface ViewRequest {
  readonly route: ResourceRoute;
  readonly req: ApiRequest;
  readonly namespace: string;
  readonly name: string;
  readonly pretty: boolean;
  readonly format: OutputFormat;
  readonly now: Date;
}

/** The request as the generic endpoints see it; the representation is negotiated first (406 before any work). */
export function viewRequest(route: ResourceRoute, req: ApiRequest, opts: { table: boolean; clock?: () => Date }): ViewRequest {
  const format = negotiateOutput(req.headers['accept'], { table: opts.table });
  checkTableOptionsBeforeWrite(route.verb, format, firstQuery(req, 'includeObject'));
  return {
    route,
    req,
    namespace: req.params['namespace'] ?? '',
    name: req.params['name'] ?? '',
    pretty: parseBool('pretty', firstQuery(req, 'pretty')) ?? false,
    format,
    now: (opts.clock ?? (() => new Date()))(),
  };
}

export function respond(c: ViewRequest, status: number, body: unknown, warnings: readonly string[] = []): ApiResponse {
  return formattedResponse(c.format.kind === 'table' ? { kind: 'json' } : c.format, status, body, { pretty: c.pretty, warnings });
}

export interface Presenter<T extends KubeObject> {
  readonly def: ResourceDefinition;
  readonly toWire: (obj: T) => Record<string, unknown>;
  readonly table?: TablePrinter<T>;
}

/** One object, or a one-row Table when asked for. */
export function respondObject<T extends KubeObject>(c: ViewRequest, p: Presenter<T>, status: number, obj: T, warnings: readonly string[] = []): ApiResponse {
  if (c.format.kind === 'table' && p.table) {
    const opts = { version: c.format.version, include: parseIncludeObject(firstQuery(c.req, 'includeObject')), now: c.now, toWire: p.toWire };
    return respond(c, status, toTable(p.table, [obj], { resourceVersion: obj.metadata.resourceVersion ?? '' }, opts), warnings);
  }
  return respond(c, status, p.toWire(obj), warnings);
}

/** A list (items without kind/apiVersion), or a Table when asked for. */
export function respondList<T extends KubeObject>(c: ViewRequest, p: Presenter<T>, items: readonly T[], metadata: ListMeta): ApiResponse {
  if (c.format.kind === 'table' && p.table) {
    const opts = { version: c.format.version, include: parseIncludeObject(firstQuery(c.req, 'includeObject')), now: c.now, toWire: p.toWire };
    return respond(c, 200, toTable(p.table, items, metadata, opts));
  }
  const wire = items.map((o) => {
    const { kind: _k, apiVersion: _a, ...rest } = p.toWire(o);
    return rest;
  });
  return respond(c, 200, { kind: p.def.listKind, apiVersion: groupVersionOf(p.def), metadata, items: wire });
}

/** The ImageStream services a view works through, looked up when first used. */
export interface StreamServices {
  /** The main service: reads are decorated (§5.1), as a GET of the stream is. */
  readonly main: () => ResourceService<ImageStream>;
  /** The internal-strategy service (§3.7): writes keep the status the caller computed. */
  readonly internal: () => ResourceService<ImageStream>;
}

export function streamServices(ctx: VirtualContext): StreamServices {
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw internalError(`the ${what} service is not available`);
    return value;
  };
  return {
    main: () => need(ctx.resourceApi('imagestreams', IMAGE_GROUP), 'imagestreams').service as unknown as ResourceService<ImageStream>,
    internal: () => need(ctx.internalService('imagestreams', IMAGE_GROUP), 'internal imagestreams') as unknown as ResourceService<ImageStream>,
  };
}

/** The stream, or undefined when it does not exist. */
export async function findStream(services: StreamServices, namespace: string, name: string): Promise<ImageStream | undefined> {
  try {
    return await services.main().get(namespace, name);
  } catch (e) {
    if (isNotFound(e, 'imagestreams')) return undefined;
    throw e;
  }
}

/** A 404 about the resource `resource` (of the image group). */
export const isNotFound = (e: unknown, resource: string): boolean =>
  isStatusError(e) && e.code === 404 && e.status.details?.kind === resource && e.status.details.group === IMAGE_GROUP;

export const isReason = (e: unknown, reason: string): boolean => isStatusError(e) && e.reason === reason;

/** Write options for the stream service: the caller (access checks) and field manager, dry run. */
export function writeOpts(req: ApiRequest, opts: { dryRun: boolean; fieldManager?: string | undefined }): WriteOpts {
  return {
    dryRun: opts.dryRun,
    fieldManager: opts.fieldManager ?? fieldManagerFromUserAgent(req.headers['user-agent']),
    ...(req.user ? { user: req.user } : {}),
  };
}
