/**
 * @module importer
 * Imports the images of a plan from their registries (semantics §7.4–§7.7, §7.9): reference
 * defaulting, blocked and insecure registries, credentials from the keyring, the manifest (a
 * list resolved per importMode), the config blob for image metadata, and every failure turned
 * into the per-image Status reason and message the stream's conditions record.
 *
 * Results are cached per request by (registry, repository, tag or digest, prefer-arch,
 * prefer-os, importMode, insecure), targets run `concurrency` at a time (the registry client
 * bounds requests per registry further), and an `Unauthorized` "username or password" failure
 * is retried without credentials, keeping the original status if that fails too (§7.3 step 6).
 */
import {
  asV2,
  dockerClientDefaults,
  exactReference,
  mostSpecific,
  parseImageReference,
  referenceString,
  type DockerImageReference,
} from '../image/image-reference.js';
import type { CredentialKeyring, RegistryCredential } from './credentials.js';
import type { TagImportResult } from './import-images.js';
import {
  ManifestError,
  parseImageConfig,
  parseManifest,
  selectPlatformManifest,
  type Descriptor,
  type ImageMetadata,
  type ListEntry,
} from './manifests.js';
import type { ImportTarget } from './planner.js';
import { RegistryError, type RegistryAccess, type RegistryClient, type RepositoryRef } from './registry-client.js';
import { registryInsecure, registryRefusal, type RegistrySources } from './registry-sources.js';

export interface ImportedImage {
  readonly digest: string;
  readonly mediaType: string;
  readonly dockerImageReference: string;
  /** From the config blob (single images and the Legacy child). */
  readonly metadata?: ImageMetadata;
  readonly layers?: readonly Descriptor[];
  /** PreserveOriginal lists: the children. */
  readonly manifests?: readonly ListEntry[];
}

export type ImageImportOutcome =
  | { readonly status: 'Success'; readonly image: ImportedImage }
  | { readonly status: 'Failure'; readonly reason: string; readonly message: string; readonly retryAfterSeconds?: number };

export interface ImporterOptions {
  readonly client: RegistryClient;
  readonly maxConfigBytes: number;
  /** The server's own platform (GOARCH/GOOS vocabulary), the Legacy default preference. */
  readonly serverPlatform: { readonly arch: string; readonly os: string };
  /** Allowed, blocked and insecure registries (matched against the defaulted pull spec's host). */
  readonly registrySources?: RegistrySources;
  /** Targets imported at once. */
  readonly concurrency?: number;
}

