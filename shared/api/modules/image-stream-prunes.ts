/**
 * @module image-stream-prunes
 * The history prune (semantics §11) as an operation: `runImageStreamPrune` lists the streams,
 * builds the references from all of them, prunes each stream of the chosen scope and writes
 * the result through `/status` (upstream `oc adm prune images` writes with `UpdateStatus`:
 * no tag resolution, no tracking, no re-validation of old history). Every write is a
 * read-modify-write conditional on the stream's resourceVersion: when another writer commits
 * in between, the prune is computed again on the newer stream, so nothing written meanwhile
 * is lost. A dry run computes the same report from the listed streams and writes nothing.
 *
 * Served as `POST /apis/imagestreams.internal/v1/imagestreamprunes` (cluster-scoped, create
 * only — authorization is the generic per-route check, so only cluster-wide grants, i.e.
 * cluster administrators, reach it), by `npm run prune` through that endpoint, and on AWS by
 * an optional schedule (functions/scheduled/prune.ts).
 */
import { decodeBody } from '../../apimachinery/decode.js';
import { fieldErrors, FieldPath, type FieldError } from '../../apimachinery/field-errors.js';
import { canonicalMeta } from '../../apimachinery/meta.js';
import { parseWriteOptions } from '../../apimachinery/options.js';
import { rfc3339 } from '../../apimachinery/registry/resource-service.js';
import { invalid, isStatusError, methodNotSupported } from '../../apimachinery/status.js';
import type { UserInfo } from '../../apimachinery/user.js';
import { validateNamespaceName } from '../../apimachinery/validation.js';
import {
  EXTENSIONS_GROUP,
  imageStreamPruneResource,
  imageStreamPruneSchema,
  imageStreamPruneToWire,
  type ImageStreamPrune,
  type ImageStreamPruneSpec,
  type ImageStreamPruneStatus,
  type PrunedStream,
} from '../../image/extensions.js';
import {
  collectReferences,
  DEFAULT_KEEP_TAG_REVISIONS,
  parseGoDuration,
  pruneImageStream,
  type PruneOptions,
  type StreamPruneResult,
} from '../../image/prune.js';
import type { ImageStream } from '../../image/types.js';
import { IMAGE_STREAM_PRUNE_SCHEMA, imageStreamPruneSchemas } from '../../image/view-openapi-schemas.js';
import type { VirtualModule } from '../resource-module.js';
import { isNotFound, respondObject, viewRequest, type Presenter, type StreamServices } from './view-support.js';

export const DEFAULT_KEEP_YOUNGER_THAN = '60m';
/** The field manager of prune writes (`metadata.managedFields`). */
export const PRUNE_FIELD_MANAGER = 'imagestream-prune';

/** A spec with the defaults filled in. */
export interface PruneSettings {
  readonly keepTagRevisions: number;
  readonly keepYoungerThan: string;
  readonly namespace: string;
  readonly confirm: boolean;
}

export function pruneSettings(spec: ImageStreamPruneSpec): PruneSettings {
  return {
    keepTagRevisions: spec.keepTagRevisions ?? DEFAULT_KEEP_TAG_REVISIONS,
    keepYoungerThan: spec.keepYoungerThan ?? DEFAULT_KEEP_YOUNGER_THAN,
    namespace: spec.namespace ?? '',
    confirm: spec.confirm ?? false,
  };
}

/** The spec rules (oc rejects negative values). */
export function validatePruneSettings(s: PruneSettings): FieldError[] {
  const spec = FieldPath.root('spec');
  const errs: FieldError[] = [];
  if (s.keepTagRevisions < 0) errs.push(fieldErrors.invalid(spec.child('keepTagRevisions'), s.keepTagRevisions, 'must be greater than or equal to 0'));
  const ms = parseGoDuration(s.keepYoungerThan);
  if (ms === undefined) errs.push(fieldErrors.invalid(spec.child('keepYoungerThan'), s.keepYoungerThan, `time: invalid duration "${s.keepYoungerThan}"`));
  else if (ms < 0) errs.push(fieldErrors.invalid(spec.child('keepYoungerThan'), s.keepYoungerThan, 'must be greater than or equal to 0'));
  if (s.namespace !== '') for (const msg of validateNamespaceName(s.namespace, false)) errs.push(fieldErrors.invalid(spec.child('namespace'), s.namespace, msg));
  return errs;
}

export interface PruneRun {
  readonly streams: StreamServices;
  readonly settings: PruneSettings;
  /** Write nothing (also when `settings.confirm` is false). */
  readonly dryRun?: boolean;
  readonly now: Date;
  /** The requesting user, passed to the stream writes. */
  readonly user?: UserInfo;
}

