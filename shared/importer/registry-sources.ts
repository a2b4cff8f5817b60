/**
 * @module registry-sources
 * Which registries the importer may contact, as OpenShift's cluster image configuration
 * (`image.config.openshift.io` `spec.registrySources`) words it: `allowedRegistries` (when set,
 * every other registry is refused) or `blockedRegistries` (these are refused), never both; and
 * `insecureRegistries` (plain http / no TLS verification).
 *
 * An entry is `host`, `host:port`, `[v6]`, `[v6]:port`, or a wildcard `*.domain[:port]` that
 * matches every subdomain of `domain` (not `domain` itself). Blocked and insecure entries match
 * the defaulted registry exactly, port included, as upstream's importer does; an allowed entry
 * without a port admits the host on any port (loopback registries on ephemeral ports). Host
 * names compare case-insensitively.
 */
import { splitHostPort } from '../image/image-reference.js';

export interface RegistrySources {
  /** When not empty, the only registries imports may use. */
  readonly allowed?: readonly string[];
  /** Registries imports are refused from. */
  readonly blocked?: readonly string[];
  /** Registries always accessed insecurely. */
  readonly insecure?: readonly string[];
}

interface HostPort {
  readonly host: string;
  readonly port: string | undefined;
}

function hostPortOf(text: string): HostPort {
  const lower = text.trim().toLowerCase();
  const split = splitHostPort(lower);
  if (split) return split;
  // No port: the whole is the host (brackets of an IPv6 literal dropped, as with a port).
  return { host: lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower, port: undefined };
}

/**
 * Whether `registry` (`host[:port]` as in a pull spec) is matched by the entry `pattern`; with
 * `anyPort`, an entry without a port matches every port.
 */
export function registryMatches(pattern: string, registry: string, anyPort = false): boolean {
  const p = hostPortOf(pattern);
  const r = hostPortOf(registry);
  if (p.port !== r.port && !(anyPort && p.port === undefined)) return false;
  if (p.host.startsWith('*.')) return r.host.endsWith(p.host.slice(1));
  return p.host === r.host;
}

const anyMatch = (entries: readonly string[] | undefined, registry: string, anyPort = false): boolean =>
  !!entries?.some((e) => registryMatches(e, registry, anyPort));

/** Why imports from `registry` (defaulted) are refused, or undefined when they are permitted. */
export function registryRefusal(registry: string, sources: RegistrySources): 'blocked' | 'not allowed' | undefined {
  if (sources.allowed && sources.allowed.length > 0 && !anyMatch(sources.allowed, registry, true)) return 'not allowed';
  if (anyMatch(sources.blocked, registry)) return 'blocked';
  return undefined;
}

/** Whether `registry` is configured as insecure. */
export const registryInsecure = (registry: string, sources: RegistrySources): boolean => anyMatch(sources.insecure, registry);
