/**
 * @module manifests
 * Image manifests as the importer reads them (semantics §7.4, §7.5), as pure functions:
 * media types and the `Accept` list, parsing and validation of Docker schema 2 manifests,
 * OCI image manifests, Docker manifest lists and OCI indexes, digests of manifest bytes,
 * image metadata from a config blob, and the platform choice of a `Legacy` import.
 *
 * Schema 1 manifests are not accepted: they are never requested (a registry converts a
 * schema 2 image to schema 1 only for clients that do not accept schema 2, toolchain notes §2)
 * and a registry that only has one gets a clear error.
 */
import { createHash } from 'node:crypto';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
} as const;

/**
 * Every type the importer understands, so no registry converts what it stores: distribution
 * 2.8.2 answers 404 for an OCI manifest or index when its type is missing, and converts a
 * schema 2 manifest to schema 1 when schema 2 is missing (toolchain notes §2).
 */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerList, MEDIA_TYPES.dockerManifest].join(', ');

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
}

export interface ListEntry extends Descriptor {
  readonly platform?: Platform;
  /** An attestation or other non-runnable entry (BuildKit `unknown/unknown`). */
  readonly attestation: boolean;
}

export type Manifest =
  | { readonly kind: 'image'; readonly mediaType: string; readonly config: Descriptor; readonly layers: readonly Descriptor[] }
  | { readonly kind: 'list'; readonly mediaType: string; readonly manifests: readonly ListEntry[] };

const DIGEST_RE = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$|^sha384:[a-f0-9]{96}$/;

export const isSupportedDigest = (d: string): boolean => DIGEST_RE.test(d);

