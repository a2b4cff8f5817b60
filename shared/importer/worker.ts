/**
 * @module worker
 * One import job end to end (semantics §7.1, §7.3, §7.8): read the stream, plan, load the
 * namespace's pull secrets, import from the registries, and write the results through the
 * ImageStream's internal strategy (spec-tag rewrites and status together, generation bumps
 * and tracking tags as any internal write) as the `imagestream-importer` field manager.
 *
 * The write carries the resourceVersion the results were computed against; on a conflict the
 * stream is read again and the same registry results are applied to the newer object — but
 * only for tags whose import-relevant spec (from, importMode, insecure, platform preference)
 * is unchanged: a tag changed meanwhile is left to the import its own change triggers.
 */
import { applyRetentionPolicy } from '../image/retention-policy.js';
import type { ResourceService } from '../apimachinery/registry/resource-service.js';
import { rfc3339 } from '../apimachinery/registry/resource-service.js';
import { isStatusError } from '../apimachinery/status.js';
import type { ImageStream } from '../image/types.js';
import { CredentialKeyring, type PullSecret } from './credentials.js';
import { applyImportResults, type TagImportResult } from './import-images.js';
import { toTagResult, type ImageImportOutcome, type Importer } from './importer.js';
import { isImportable, planImport, sameTarget, targetOf, type ImportMode, type ImportTarget } from './planner.js';

export const IMPORTER_FIELD_MANAGER = 'imagestream-importer';

/** A stream to import (the SQS message body on AWS). */
export interface ImportJob {
  readonly namespace: string;
  readonly name: string;
  /** The stream's uid when the job was made: a recreated stream is not imported by a stale job. */
  readonly uid?: string;
  /** A scheduled visit (§7.2). */
  readonly scheduled?: boolean;
  /** Start no earlier than this many seconds after enqueueing (scheduled spreading). */
  readonly delaySeconds?: number;
}

export interface ImportJobResult {
  readonly outcome: 'imported' | 'unchanged' | 'nothing-to-import' | 'gone';
  readonly targets: number;
  readonly failures: number;
  /** Failures that were registry rate limits (the scheduler backs off on them). */
  readonly rateLimited: number;
  readonly conflicts: number;
}

export interface WorkerDeps {
  /** The ImageStream service with the internal strategy. */
  readonly streams: ResourceService<ImageStream>;
  /** The pull secrets of a namespace (docker config types; filtering happens here). */
  readonly secrets: (namespace: string) => Promise<readonly PullSecret[]>;
  readonly importer: Pick<Importer, 'importTargets'>;
  readonly defaultImportMode: ImportMode;
  readonly clock?: () => Date;
  /** Write attempts on resourceVersion conflicts. */
  readonly maxAttempts?: number;
}

const isCode = (e: unknown, code: number): boolean => isStatusError(e) && e.code === code;

async function read(deps: WorkerDeps, job: ImportJob): Promise<ImageStream | undefined> {
  try {
    const stream = await deps.streams.get(job.namespace, job.name, 'status');
    if (job.uid && stream.metadata.uid !== job.uid) return undefined;
    return stream;
  } catch (e) {
    if (isCode(e, 404)) return undefined;
    throw e;
  }
}

/** The planned targets still current in `stream` (same spec tag, still importable). */
function stillCurrent(stream: ImageStream, targets: readonly ImportTarget[], mode: ImportMode): boolean[] {
  const tags = new Map((stream.spec.tags ?? []).map((t) => [t.name, t]));
  return targets.map((t) => {
    const spec = tags.get(t.tag);
    return spec !== undefined && isImportable(spec) && sameTarget(targetOf(spec, mode), t);
  });
}

export async function runImportJob(job: ImportJob, deps: WorkerDeps): Promise<ImportJobResult> {
  const clock = deps.clock ?? (() => new Date());
  const mode = deps.defaultImportMode;
  let stream = await read(deps, job);
  const none = { targets: 0, failures: 0, rateLimited: 0, conflicts: 0 };
  if (!stream) return { outcome: 'gone', ...none };
  const plan = planImport(stream, { scheduled: !!job.scheduled, defaultImportMode: mode });
  if (!plan) return { outcome: 'nothing-to-import', ...none };
  const keyring = new CredentialKeyring(await deps.secrets(job.namespace));
  const outcomes: ImageImportOutcome[] = await deps.importer.importTargets(plan.targets, keyring);
  const results: TagImportResult[] = outcomes.map(toTagResult);
  const failures = outcomes.filter((o) => o.status === 'Failure');
  const stats = {
    targets: plan.targets.length,
    failures: failures.length,
    rateLimited: failures.filter((o) => o.status === 'Failure' && o.retryAfterSeconds !== undefined).length,
  };
  const maxAttempts = deps.maxAttempts ?? 5;
  for (let attempt = 0; ; attempt++) {
    const keep = stillCurrent(stream, plan.targets, mode);
    const targets = plan.targets.filter((_, i) => keep[i]);
    const kept = results.filter((_, i) => keep[i]);
    const applied = applyImportResults(stream, targets, kept, rfc3339(clock()));
    if (!applied.write) return { outcome: 'unchanged', ...stats, conflicts: attempt };
    const expected = stream.metadata.resourceVersion;
    // The stream's own history limit (retention annotation), applied with the import's write.
    const retained = applyRetentionPolicy(applied.stream);
    const desired = deps.streams.normalize({ ...retained, metadata: { ...retained.metadata, resourceVersion: expected } });
    try {
      await deps.streams.updateWith(job.namespace, job.name, () => desired, { fieldManager: IMPORTER_FIELD_MANAGER });
      return { outcome: 'imported', ...stats, conflicts: attempt };
    } catch (e) {
      if (isCode(e, 404)) return { outcome: 'gone', ...stats, conflicts: attempt };
      if (!isCode(e, 409) || attempt + 1 >= maxAttempts) throw e;
      const fresh = await read(deps, job);
      if (!fresh) return { outcome: 'gone', ...stats, conflicts: attempt + 1 };
      stream = fresh;
    }
  }
}