const sortKey = (s: ImageStream): string => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;

/** One prune run; the report (the `status` of an ImageStreamPrune). Stream failures are reported, not thrown. */
export async function runImageStreamPrune(run: PruneRun): Promise<ImageStreamPruneStatus> {
  const { settings } = run;
  const dryRun = run.dryRun === true || !settings.confirm;
  const main = run.streams.main();
  // References come from every stream, also when only one namespace is pruned.
  const all = (await main.list({})).items;
  const opts: PruneOptions = {
    now: run.now,
    keepTagRevisions: settings.keepTagRevisions,
    keepYoungerThanMs: parseGoDuration(settings.keepYoungerThan) ?? 0,
    references: collectReferences(all),
  };
  const targets = all.filter((s) => settings.namespace === '' || s.metadata.namespace === settings.namespace).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  const report: ImageStreamPruneStatus = {
    dryRun,
    startTime: rfc3339(run.now),
    deletedItemCount: 0,
    updatedStreamCount: 0,
    streams: [],
    failures: [],
  };
  const record = (stream: ImageStream, result: StreamPruneResult, resourceVersion?: string): void => {
    const entry: PrunedStream = {
      namespace: stream.metadata.namespace ?? '',
      name: stream.metadata.name ?? '',
      ...(resourceVersion ? { resourceVersion } : {}),
      deletedItems: [...result.deletedItems],
      deletedTags: [...result.deletedTags],
    };
    report.streams.push(entry);
    report.deletedItemCount += result.deletedItems.length;
    report.updatedStreamCount++;
  };
  for (const stream of targets) {
    const planned = pruneImageStream(stream, opts);
    if (planned.deletedItems.length === 0) continue;
    if (dryRun) {
      record(stream, planned);
      continue;
    }
    const ns = stream.metadata.namespace ?? '';
    const name = stream.metadata.name ?? '';
    let last: StreamPruneResult = planned;
    try {
      // Computed again on the stream as stored at write time (the write is conditional on its resourceVersion).
      const out = await main.updateWith(
        ns,
        name,
        (current) => {
          last = pruneImageStream(current, opts);
          return last.stream;
        },
        { subresource: 'status', fieldManager: PRUNE_FIELD_MANAGER, ...(run.user ? { user: run.user } : {}) },
      );
      if (out.changed && last.deletedItems.length > 0) record(out.object, last, out.object.metadata.resourceVersion);
    } catch (e) {
      if (isNotFound(e, 'imagestreams')) continue; // deleted meanwhile
      if (!isStatusError(e)) throw e;
      report.failures.push({ namespace: ns, name, message: e.message });
    }
  }
  return report;
}

const presenter: Presenter<ImageStreamPrune> = { def: imageStreamPruneResource, toWire: imageStreamPruneToWire };

export function imageStreamPrunesModule(deps: { readonly streams: StreamServices; readonly clock?: () => Date }): VirtualModule {
  const gr = { group: EXTENSIONS_GROUP, resource: imageStreamPruneResource.plural };
  return {
    def: imageStreamPruneResource,
    async handle(route, req) {
      const c = viewRequest(route, req, { table: false, ...(deps.clock ? { clock: deps.clock } : {}) });
      if (route.verb !== 'create') throw methodNotSupported(gr, route.verb);
      const opts = parseWriteOptions('CreateOptions', req.query);
      const decoded = decodeBody(imageStreamPruneResource, imageStreamPruneSchema, {
        body: req.body,
        contentType: req.headers['content-type'],
        fieldValidation: opts.fieldValidation,
      });
      const input = decoded.object as { metadata?: ImageStreamPrune['metadata']; spec?: ImageStreamPruneSpec };
      const metadata = canonicalMeta(input.metadata ?? {});
      const settings = pruneSettings(input.spec ?? {});
      const errs = validatePruneSettings(settings);
      if (errs.length > 0) throw invalid({ group: EXTENSIONS_GROUP, kind: imageStreamPruneResource.kind }, metadata.name ?? '', errs);
      const status = await runImageStreamPrune({
        streams: deps.streams,
        settings,
        dryRun: opts.dryRun,
        now: c.now,
        ...(req.user ? { user: req.user } : {}),
      });
      const { namespace, ...cluster } = settings;
      const spec: ImageStreamPruneSpec = namespace === '' ? cluster : settings;
      return respondObject(c, presenter, 201, { metadata, spec, status }, decoded.warnings);
    },
    openapi: {
      get schemas() {
        return imageStreamPruneSchemas();
      },
      objectSchema: IMAGE_STREAM_PRUNE_SCHEMA,
      listSchema: IMAGE_STREAM_PRUNE_SCHEMA,
    },
  };
}
