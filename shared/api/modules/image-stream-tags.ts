/**
 * @module image-stream-tags
 * `imagestreamtags` (`istag`), a view of one tag of a stream named `<stream>:<tag>`
 * (semantics §6.4, §10): get, list, create, update, patch and delete. Reads build the view
 * from the stream; writes change the stream through the ImageStream internal service (§3.7),
 * so every ImageStream rule (validation, generations, tag resolution, tracking) applies and
 * status history goes with a deleted tag. resourceVersion preconditions are the stream's:
 * with one, a stale write is 409; without one, the write is retried on the newer stream
 * (the store's read-modify-write runs the change again), as upstream's RetryOnConflict.
 */
import { decodeBody, decodeValue, MAX_REQUEST_BODY_BYTES } from '../../apimachinery/decode.js';
import { fieldErrors } from '../../apimachinery/field-errors.js';
import { matchesFields } from '../../apimachinery/field-selector.js';
import { goValue } from '../../apimachinery/go-format.js';
import { findDuplicateKeys } from '../../apimachinery/json-body.js';
import { matchesLabels } from '../../apimachinery/label-selector.js';
import { parseListOptions } from '../../apimachinery/list-options.js';
import { parseDeleteOptions, parseWriteOptions, type WriteOptions } from '../../apimachinery/options.js';
import { applyPatch, jsonPatchUnknownFields, patchTypeOf } from '../../apimachinery/patch.js';
import type { ResourceService, WriteOpts } from '../../apimachinery/registry/resource-service.js';
import { groupVersionOf } from '../../apimachinery/resource.js';
import { applyPatch as applySsa, decodeApplyConfiguration } from '../../apimachinery/server-side-apply.js';
import {
  invalid,
  isStatusError,
  methodNotSupported,
  notFound,
  requestEntityTooLarge,
  serverTimeout,
} from '../../apimachinery/status.js';
import type { ImageConfig } from '../../image/config.js';
import {
  checkStreamName,
  IMAGE_STREAM_TAGS,
  imageStreamTagOf,
  imageStreamTagsOf,
  normalizeImageStreamTag,
  parseImageStreamTagName,
  planImageStreamTagCreate,
  planImageStreamTagDelete,
  planImageStreamTagUpdate,
  prepareImageStreamTagCreate,
  type IstagUpdatePlan,
} from '../../image/image-stream-tag.js';
import { IMAGE_STREAM_TAG_FIELDS, imageStreamTagSchema, imageStreamTagToWire, type ImageStreamTag, type ImageStreamTagInput } from '../../image/istag-types.js';
import { registryAllowlist } from '../../image/registry-allowlist.js';
import { imageStreamTagResource } from '../../image/resource.js';
import type { ImageStream } from '../../image/types.js';
import type { ValidationOptions } from '../../image/validation.js';
import { imageStreamTagTablePrinter } from '../../image/view-table-printers.js';
import { IMAGE_STREAM_TAG_LIST_SCHEMA, IMAGE_STREAM_TAG_SCHEMA, imageStreamTagSchemas } from '../../image/view-openapi-schemas.js';
import type { ApiResponse } from '../http.js';
import type { VirtualModule } from '../resource-module.js';
import type { ResourceRoute } from '../routes.js';
import { isNotFound, isReason, respond, respondList, respondObject, viewRequest, writeOpts, type Presenter, type StreamServices, type ViewRequest } from './view-support.js';

/** Upstream retries a tag write 10 times on conflicts before answering ServerTimeout. */
const WRITE_ATTEMPTS = 10;

const presenter: Presenter<ImageStreamTag> = {
  def: imageStreamTagResource,
  toWire: imageStreamTagToWire,
  table: imageStreamTagTablePrinter,
};

const istagFields = (ist: ImageStreamTag): Record<string, string> => ({
  'metadata.name': ist.metadata.name ?? '',
  'metadata.namespace': ist.metadata.namespace ?? '',
});

export interface ImageStreamTagsDeps {
  readonly imageConfig: ImageConfig;
  readonly streams: StreamServices;
  readonly clock?: () => Date;
}

