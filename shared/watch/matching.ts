/**
 * @module matching
 * Which subscriptions a change concerns and what each of them receives. A change in
 * namespace `ns` concerns the partitions `ns` and `*` only; within them the subscription's
 * own filter (namespace, label and field selectors) decides, with the selector transitions
 * of `eventFor` (a change that makes an object match is ADDED, one that makes it stop
 * matching is DELETED).
 */
import { parseFieldSelector } from '../apimachinery/field-selector.js';
import { parseLabelSelector } from '../apimachinery/label-selector.js';
import type { KubeObject } from '../apimachinery/meta.js';
import type { ChangeRecord } from '../apimachinery/registry/store.js';
import { eventFor, type WatchEvent, type WatchFilter } from '../apimachinery/watch.js';
import { ALL_NAMESPACES, type PartitionRef, type Subscription } from './subscription.js';

/** The partitions whose subscribers may care about a change in `namespace`. */
export function partitionsFor(resource: string, namespace: string): PartitionRef[] {
  return [
    { resource, scope: namespace },
    { resource, scope: ALL_NAMESPACES },
  ];
}

/** The partition a watch of `namespace` (undefined: all namespaces) lives in. */
export const scopeOf = (namespace: string | undefined): string => namespace ?? ALL_NAMESPACES;

const labelCache = new Map<string, ReturnType<typeof parseLabelSelector>>();
const fieldCache = new Map<string, ReturnType<typeof parseFieldSelector>>();

function cached<V>(cache: Map<string, V>, key: string, parse: (s: string) => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = parse(key);
    if (cache.size > 10_000) cache.clear();
    cache.set(key, v);
  }
  return v;
}

/** The watch filter of a subscription (selectors were validated at connect). */
export function filterOf(sub: Pick<Subscription, 'namespace' | 'labelSelector' | 'fieldSelector'>, selectableFields: (obj: KubeObject) => Record<string, string>): WatchFilter<KubeObject> {
  return {
    ...(sub.namespace !== undefined ? { namespace: sub.namespace } : {}),
    labels: cached(labelCache, sub.labelSelector, parseLabelSelector),
    fields: cached(fieldCache, sub.fieldSelector, parseFieldSelector),
    selectableFields,
  };
}

/** The event a subscription receives for a change, if any. */
export function eventForSubscription(
  sub: Pick<Subscription, 'namespace' | 'labelSelector' | 'fieldSelector'>,
  change: ChangeRecord<KubeObject>,
  selectableFields: (obj: KubeObject) => Record<string, string>,
): WatchEvent<KubeObject> | undefined {
  return eventFor(filterOf(sub, selectableFields), change);
}

/** Whether an object of the current state belongs in a subscription's initial events. */
export function matchesNow(sub: Pick<Subscription, 'namespace' | 'labelSelector' | 'fieldSelector'>, obj: KubeObject, selectableFields: (obj: KubeObject) => Record<string, string>): boolean {
  return eventFor(filterOf(sub, selectableFields), { type: 'ADDED', revision: 0, object: obj }) !== undefined;
}
