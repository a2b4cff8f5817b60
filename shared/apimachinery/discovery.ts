/**
 * @module discovery
 * Discovery documents built from resource definitions and the verbs the route table serves:
 * aggregated (`apidiscovery.k8s.io` v2 / v2beta1) and legacy (`APIGroupList`, `APIGroup`,
 * `APIResourceList`, `APIVersions`), plus `/version`.
 */
import { groupVersionOf, type ResourceDefinition } from './resource.js';

export interface ServedResource {
  readonly def: ResourceDefinition;
  /** Verbs of the resource itself. */
  readonly verbs: readonly string[];
  /** Verbs per subresource. */
  readonly subresources: Readonly<Record<string, readonly string[]>>;
}

export const AGGREGATED_CONTENT_TYPE = (version: 'v2' | 'v2beta1'): string =>
  `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;

interface GroupInfo {
  name: string;
  versions: string[];
}

function groupsOf(resources: readonly ServedResource[], core = false): GroupInfo[] {
  const groups = new Map<string, GroupInfo>();
  for (const r of resources) {
    if ((r.def.group === '') !== core) continue;
    const g = groups.get(r.def.group) ?? { name: r.def.group, versions: [] };
    if (!g.versions.includes(r.def.version)) g.versions.push(r.def.version);
    groups.set(r.def.group, g);
  }
  return [...groups.values()];
}

/** Aggregated discovery for the named groups (`/apis`), or the core group when `core` (`/api`). */
export function aggregatedDiscovery(resources: readonly ServedResource[], version: 'v2' | 'v2beta1', core: boolean): object {
  const items = groupsOf(resources, core).map((g) => ({
    metadata: g.name === '' ? { creationTimestamp: null } : { name: g.name, creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      resources: resources
        .filter((r) => r.def.group === g.name && r.def.version === v)
        .map((r) => {
          const responseKind = { group: r.def.group, version: r.def.version, kind: r.def.kind };
          return {
            resource: r.def.plural,
            responseKind,
            scope: r.def.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: r.def.singular,
            verbs: r.verbs,
            ...(r.def.shortNames.length > 0 ? { shortNames: r.def.shortNames } : {}),
            ...(r.def.categories.length > 0 ? { categories: r.def.categories } : {}),
            ...(Object.keys(r.subresources).length > 0
              ? {
                  subresources: Object.entries(r.subresources).map(([sub, verbs]) => ({
                    subresource: sub,
                    responseKind,
                    verbs,
                  })),
                }
              : {}),
          };
        }),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** Legacy `/api`: the core versions served (none unless a core resource is). */
export function legacyApiVersions(resources: readonly ServedResource[]): object {
  const versions = groupsOf(resources, true).flatMap((g) => g.versions);
  return { kind: 'APIVersions', versions, serverAddressByClientCIDRs: [] };
}

function groupDoc(g: GroupInfo): object {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

export function legacyGroupList(resources: readonly ServedResource[]): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupsOf(resources).map(groupDoc) };
}

export function legacyGroup(resources: readonly ServedResource[], group: string): object | undefined {
  const g = groupsOf(resources).find((x) => x.name === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) } : undefined;
}

export function legacyResourceList(resources: readonly ServedResource[], group: string, version: string): object | undefined {
  const served = resources.filter((r) => r.def.group === group && r.def.version === version);
  if (served.length === 0) return undefined;
  const list: object[] = [];
  for (const r of served) {
    list.push({
      name: r.def.plural,
      singularName: r.def.singular,
      namespaced: r.def.namespaced,
      kind: r.def.kind,
      verbs: r.verbs,
      ...(r.def.shortNames.length > 0 ? { shortNames: r.def.shortNames } : {}),
      ...(r.def.categories.length > 0 ? { categories: r.def.categories } : {}),
    });
    for (const [sub, verbs] of Object.entries(r.subresources)) {
      list.push({ name: `${r.def.plural}/${sub}`, singularName: '', namespaced: r.def.namespaced, kind: r.def.kind, verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersionOf({ group, version }), resources: list };
}

/** The Kubernetes level this server emulates (OpenShift 4.19 ⇒ 1.32). */
export function versionInfo(): object {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.4',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-26T00:00:00Z',
    goVersion: 'go1.23.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
