/**
 * @module image-reference
 * Docker pull specs (semantics §4.2): the `NAME[:TAG][@DIGEST]` grammar with the exact
 * error messages of library-go's parser, the registry/namespace/name split, and the
 * string forms (`exact`, `string`, most-specific, Docker client defaults).
 *
 * The grammar is evaluated segment by segment with simple anchored expressions (no nested
 * quantifiers), so parsing is linear in the input length even for hostile input.
 */

/** A parsed pull spec. Empty strings mean "not set". */
export interface DockerImageReference {
  readonly registry: string;
  readonly namespace: string;
  readonly name: string;
  readonly tag: string;
  readonly id: string;
}

export type ParsedReference = { readonly ok: true; readonly ref: DockerImageReference } | { readonly ok: false; readonly error: string };

export const DOCKER_DEFAULT_REGISTRY = 'docker.io';
export const DOCKER_DEFAULT_V1_REGISTRY = 'index.docker.io';
export const DOCKER_DEFAULT_V2_REGISTRY = 'registry-1.docker.io';
/** Maximum length of the NAME part (registry and path). */
export const NAME_TOTAL_LENGTH_MAX = 255;

export const ERR_NAME_EMPTY = 'repository name must have at least one component';
export const ERR_NAME_UPPERCASE = 'repository name must be lowercase';
export const ERR_INVALID_FORMAT = 'invalid reference format';
export const ERR_NAME_TOO_LONG = `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`;
export const ERR_DIGEST_FORMAT = 'invalid checksum digest format';
export const ERR_DIGEST_LENGTH = 'invalid checksum digest length';
export const ERR_DIGEST_UNSUPPORTED = 'unsupported digest algorithm';

/** A path component: alphanumeric runs joined by `.`, `_`, `__` or any run of `-`. */
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A registry host: DNS-ish labels joined by `.`, optional `:port`. */
const HOST_RE = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG_RE = /^\w[\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** The looser shape accepted by the digest validator. */
const DIGEST_SHAPE_RE = /^[a-zA-Z0-9\-_+.]+:[a-fA-F0-9]+$/;

const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** Validates a digest (`algorithm:hex`); returns the error message or undefined. */
export function digestError(digest: string): string | undefined {
  return DIGEST_SHAPE_RE.test(digest) ? digestAlgorithmError(digest) : ERR_DIGEST_FORMAT;
}

/** The algorithm and length checks of a digest already known to have the right shape. */
function digestAlgorithmError(digest: string): string | undefined {
  const i = digest.indexOf(':');
  const algorithm = digest.slice(0, i);
  const size = DIGEST_HEX_LENGTH[algorithm];
  if (size === undefined) return ERR_DIGEST_UNSUPPORTED;
  return digest.length - i - 1 === size ? undefined : ERR_DIGEST_LENGTH;
}

export const isDigest = (s: string): boolean => digestError(s) === undefined;

/** The hex part of a digest (everything after the first `:`). */
export const digestHex = (digest: string): string => digest.slice(digest.indexOf(':') + 1);

function isName(name: string): boolean {
  const segments = name.split('/');
  const [first, ...rest] = segments;
  if (first === undefined || !rest.every((s) => COMPONENT_RE.test(s))) return false;
  return COMPONENT_RE.test(first) || (rest.length > 0 && HOST_RE.test(first));
}

interface Match {
  readonly name: string;
  readonly tag: string;
  readonly digest: string;
}

/** The anchored `NAME[:TAG][@DIGEST]` match. A `:` is a tag separator only after the last `/`. */
function matchReference(s: string): Match | undefined {
  let rest = s;
  let digest = '';
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    rest = s.slice(0, at);
    if (!DIGEST_RE.test(digest)) return undefined;
  }
  let name = rest;
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && !rest.includes('/', colon)) {
    tag = rest.slice(colon + 1);
    name = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) return undefined;
  }
  return isName(name) ? { name, tag, digest } : undefined;
}

/** Parses a pull spec exactly as library-go's `reference.Parse`. */
export function parseImageReference(spec: string): ParsedReference {
  const m = matchReference(spec);
  if (m === undefined) {
    if (spec === '') return { ok: false, error: ERR_NAME_EMPTY };
    if (matchReference(spec.toLowerCase()) !== undefined) return { ok: false, error: ERR_NAME_UPPERCASE };
    return { ok: false, error: ERR_INVALID_FORMAT };
  }
  if (m.name.length > NAME_TOTAL_LENGTH_MAX) return { ok: false, error: ERR_NAME_TOO_LONG };
  if (m.digest !== '') {
    // The reference grammar already matched the digest shape.
    const err = digestAlgorithmError(m.digest);
    if (err !== undefined) return { ok: false, error: err };
  }
  return { ok: true, ref: splitName(m) };
}

