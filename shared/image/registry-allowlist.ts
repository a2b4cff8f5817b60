/**
 * @module registry-allowlist
 * The registry allow-list for pull specs (semantics §4.4; upstream's "whitelister"): entries
 * are `host[:port]` globs; the internal registry is always allowed; on update, repositories
 * already present in the stored stream are allowed again. With no configured entries every
 * registry is allowed (the check is skipped entirely).
 */
import { goQuote } from '../apimachinery/go-format.js';
import {
  asRepository,
  DOCKER_DEFAULT_REGISTRY,
  DOCKER_DEFAULT_V1_REGISTRY,
  DOCKER_DEFAULT_V2_REGISTRY,
  dockerClientDefaults,
  exactReference,
  joinHostPort,
  registryHostPort,
  splitHostPort,
  tryParseImageReference,
  type DockerImageReference,
} from './image-reference.js';

/** One `allowedRegistriesForImport` entry. */
export interface AllowedRegistry {
  readonly domainName: string;
  readonly insecure?: boolean;
}

/** `secure`: port 443 unless given; `insecure`: port 80; `any`: either. */
export type Transport = 'any' | 'secure' | 'insecure';

interface HostPortGlob {
  readonly host: string;
  readonly port: string;
}

const SHOW_MAX = 5;

/** `*` and `?` glob match over bytes (upstream's `IsWildcardMatch`). */
export function isWildcardMatch(s: string, pattern: string): boolean {
  let prev: boolean[] = new Array<boolean>(s.length + 1).fill(false);
  prev[0] = true;
  for (let j = 0; j < pattern.length; j++) {
    const p = pattern[j];
    const cur: boolean[] = new Array<boolean>(s.length + 1).fill(false);
    cur[0] = prev[0]! && p === '*';
    for (let i = 1; i <= s.length; i++) {
      cur[i] = p === '*' ? cur[i - 1]! || prev[i]! : prev[i - 1]! && (p === '?' || p === s[i - 1]);
    }
    prev = cur;
  }
  return prev[s.length]!;
}

/** The repository a pull spec names, Docker-defaulted, without tag or id. */
export const canonicalRepository = (ref: DockerImageReference): string => exactReference(asRepository(dockerClientDefaults(ref)));

/** The transport for a reference: `any` when the tag or stream is insecure, else `secure`. */
export const transportFor = (insecure: boolean): Transport => (insecure ? 'any' : 'secure');

export class RegistryAllowlist {
  readonly #globs: HostPortGlob[] = [];
  readonly #repositories = new Set<string>();

  /**
   * Entries in the given order; the internal registry hostname (if any) is allowed first,
   * as upstream adds it in front on first use.
   */
  constructor(entries: readonly AllowedRegistry[], internalRegistryHostname?: string) {
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      this.allowRegistry(e.domainName, e.insecure ? 'insecure' : 'secure');
    }
    if (internalRegistryHostname) this.allowRegistry(internalRegistryHostname, 'secure');
  }

  /** Prepends `host[:port]` (port defaulted from the transport); duplicates are ignored. */
  allowRegistry(hostPortGlob: string, transport: Transport): void {
    const parts = hostPortGlob.split(':');
    let globs: HostPortGlob[];
    if (parts.length === 1) {
      const host = parts[0]!;
      if (transport === 'any') globs = [{ host, port: '80' }, { host, port: '443' }];
      else globs = [{ host, port: transport === 'insecure' ? '80' : '443' }];
    } else if (parts.length === 2) {
      globs = [{ host: parts[0]!, port: parts[1]! }];
    } else {
      return;
    }
    for (const g of globs) {
      if (this.#globs.some((x) => x.host === g.host && x.port === g.port)) continue;
      this.#globs.unshift(g);
    }
  }

  /** Allows a repository (compared Docker-defaulted, without tag or id); unparsable specs are ignored. */
  allowRepository(pullSpec: string): void {
    const ref = tryParseImageReference(pullSpec);
    if (ref !== undefined) this.#repositories.add(canonicalRepository(ref));
  }

  copy(): RegistryAllowlist {
    const c = new RegistryAllowlist([]);
    c.#globs.push(...this.#globs);
    for (const r of this.#repositories) c.#repositories.add(r);
    return c;
  }

  /** The reason `ref` is not allowed, or undefined when it is. */
  admit(ref: DockerImageReference, transport: Transport): string | undefined {
    if (this.#repositories.size > 0 && this.#repositories.has(canonicalRepository(ref))) return undefined;
    let host: string;
    let port: string;
    if (transport === 'any') {
      const hp = splitHostPort(ref.registry);
      if (hp === undefined || hp.port === '') {
        host = ref.registry;
        port = '';
      } else {
        ({ host, port } = hp);
      }
      if (host === '') host = registryHostPort(ref, false).host;
    } else {
      ({ host, port } = registryHostPort(ref, transport === 'insecure'));
    }
    const matchHost = (h: string): boolean =>
      this.#globs.some((g) => {
        if (!isWildcardMatch(h, g.host)) return false;
        if (port === '') return g.port === '80' || g.port === '443' || g.port === '*';
        return isWildcardMatch(port, g.port);
      });
    if ((host === DOCKER_DEFAULT_V1_REGISTRY || host === DOCKER_DEFAULT_V2_REGISTRY) && matchHost(DOCKER_DEFAULT_REGISTRY)) {
      return undefined;
    }
    if (matchHost(host)) return undefined;
    const hostname = ref.registry !== '' ? ref.registry : port !== '' ? joinHostPort(host, port) : host;
    if (this.#globs.length === 0) return `registry ${goQuote(hostname)} not allowed by empty whitelist`;
    const listed = this.#globs.map((g) => goQuote(joinHostPort(g.host, g.port)));
    if (listed.length <= SHOW_MAX) return `registry ${goQuote(hostname)} not allowed by whitelist: ${listed.join(', ')}`;
    return `registry ${goQuote(hostname)} not allowed by whitelist: ${listed.slice(0, SHOW_MAX - 1).join(', ')}, and ${listed.length - SHOW_MAX + 1} more ...`;
  }
}

/** The allow-list for a configuration, or undefined when every registry is allowed. */
export function registryAllowlist(
  entries: readonly AllowedRegistry[] | undefined,
  internalRegistryHostname: string | undefined,
): RegistryAllowlist | undefined {
  if (entries === undefined || entries.length === 0) return undefined;
  return new RegistryAllowlist(entries, internalRegistryHostname);
}