/** `sha256:<hex>` of the exact bytes. */
export const sha256Digest = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The digest of `bytes` in the algorithm of `expected` (sha256, sha384 or sha512). */
export function digestWithAlgorithmOf(expected: string, bytes: Uint8Array): string {
  const algorithm = expected.slice(0, expected.indexOf(':'));
  if (algorithm !== 'sha256' && algorithm !== 'sha384' && algorithm !== 'sha512') return sha256Digest(bytes);
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function descriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw new ManifestError(`${where} is not an object`);
  const { mediaType, digest, size } = v;
  if (typeof digest !== 'string' || !isSupportedDigest(digest)) throw new ManifestError(`${where}.digest is not a valid digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ManifestError(`${where}.size is not a valid size`);
  if (mediaType !== undefined && typeof mediaType !== 'string') throw new ManifestError(`${where}.mediaType is not a string`);
  return { mediaType: mediaType ?? '', digest, size };
}

function platformOf(v: unknown): Platform | undefined {
  if (!isObject(v)) return undefined;
  const architecture = typeof v['architecture'] === 'string' ? v['architecture'] : '';
  const os = typeof v['os'] === 'string' ? v['os'] : '';
  const variant = typeof v['variant'] === 'string' && v['variant'] !== '' ? v['variant'] : undefined;
  return { architecture, os, ...(variant ? { variant } : {}) };
}

/** The media type a manifest declares, else what its shape says (OCI allows it to be absent). */
function effectiveMediaType(contentType: string, body: Record<string, unknown>): string {
  const declared = typeof body['mediaType'] === 'string' ? body['mediaType'] : '';
  const header = contentType.split(';')[0]!.trim().toLowerCase();
  const known = new Set<string>(Object.values(MEDIA_TYPES));
  if (declared !== '') {
    // A declared type must agree with a specific Content-Type (a generic one is fine).
    if (known.has(header) && header !== declared) {
      throw new ManifestError(`manifest declares media type ${declared} but was served as ${header}`);
    }
    return declared;
  }
  if (known.has(header)) return header;
  if (body['schemaVersion'] === 1) return MEDIA_TYPES.dockerSchema1Signed;
  if (Array.isArray(body['manifests'])) return MEDIA_TYPES.ociIndex;
  if (isObject(body['config'])) return MEDIA_TYPES.ociManifest;
  throw new ManifestError(`unrecognized manifest (content type "${header || 'none'}")`);
}

/** Parses and validates a manifest or list; throws ManifestError on anything malformed. */
export function parseManifest(bytes: Uint8Array, contentType: string): Manifest {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ManifestError('manifest is not valid JSON');
  }
  if (!isObject(body)) throw new ManifestError('manifest is not a JSON object');
  const mediaType = effectiveMediaType(contentType, body);
  switch (mediaType) {
    case MEDIA_TYPES.dockerSchema1:
    case MEDIA_TYPES.dockerSchema1Signed:
      throw new ManifestError('schema 1 manifests are not supported; push the image as Docker schema 2 or OCI');
    case MEDIA_TYPES.dockerManifest:
    case MEDIA_TYPES.ociManifest: {
      if (body['schemaVersion'] !== 2) throw new ManifestError(`schemaVersion must be 2 for ${mediaType}`);
      const config = descriptor(body['config'], 'config');
      const layersRaw = body['layers'];
      if (!Array.isArray(layersRaw)) throw new ManifestError('layers must be an array');
      const layers = layersRaw.map((l, i) => descriptor(l, `layers[${i}]`));
      return { kind: 'image', mediaType, config, layers };
    }
    case MEDIA_TYPES.dockerList:
    case MEDIA_TYPES.ociIndex: {
      if (body['schemaVersion'] !== 2) throw new ManifestError(`schemaVersion must be 2 for ${mediaType}`);
      const raw = body['manifests'];
      if (!Array.isArray(raw)) throw new ManifestError('manifests must be an array');
      const manifests = raw.map((m, i): ListEntry => {
        const d = descriptor(m, `manifests[${i}]`);
        const platform = platformOf((m as Record<string, unknown>)['platform']);
        const annotations = (m as Record<string, unknown>)['annotations'];
        const refType = isObject(annotations) ? annotations['vnd.docker.reference.type'] : undefined;
        const attestation = refType === 'attestation-manifest' || (platform?.architecture === 'unknown' && platform.os === 'unknown');
        return { ...d, ...(platform ? { platform } : {}), attestation };
      });
      if (manifests.length === 0) throw new ManifestError('manifest list has no manifests');
      return { kind: 'list', mediaType, manifests };
    }
    default:
      throw new ManifestError(`unsupported manifest media type ${mediaType}`);
  }
}

export interface PlatformPreference {
  /** `importer.image.openshift.io/prefer-arch` of the spec tag. */
  readonly arch?: string;
  /** `importer.image.openshift.io/prefer-os` of the spec tag. */
  readonly os?: string;
}

/** Node's `process.arch` in Go's GOARCH vocabulary. */
export function goArch(nodeArch: string): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[nodeArch] ?? nodeArch;
}

/**
 * §7.5 `Legacy`: the child of a list to import — the preferred platform (the tag's
 * prefer-arch/prefer-os annotations, each defaulting to the server's own platform), else
 * linux/amd64, else the first runnable entry.
 */
export function selectPlatformManifest(
  entries: readonly ListEntry[],
  preference: PlatformPreference,
  server: { readonly arch: string; readonly os: string },
): ListEntry | undefined {
  const runnable = entries.filter((e) => !e.attestation);
  const arch = preference.arch || server.arch;
  const os = preference.os || server.os;
  const match = (a: string, o: string) => runnable.find((e) => e.platform?.architecture === a && e.platform.os === o);
  return match(arch, os) ?? match('amd64', 'linux') ?? runnable[0];
}

/** Image metadata read from the config blob (the parts the API exposes). */
export interface ImageMetadata {
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  readonly created?: string;
  readonly author?: string;
  readonly config?: Readonly<Record<string, unknown>>;
  /** Uncompressed layer digests (`rootfs.diff_ids`). */
  readonly diffIds: readonly string[];
}

/** Parses a Docker or OCI image config blob. */
export function parseImageConfig(bytes: Uint8Array): ImageMetadata {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ManifestError('image config is not valid JSON');
  }
  if (!isObject(body)) throw new ManifestError('image config is not a JSON object');
  const str = (k: string): string | undefined => (typeof body[k] === 'string' && body[k] !== '' ? (body[k] as string) : undefined);
  const rootfs = body['rootfs'];
  const diffIds = isObject(rootfs) && Array.isArray(rootfs['diff_ids']) ? rootfs['diff_ids'].filter((d): d is string => typeof d === 'string') : [];
  const config = isObject(body['config']) ? body['config'] : undefined;
  const out: ImageMetadata = { diffIds };
  return {
    ...out,
    ...(str('architecture') ? { architecture: str('architecture') } : {}),
    ...(str('os') ? { os: str('os') } : {}),
    ...(str('variant') ? { variant: str('variant') } : {}),
    ...(str('created') ? { created: str('created') } : {}),
    ...(str('author') ? { author: str('author') } : {}),
    ...(config ? { config } : {}),
  };
}