function splitName(m: Match): DockerImageReference {
  const full = m.name;
  const i = full.indexOf('/');
  const first = i === -1 ? full : full.slice(0, i);
  const registryOnly = i === -1 && (full.includes('.') || full.startsWith('localhost'));
  const nameOnly = (i === -1 && !registryOnly) || (i > -1 && !/[:.]/.test(first) && first !== 'localhost');
  let registry = '';
  let path = '';
  if (registryOnly) {
    // The whole reference (with tag and digest) is taken as the registry, as upstream does.
    registry = full + (m.tag ? `:${m.tag}` : '') + (m.digest ? `@${m.digest}` : '');
  } else if (nameOnly) {
    path = full;
  } else {
    registry = first;
    path = full.slice(i + 1);
  }
  const j = path.indexOf('/');
  return {
    registry,
    namespace: j === -1 ? '' : path.slice(0, j),
    name: j === -1 ? path : path.slice(j + 1),
    tag: registryOnly ? '' : m.tag,
    id: m.digest,
  };
}

/** Convenience: the reference, or undefined when it does not parse. */
export function tryParseImageReference(spec: string): DockerImageReference | undefined {
  const p = parseImageReference(spec);
  return p.ok ? p.ref : undefined;
}

export const emptyReference: DockerImageReference = { registry: '', namespace: '', name: '', tag: '', id: '' };

export function isRegistryDockerHub(registry: string): boolean {
  return registry === DOCKER_DEFAULT_REGISTRY || registry === DOCKER_DEFAULT_V1_REGISTRY || registry === DOCKER_DEFAULT_V2_REGISTRY;
}

/** `name` with `@id` (digest), `:id` (other ids) or `:tag`; empty when the name is empty. */
export function nameString(r: DockerImageReference): string {
  if (r.name === '') return '';
  if (r.id !== '') return r.name + (isDigest(r.id) ? `@${r.id}` : `:${r.id}`);
  if (r.tag !== '') return `${r.name}:${r.tag}`;
  return r.name;
}

/** Only the set parts: `registry/namespace/name[@id|:tag]`; empty when the name is empty. */
export function exactReference(r: DockerImageReference): string {
  const name = nameString(r);
  if (name === '') return '';
  return (r.registry ? `${r.registry}/` : '') + (r.namespace ? `${r.namespace}/` : '') + name;
}

/** As `exactReference`, inserting `library/` for Docker Hub references without a namespace. */
export function referenceString(r: DockerImageReference): string {
  return exactReference(r.namespace === '' && isRegistryDockerHub(r.registry) ? { ...r, namespace: 'library' } : r);
}

/** Docker client defaults: registry `docker.io`, `library/` on Docker Hub, tag `latest`. */
export function dockerClientDefaults(r: DockerImageReference): DockerImageReference {
  const registry = r.registry || DOCKER_DEFAULT_REGISTRY;
  return {
    ...r,
    registry,
    namespace: r.namespace === '' && isRegistryDockerHub(registry) ? 'library' : r.namespace,
    tag: r.tag || 'latest',
  };
}

export const asRepository = (r: DockerImageReference): DockerImageReference => ({ ...r, tag: '', id: '' });

/** Prefers a digest id over a tag; a non-digest id becomes the tag. */
export function mostSpecific(r: DockerImageReference): DockerImageReference {
  if (r.id === '') return r;
  if (isDigest(r.id)) return { ...r, tag: '' };
  if (r.tag === '') return { ...r, tag: r.id, id: '' };
  return r;
}

/** Docker Hub's v1 names map to the v2 endpoint. */
export function asV2(r: DockerImageReference): DockerImageReference {
  return r.registry === DOCKER_DEFAULT_V1_REGISTRY || r.registry === DOCKER_DEFAULT_REGISTRY
    ? { ...r, registry: DOCKER_DEFAULT_V2_REGISTRY }
    : r;
}

/** Go's `net.SplitHostPort` for the host forms a registry can take; undefined on error. */
export function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0 || hostport[end + 1] !== ':' || hostport.indexOf(':', end + 2) >= 0) return undefined;
    return { host: hostport.slice(1, end), port: hostport.slice(end + 2) };
  }
  const i = hostport.indexOf(':');
  if (i < 0 || hostport.indexOf(':', i + 1) >= 0 || hostport.includes('[') || hostport.includes(']')) return undefined;
  return { host: hostport.slice(0, i), port: hostport.slice(i + 1) };
}

/** Go's `net.JoinHostPort`. */
export const joinHostPort = (host: string, port: string): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** Registry host and port, defaulting to Docker Hub and to port 443 (80 when insecure). */
export function registryHostPort(r: DockerImageReference, insecure: boolean): { host: string; port: string } {
  const host = dockerClientDefaults(asV2(r)).registry;
  if (host.includes(':')) return splitHostPort(host) ?? { host: '', port: '' };
  return { host, port: insecure ? '80' : '443' };
}
