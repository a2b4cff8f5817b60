/**
 * @module credentials
 * Pull credentials from Secrets (semantics §7.6): `kubernetes.io/dockerconfigjson`
 * (`{"auths": {...}}` under `.dockerconfigjson`) and `kubernetes.io/dockercfg` (the bare map
 * under `.dockercfg`), and the Docker keyring matching of a registry/repository against
 * their keys — `host[:port][/path]`, optionally a URL (`https://index.docker.io/v1/`), with
 * `*` wildcards per host label; Docker Hub's names (`docker.io`, `index.docker.io`,
 * `registry-1.docker.io`, `registry.hub.docker.com`) are one registry. Pure; nothing here
 * ever renders a password.
 */

export const DOCKER_CONFIG_JSON_TYPE = 'kubernetes.io/dockerconfigjson';
export const DOCKER_CFG_TYPE = 'kubernetes.io/dockercfg';
export const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';
export const DOCKER_CFG_KEY = '.dockercfg';
/** A Secret with this annotation set to "true" is not used for imports. */
export const EXCLUDE_SECRET_ANNOTATION = 'openshift.io/image.excludeSecret';

export interface RegistryCredential {
  readonly username: string;
  readonly password: string;
}

interface Entry extends RegistryCredential {
  readonly hostLabels: readonly string[];
  readonly port: string;
  readonly path: string;
  /** For ordering: more specific keys first. */
  readonly specificity: number;
}

/** What the importer needs of a Secret. */
export interface PullSecret {
  readonly name: string;
  readonly type?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Base64 values, as stored. */
  readonly data?: Readonly<Record<string, string>>;
}

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
const DOCKER_HUB = 'docker.io';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function splitKey(key: string): { host: string; port: string; path: string } | undefined {
  let rest = key.trim();
  if (rest === '') return undefined;
  rest = rest.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = rest.indexOf('/');
  let hostport = slash >= 0 ? rest.slice(0, slash) : rest;
  let path = slash >= 0 ? rest.slice(slash + 1) : '';
  path = path.replace(/\/+$/, '');
  hostport = hostport.toLowerCase();
  let host = hostport;
  let port = '';
  const colon = hostport.lastIndexOf(':');
  if (colon > 0 && !hostport.includes(']')) {
    host = hostport.slice(0, colon);
    port = hostport.slice(colon + 1);
  }
  if (DOCKER_HUB_HOSTS.has(host)) {
    host = DOCKER_HUB;
    // `https://index.docker.io/v1/` and `/v2/` name the registry, not a repository path.
    if (/^v[12]$/.test(path)) path = '';
  }
  if (host === '') return undefined;
  return { host, port, path };
}

function decodeAuth(auth: string): RegistryCredential | undefined {
  let text: string;
  try {
    text = Buffer.from(auth, 'base64').toString('utf8');
  } catch {
    return undefined;
  }
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}

function entriesOfAuths(auths: Record<string, unknown>): Entry[] {
  const out: Entry[] = [];
  for (const [key, value] of Object.entries(auths)) {
    if (!isObject(value)) continue;
    const split = splitKey(key);
    if (!split) continue;
    let cred: RegistryCredential | undefined;
    if (typeof value['auth'] === 'string' && value['auth'] !== '') cred = decodeAuth(value['auth']);
    if (!cred && (typeof value['username'] === 'string' || typeof value['password'] === 'string')) {
      cred = { username: String(value['username'] ?? ''), password: String(value['password'] ?? '') };
    }
    if (!cred) continue;
    const hostLabels = split.host.split('.');
    const wildcards = hostLabels.filter((l) => l.includes('*')).length;
    out.push({ ...cred, hostLabels, port: split.port, path: split.path, specificity: split.path.length * 16 + (split.port ? 8 : 0) - wildcards });
  }
  return out;
}

/** Parses one Secret's docker configuration; malformed or foreign secrets yield nothing. */
export function parsePullSecret(secret: PullSecret): Entry[] {
  if (secret.annotations?.[EXCLUDE_SECRET_ANNOTATION] === 'true') return [];
  const key = secret.type === DOCKER_CONFIG_JSON_TYPE ? DOCKER_CONFIG_JSON_KEY : secret.type === DOCKER_CFG_TYPE ? DOCKER_CFG_KEY : undefined;
  if (key === undefined) return [];
  const raw = secret.data?.[key];
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch {
    return [];
  }
  if (!isObject(parsed)) return [];
  const auths = key === DOCKER_CONFIG_JSON_KEY ? parsed['auths'] : parsed;
  return isObject(auths) ? entriesOfAuths(auths) : [];
}

const labelMatches = (pattern: string, label: string): boolean => {
  if (!pattern.includes('*')) return pattern === label;
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^.]*')}$`);
  return re.test(label);
};

function matches(entry: Entry, host: string, port: string, repository: string): boolean {
  const labels = host.split('.');
  if (labels.length !== entry.hostLabels.length) return false;
  if (!entry.hostLabels.every((p, i) => labelMatches(p, labels[i]!))) return false;
  if (entry.port !== port) return false;
  if (entry.path === '') return true;
  return repository === entry.path || repository.startsWith(`${entry.path}/`);
}

/** The credentials of a namespace's pull secrets, in lookup order. */
export class CredentialKeyring {
  readonly #entries: Entry[];

  constructor(secrets: readonly PullSecret[]) {
    const all = secrets.flatMap((s) => parsePullSecret(s));
    // Stable: more specific keys first, then the order of the secrets.
    this.#entries = all.map((e, i) => ({ e, i })).sort((a, b) => b.e.specificity - a.e.specificity || a.i - b.i).map(({ e }) => e);
  }

  get size(): number {
    return this.#entries.length;
  }

  /**
   * The first credentials whose key matches `registry` (`host[:port]` as in the pull spec,
   * Docker Hub's aliases folded) and `repository` (`namespace/name`).
   */
  lookup(registry: string, repository: string): RegistryCredential | undefined {
    const split = splitKey(registry);
    if (!split) return undefined;
    const e = this.#entries.find((x) => matches(x, split.host, split.port, repository));
    return e ? { username: e.username, password: e.password } : undefined;
  }
}
