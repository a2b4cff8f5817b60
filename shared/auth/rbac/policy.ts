/**
 * @module policy
 * The RBAC authorizer (upstream `plugin/pkg/auth/authorizer/rbac`): ClusterRoleBindings,
 * then the RoleBindings of the request's namespace, each resolved to its role's rules, are
 * visited until one rule allows the request. Members of `system:masters` are allowed
 * everything without evaluation.
 *
 * Built-in roles and bindings (`shared/rbac/bootstrap-policy.ts`) are evaluated from code,
 * first and without I/O (so discovery needs no storage). Stored objects are read through a
 * `PolicyReader` and kept for `cacheMs` (a few seconds): cluster policy as one snapshot,
 * namespace policy per namespace; `invalidate()` drops everything (called when this
 * process commits an RBAC change). Concurrent misses share one load.
 */
import { goQuote } from '../../apimachinery/go-format.js';
import type { UserInfo } from '../../apimachinery/user.js';
import { effectiveClusterRoleRules } from '../../rbac/aggregation.js';
import { BUILTIN_CLUSTER_ROLE_BINDINGS, BUILTIN_CLUSTER_ROLES, SYSTEM_MASTERS } from '../../rbac/bootstrap-policy.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from '../../rbac/types.js';
import { appliesTo, ruleAllows, type RequestAttributes } from './rules.js';

/** Stored RBAC objects (built-ins excluded). */
export interface PolicyReader {
  clusterRoles(): Promise<readonly ClusterRole[]>;
  clusterRoleBindings(): Promise<readonly ClusterRoleBinding[]>;
  roles(namespace: string): Promise<readonly Role[]>;
  roleBindings(namespace: string): Promise<readonly RoleBinding[]>;
}

export interface Decision {
  readonly allowed: boolean;
  /** Why (`RBAC: allowed by …`), or the resolution errors of a denial (`RBAC: …`); may be empty. */
  readonly reason: string;
}

interface ResolvedBinding {
  readonly kind: 'ClusterRoleBinding' | 'RoleBinding';
  readonly name: string;
  /** The binding's namespace ('' for ClusterRoleBindings). */
  readonly namespace: string;
  readonly roleRef: RoleRef;
  readonly subjects: readonly Subject[];
  readonly rules: readonly PolicyRule[];
  /** The role could not be found (`clusterrole.rbac.authorization.k8s.io "x" not found`). */
  readonly error?: string;
}

interface ClusterPolicy {
  readonly roles: ReadonlyMap<string, readonly PolicyRule[]>;
  readonly bindings: readonly ResolvedBinding[];
}

interface NamespacePolicy {
  readonly roles: ReadonlyMap<string, readonly PolicyRule[]>;
  readonly bindings: readonly ResolvedBinding[];
}

const notFoundText = (kind: string, name: string): string => `${kind.toLowerCase()}.rbac.authorization.k8s.io ${goQuote(name)} not found`;

function resolve(
  kind: ResolvedBinding['kind'],
  b: RoleBinding,
  clusterRoles: ReadonlyMap<string, readonly PolicyRule[]>,
  roles: ReadonlyMap<string, readonly PolicyRule[]>,
): ResolvedBinding {
  const ref = b.roleRef;
  const table = ref.kind === 'ClusterRole' ? clusterRoles : ref.kind === 'Role' && kind === 'RoleBinding' ? roles : undefined;
  const rules = table?.get(ref.name);
  return {
    kind,
    name: b.metadata.name ?? '',
    namespace: kind === 'RoleBinding' ? (b.metadata.namespace ?? '') : '',
    roleRef: ref,
    subjects: b.subjects ?? [],
    rules: rules ?? [],
    ...(rules === undefined ? { error: table ? notFoundText(ref.kind, ref.name) : `unsupported role reference kind: ${goQuote(ref.kind)}` } : {}),
  };
}

/** `describeSubject` of upstream's visitor sources. */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${goQuote(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${goQuote(s.name)}`;
}

function describe(b: ResolvedBinding, s: Subject): string {
  const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} ${goQuote(name)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${describeSubject(s, b.namespace)}`;
}

const BUILTIN_ROLE_RULES: ReadonlyMap<string, readonly PolicyRule[]> = effectiveClusterRoleRules(BUILTIN_CLUSTER_ROLES);
const BUILTIN_BINDINGS: readonly ResolvedBinding[] = BUILTIN_CLUSTER_ROLE_BINDINGS.map((b) => resolve('ClusterRoleBinding', b, BUILTIN_ROLE_RULES, new Map()));

interface Entry<V> {
  readonly expires: number;
  readonly value: Promise<V>;
}

/** A small TTL cache whose concurrent misses share one load; failed loads are not kept. */
class TtlCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 4096,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    const now = this.now();
    if (hit && hit.expires > now) return hit.value;
    const value = load();
    const entry = { expires: now + this.ttlMs, value };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return value;
  }

  clear(): void {
    this.#entries.clear();
  }
}