/** The status of a failed import, as §7.9 words it. */
export function failureOf(err: unknown, ref: string, target: ImportTarget): ImageImportOutcome & { status: 'Failure' } {
  if (err instanceof RegistryError) {
    switch (err.kind) {
      case 'NotFound':
        return { status: 'Failure', reason: 'NotFound', message: `dockerimage.image.openshift.io "${ref}" not found` };
      case 'Unauthorized':
      case 'Forbidden':
        return { status: 'Failure', reason: 'Unauthorized', message: `you may not have access to the container image "${ref}"` };
      case 'CredentialsRejected':
        return { status: 'Failure', reason: 'Unauthorized', message: `incorrect username or password for image "${ref}"` };
      case 'HttpOnly':
        return {
          status: 'Failure',
          reason: 'BadRequest',
          message: `the repository ${repositoryName(target.from)} is HTTP only and requires the insecure flag to import`,
        };
      case 'Blocked':
        return { status: 'Failure', reason: 'Forbidden', message: `forbidden: registry ${registryOf(target.from)} blocked: ${err.message}` };
      case 'RateLimited':
        return {
          status: 'Failure',
          reason: 'InternalError',
          message: `Internal error occurred: ${ref}: ${err.message}`,
          ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
        };
      default:
        return { status: 'Failure', reason: 'InternalError', message: `Internal error occurred: ${ref}: ${err.message}` };
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'Failure', reason: 'InternalError', message: `Internal error occurred: ${ref}: ${message}` };
}

function registryOf(from: string): string {
  const p = parseImageReference(from);
  return p.ok ? p.ref.registry : '';
}

function repositoryName(from: string): string {
  const p = parseImageReference(from);
  if (!p.ok) return from;
  return exactReference({ ...p.ref, tag: '', id: '' });
}

/** `namespace/name` on the registry (Docker Hub defaults applied). */
const repositoryPath = (r: DockerImageReference): string => (r.namespace ? `${r.namespace}/${r.name}` : r.name);

export class Importer {
  readonly #o: ImporterOptions;

  constructor(opts: ImporterOptions) {
    this.#o = opts;
  }

  /** Imports every target; `results[i]` belongs to `targets[i]`. Never throws for a registry failure. */
  async importTargets(targets: readonly ImportTarget[], keyring: CredentialKeyring | undefined): Promise<ImageImportOutcome[]> {
    const cache = new Map<string, Promise<ImageImportOutcome>>();
    const results: ImageImportOutcome[] = new Array<ImageImportOutcome>(targets.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < targets.length) {
        const i = next++;
        results[i] = await this.#importOne(targets[i]!, keyring, cache);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency ?? 4, targets.length) }, worker));
    return results;
  }

  async #importOne(target: ImportTarget, keyring: CredentialKeyring | undefined, cache: Map<string, Promise<ImageImportOutcome>>): Promise<ImageImportOutcome> {
    const parsed = parseImageReference(target.from);
    if (!parsed.ok) {
      return { status: 'Failure', reason: 'Invalid', message: `from.name: Invalid value: "${target.from}": invalid name: ${parsed.error}` };
    }
    const ref = parsed.ref;
    const defaulted = dockerClientDefaults(ref);
    const refString = referenceString(defaulted);
    const sources = this.#o.registrySources ?? {};
    const refusal = registryRefusal(defaulted.registry, sources);
    if (refusal === 'blocked') {
      // §7.7: the registry as written (empty for Docker Hub short names).
      return { status: 'Failure', reason: 'Forbidden', message: `forbidden: registry ${ref.registry} blocked` };
    }
    if (refusal === 'not allowed') {
      return { status: 'Failure', reason: 'Forbidden', message: `forbidden: registry ${defaulted.registry} is not in the allowed registries` };
    }
    const repo: RepositoryRef = { registry: asV2(defaulted).registry, repository: repositoryPath(defaulted) };
    const insecure = !!target.importPolicy.insecure || registryInsecure(defaulted.registry, sources);
    const credential = keyring?.lookup(defaulted.registry, repo.repository);
    const reference = defaulted.id || defaulted.tag || 'latest';
    const key = [repo.registry, repo.repository, reference, target.preferArch ?? '', target.preferOs ?? '', target.importPolicy.importMode, insecure].join('|');
    let pending = cache.get(key);
    if (!pending) {
      pending = (async () => {
        const first = await this.#attempt(ref, repo, reference, target, { insecure, ...(credential ? { credential } : {}) }, refString);
        if (credential && first.status === 'Failure' && first.reason === 'Unauthorized' && first.message.toLowerCase().includes('username or password')) {
          const anonymous = await this.#attempt(ref, repo, reference, target, { insecure }, refString);
          return anonymous.status === 'Success' ? anonymous : first;
        }
        return first;
      })();
      cache.set(key, pending);
    }
    return pending;
  }

  async #attempt(
    ref: DockerImageReference,
    repo: RepositoryRef,
    reference: string,
    target: ImportTarget,
    access: RegistryAccess,
    refString: string,
  ): Promise<ImageImportOutcome> {
    try {
      return { status: 'Success', image: await this.#fetchImage(ref, repo, reference, target, access) };
    } catch (e) {
      return failureOf(e, refString, target);
    }
  }

  async #fetchImage(ref: DockerImageReference, repo: RepositoryRef, reference: string, target: ImportTarget, access: RegistryAccess): Promise<ImportedImage> {
    const client = this.#o.client;
    const top = await client.getManifest(repo, reference, access);
    const manifest = parseManifest(top.bytes, top.mediaType);
    /** The pull spec as written in `from`, by digest (Docker Hub short names stay short). */
    const pullSpec = (digest: string): string => exactReference(mostSpecific({ ...ref, id: digest }));
    if (manifest.kind === 'list') {
      if (target.importPolicy.importMode === 'PreserveOriginal') {
        return { digest: top.digest, mediaType: manifest.mediaType, dockerImageReference: pullSpec(top.digest), manifests: manifest.manifests };
      }
      const child = selectPlatformManifest(manifest.manifests, { ...(target.preferArch ? { arch: target.preferArch } : {}), ...(target.preferOs ? { os: target.preferOs } : {}) }, this.#o.serverPlatform);
      if (!child) throw new ManifestError('the manifest list has no runnable image');
      const fetched = await client.getManifest(repo, child.digest, access);
      const inner = parseManifest(fetched.bytes, fetched.mediaType);
      if (inner.kind !== 'image') throw new ManifestError(`manifest ${child.digest} of the list is itself a list`);
      const metadata = await this.#config(repo, inner.config, access);
      return { digest: fetched.digest, mediaType: inner.mediaType, dockerImageReference: pullSpec(fetched.digest), metadata, layers: inner.layers };
    }
    const metadata = await this.#config(repo, manifest.config, access);
    return { digest: top.digest, mediaType: manifest.mediaType, dockerImageReference: pullSpec(top.digest), metadata, layers: manifest.layers };
  }

  async #config(repo: RepositoryRef, config: Descriptor, access: RegistryAccess): Promise<ImageMetadata> {
    if (config.size > this.#o.maxConfigBytes) {
      throw new ManifestError(`image config ${config.digest} is ${config.size} bytes, more than the limit of ${this.#o.maxConfigBytes}`);
    }
    const bytes = await this.#o.client.getBlob(repo, config.digest, access, this.#o.maxConfigBytes);
    return parseImageConfig(bytes);
  }
}

/** The stream-level view of an outcome (what §7.8 writes). */
export function toTagResult(o: ImageImportOutcome): TagImportResult {
  return o.status === 'Success'
    ? { status: 'Success', image: { digest: o.image.digest, dockerImageReference: o.image.dockerImageReference } }
    : { status: 'Failure', reason: o.reason, message: o.message };
}

export type { RegistryCredential };