export function imageStreamTagsModule(deps: ImageStreamTagsDeps): VirtualModule {
  const { imageConfig, streams } = deps;
  const validation: ValidationOptions = {
    allowlist: registryAllowlist(imageConfig.allowedRegistriesForImport, imageConfig.internalRegistryHostname),
  };
  const normalize = (input: unknown): ImageStreamTag => normalizeImageStreamTag(input as ImageStreamTagInput, imageConfig);
  const internal = (): ResourceService<ImageStream> => streams.internal();

  /**
   * Changes the stream (`update(current)`) or, when it does not exist, creates it (`create()`),
   * through the internal service. Undefined when the stream appeared meanwhile (a retry then
   * updates it).
   */
  async function writeStream(
    namespace: string,
    name: string,
    update: (current: ImageStream) => ImageStream,
    create: () => ImageStream,
    opts: WriteOpts,
  ): Promise<ImageStream | undefined> {
    try {
      return (await internal().updateWith(namespace, name, update, opts)).object;
    } catch (e) {
      if (!isNotFound(e, 'imagestreams')) throw e;
    }
    try {
      return (await internal().create(namespace, create(), opts)).object;
    } catch (e) {
      if (isReason(e, 'AlreadyExists') && isStatusError(e) && e.status.details?.kind === 'imagestreams') return undefined;
      throw e;
    }
  }

  async function get(c: ViewRequest): Promise<ApiResponse> {
    const { stream, tag } = parseImageStreamTagName(c.name);
    checkStreamName(stream);
    const s = await streams.main().get(c.namespace, stream);
    const ist = imageStreamTagOf(s, tag);
    if (ist === undefined) throw notFound(IMAGE_STREAM_TAGS, c.name);
    return respondObject(c, presenter, 200, ist);
  }

  async function list(c: ViewRequest): Promise<ApiResponse> {
    const scopeNs = c.route.scope === 'namespace' ? c.namespace : undefined;
    const opts = parseListOptions(c.req.query, { namespace: scopeNs, fieldKeys: ['metadata.name', 'metadata.namespace'] });
    if (opts.watch) throw methodNotSupported(IMAGE_STREAM_TAGS, 'watch');
    // An istag carries its stream's labels: the label selector picks streams.
    const page = await streams.main().list({
      ...(scopeNs !== undefined ? { namespace: scopeNs } : {}),
      ...(opts.labelSelector.length > 0 ? { predicate: (s: ImageStream) => matchesLabels(opts.labelSelector, s.metadata.labels) } : {}),
    });
    const items = page.items.flatMap(imageStreamTagsOf).filter((ist) => matchesFields(opts.fieldSelector, istagFields(ist)));
    // As upstream, the list is assembled from streams and carries no resourceVersion of its own.
    return respondList(c, presenter, items, {});
  }

  async function create(c: ViewRequest): Promise<ApiResponse> {
    const opts = parseWriteOptions('CreateOptions', c.req.query);
    const decoded = decodeBody(imageStreamTagResource, imageStreamTagSchema, {
      body: c.req.body,
      contentType: c.req.headers['content-type'],
      fieldValidation: opts.fieldValidation,
    });
    const prepared = prepareImageStreamTagCreate(normalize(decoded.object), c.namespace, validation);
    const write = writeOpts(c.req, opts);
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const stream = await writeStream(
        c.namespace,
        prepared.streamName,
        (cur) => planImageStreamTagCreate(prepared, c.namespace, cur).stream,
        () => planImageStreamTagCreate(prepared, c.namespace, undefined).stream,
        write,
      );
      if (stream === undefined) continue;
      return respondObject(c, presenter, 201, imageStreamTagOf(stream, prepared.tag, { allowEmptyEvent: true })!, decoded.warnings);
    }
    throw serverTimeout(IMAGE_STREAM_TAGS, 'create', 2);
  }

  /** PUT and PATCH: `updated(old)` gives the new ImageStreamTag from the current one. */
  async function write(c: ViewRequest, updated: (old: ImageStreamTag) => ImageStreamTag, dryRun: boolean, fieldManager: string | undefined, warnings: () => readonly string[]): Promise<ApiResponse> {
    const { stream: streamName, tag } = parseImageStreamTagName(c.name);
    checkStreamName(streamName);
    const write = writeOpts(c.req, { dryRun, fieldManager });
    const plan = (current: ImageStream | undefined): IstagUpdatePlan =>
      planImageStreamTagUpdate({ name: c.name, namespace: c.namespace, current, updated, validation });
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      let done: IstagUpdatePlan | undefined;
      const keep = (p: IstagUpdatePlan): ImageStream => {
        done = p;
        return p.stream;
      };
      const stream = await writeStream(c.namespace, streamName, (cur) => keep(plan(cur)), () => keep(plan(undefined)), write);
      if (stream === undefined) continue;
      const ist = imageStreamTagOf(stream, tag, { allowEmptyEvent: true })!;
      return respondObject(c, presenter, done!.created ? 201 : 200, ist, warnings());
    }
    throw serverTimeout(IMAGE_STREAM_TAGS, 'update', 2);
  }

  async function update(c: ViewRequest): Promise<ApiResponse> {
    const opts = parseWriteOptions('UpdateOptions', c.req.query);
    const decoded = decodeBody(imageStreamTagResource, imageStreamTagSchema, {
      body: c.req.body,
      contentType: c.req.headers['content-type'],
      fieldValidation: opts.fieldValidation,
    });
    const body = normalize(decoded.object);
    return write(c, () => body, opts.dryRun, opts.fieldManager, () => decoded.warnings);
  }

  async function patch(c: ViewRequest): Promise<ApiResponse> {
    const type = patchTypeOf(c.req.headers['content-type']);
    const opts = parseWriteOptions('PatchOptions', c.req.query, { isApply: type === 'apply' });
    const body = c.req.body ?? Buffer.alloc(0);
    if (body.length > MAX_REQUEST_BODY_BYTES) throw requestEntityTooLarge(`limit is ${MAX_REQUEST_BODY_BYTES}`);
    const text = body.toString('utf8');
    if (type === 'apply') return apply(c, opts, text);
    const doc = safeJson(text);
    const docProblems =
      opts.fieldValidation === 'Ignore'
        ? []
        : type === 'json'
          ? jsonPatchUnknownFields(doc).map((p) => `json patch unknown field ${JSON.stringify(p)}`)
          : doc === undefined
            ? []
            : findDuplicateKeys(text).map((p) => `duplicate field ${JSON.stringify(p)}`);
    let warnings: string[] = [];
    const updated = (old: ImageStreamTag): ImageStreamTag => {
      const patched = applyPatch(type, imageStreamTagToWire(old), text, IMAGE_STREAM_TAG_FIELDS);
      const { object, unknown } = decodeValue(imageStreamTagResource, imageStreamTagSchema, patched);
      const problems = [...docProblems, ...(opts.fieldValidation === 'Ignore' ? [] : unknown.map((u) => `unknown field ${JSON.stringify(u)}`))];
      if (opts.fieldValidation === 'Strict' && problems.length > 0) {
        const shown = type === 'strategic' ? goValue(doc) : JSON.stringify(patched);
        throw invalid({ group: '', kind: '' }, '', [fieldErrors.invalid('patch', shown, `strict decoding error: ${problems.join(', ')}`)]);
      }
      warnings = opts.fieldValidation === 'Warn' ? problems : [];
      return normalize(object);
    };
    return write(c, updated, opts.dryRun, opts.fieldManager, () => warnings);
  }

  /**
   * Server-side apply of an ImageStreamTag: the configuration merged into the tag as it reads
   * now, then written like a PUT (creating the tag, or the stream, when missing: 201). The
   * view has no managedFields of its own (its metadata is the stream's and the spec tag's), so
   * every apply is a first apply: what other writes set belongs to `before-first-apply`, and
   * changing it is a conflict until forced, as for any object without entries.
   */
  async function apply(c: ViewRequest, opts: WriteOptions, text: string): Promise<ApiResponse> {
    const { config, warnings } = decodeApplyConfiguration(imageStreamTagResource, imageStreamTagSchema, IMAGE_STREAM_TAG_FIELDS, text, opts.fieldValidation);
    const updated = (old: ImageStreamTag): ImageStreamTag => {
      const merged = applySsa<ImageStreamTag>({
        live: imageStreamTagToWire(old) as unknown as ImageStreamTag,
        config,
        manager: opts.fieldManager ?? '',
        force: opts.force ?? false,
        apiVersion: groupVersionOf(imageStreamTagResource),
        now: c.now,
        meta: IMAGE_STREAM_TAG_FIELDS,
        ignore: [],
      });
      // Decoding types the result (and drops the configuration's explicit nulls).
      return normalize(decodeValue(imageStreamTagResource, imageStreamTagSchema, merged.object).object);
    };
    return write(c, updated, opts.dryRun, opts.fieldManager, () => warnings);
  }

  async function remove(c: ViewRequest): Promise<ApiResponse> {
    const opts = parseDeleteOptions(c.req.query, c.req.body);
    const { stream } = parseImageStreamTagName(c.name);
    checkStreamName(stream);
    const uid = opts.preconditions?.uid;
    await internal().updateWith(c.namespace, stream, (cur) => planImageStreamTagDelete({ name: c.name, current: cur, ...(uid !== undefined ? { uid } : {}) }), writeOpts(c.req, { dryRun: opts.dryRun }));
    return respond(c, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
  }

  const handlers: Partial<Record<ResourceRoute['verb'], (c: ViewRequest) => Promise<ApiResponse>>> = {
    get,
    list,
    create,
    update,
    patch,
    delete: remove,
  };

  return {
    def: imageStreamTagResource,
    async handle(route, req) {
      const c = viewRequest(route, req, { table: true, ...(deps.clock ? { clock: deps.clock } : {}) });
      const handler = handlers[route.verb];
      if (!handler) throw methodNotSupported(IMAGE_STREAM_TAGS, route.verb);
      return handler(c);
    },
    openapi: {
      get schemas() {
        return imageStreamTagSchemas();
      },
      objectSchema: IMAGE_STREAM_TAG_SCHEMA,
      listSchema: IMAGE_STREAM_TAG_LIST_SCHEMA,
      parameterDescriptions: { name: 'name of the ImageStreamTag' },
    },
  };
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