export interface RbacAuthorizerOptions {
  readonly reader: PolicyReader;
  /** How long stored policy is reused (default 2000 ms). */
  readonly cacheMs?: number;
  readonly now?: () => number;
}

export class RbacAuthorizer {
  readonly #reader: PolicyReader;
  readonly #cluster: TtlCache<ClusterPolicy>;
  readonly #namespaces: TtlCache<NamespacePolicy>;

  constructor(opts: RbacAuthorizerOptions) {
    this.#reader = opts.reader;
    const now = opts.now ?? Date.now;
    this.#cluster = new TtlCache(opts.cacheMs ?? 2000, now, 1);
    this.#namespaces = new TtlCache(opts.cacheMs ?? 2000, now);
  }

  /** Forget cached stored policy (after a local RBAC write). */
  invalidate(): void {
    this.#cluster.clear();
    this.#namespaces.clear();
  }

  #clusterPolicy(): Promise<ClusterPolicy> {
    return this.#cluster.get('', async () => {
      const [stored, bindings] = await Promise.all([this.#reader.clusterRoles(), this.#reader.clusterRoleBindings()]);
      // Built-in names always mean the built-in role.
      const builtinNames = new Set(BUILTIN_CLUSTER_ROLES.map((r) => r.metadata.name ?? ''));
      const all = [...BUILTIN_CLUSTER_ROLES, ...stored.filter((r) => !builtinNames.has(r.metadata.name ?? ''))];
      const roles = effectiveClusterRoleRules(all);
      return { roles, bindings: bindings.map((b) => resolve('ClusterRoleBinding', b, roles, new Map())) };
    });
  }

  #namespacePolicy(namespace: string): Promise<NamespacePolicy> {
    return this.#namespaces.get(namespace, async () => {
      const [cluster, roleList, bindings] = await Promise.all([this.#clusterPolicy(), this.#reader.roles(namespace), this.#reader.roleBindings(namespace)]);
      const roles = new Map(roleList.map((r) => [r.metadata.name ?? '', r.rules ?? []] as const));
      return { roles, bindings: bindings.map((b) => resolve('RoleBinding', b, cluster.roles, roles)) };
    });
  }

  /** Visits the bindings that apply to `user`; returns the allowing source, collecting resolution errors. */
  static #visit(user: UserInfo, attrs: RequestAttributes, bindings: readonly ResolvedBinding[], errors: string[]): string | undefined {
    for (const b of bindings) {
      const subject = appliesTo(user, b.subjects, b.namespace);
      if (subject === undefined) continue;
      if (b.error !== undefined) errors.push(b.error);
      for (const rule of b.rules) if (ruleAllows(attrs, rule)) return describe(b, subject);
    }
    return undefined;
  }

  async authorize(user: UserInfo, attrs: RequestAttributes): Promise<Decision> {
    if (user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
    const errors: string[] = [];
    const allow = (source: string): Decision => ({ allowed: true, reason: `RBAC: allowed by ${source}` });
    const builtin = RbacAuthorizer.#visit(user, attrs, BUILTIN_BINDINGS, errors);
    if (builtin !== undefined) return allow(builtin);
    const cluster = RbacAuthorizer.#visit(user, attrs, (await this.#clusterPolicy()).bindings, errors);
    if (cluster !== undefined) return allow(cluster);
    const namespace = attrs.resourceRequest ? attrs.namespace : '';
    if (namespace !== '') {
      const local = RbacAuthorizer.#visit(user, attrs, (await this.#namespacePolicy(namespace)).bindings, errors);
      if (local !== undefined) return allow(local);
    }
    return { allowed: false, reason: errors.length === 0 ? '' : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` };
  }

  /**
   * `RulesFor`: every rule granted to `user` in `namespace` (cluster-wide ones included, unless
   * `scope` is `namespace`: then only the namespace's RoleBindings count), with resolution errors.
   */
  async rulesFor(user: UserInfo, namespace: string, scope: 'all' | 'namespace' = 'all'): Promise<{ rules: PolicyRule[]; errors: string[] }> {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    const collect = (bindings: readonly ResolvedBinding[]) => {
      for (const b of bindings) {
        if (appliesTo(user, b.subjects, b.namespace) === undefined) continue;
        if (b.error !== undefined) errors.push(b.error);
        rules.push(...b.rules);
      }
    };
    if (scope === 'all') {
      collect(BUILTIN_BINDINGS);
      collect((await this.#clusterPolicy()).bindings);
    }
    if (namespace !== '') collect((await this.#namespacePolicy(namespace)).bindings);
    return { rules, errors };
  }

  /** `GetRoleReferenceRules`: the rules a role reference grants, or undefined when the role does not exist. */
  async roleRefRules(ref: RoleRef, namespace: string): Promise<readonly PolicyRule[] | undefined> {
    if (ref.kind === 'ClusterRole') return (await this.#clusterPolicy()).roles.get(ref.name);
    if (ref.kind === 'Role' && namespace !== '') return (await this.#namespacePolicy(namespace)).roles.get(ref.name);
    return undefined;
  }
}
