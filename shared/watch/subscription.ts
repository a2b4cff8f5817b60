/**
 * @module subscription
 * A WebSocket watch as stored in the connections table, and the ports the watch machinery
 * works through (the subscription store, the `@connections` poster, the watched resource).
 *
 * One WebSocket connection carries one watch (as upstream: the watch is the URL). Its
 * subscription lives in the partition of its scope — a namespace, or `*` for an
 * all-namespaces watch — so finding the subscribers of a change is a query of two
 * partitions, never a scan.
 *
 * Delivery state (see docs/design.md, "Watch over WebSocket"):
 * - `pending`: just connected; its replay (initial state, or history from a resourceVersion)
 *   has not finished. Only the replay — which claims it with a lease (`owner`, `leaseUntil`)
 *   — posts to it; anyone else who sees a newer change registers it in `want`.
 * - `live`: replayed, with its own cursor (`cursor`: every matching change up to it has been
 *   posted). The next partition holder catches it up and moves it into the group.
 * - `group`: its cursor is the partition's group cursor. Delivering one change to a group
 *   of N subscribers costs N posts and no per-subscriber write.
 */
import type { KubeObject } from '../apimachinery/meta.js';
import type { ChangeLog } from '../apimachinery/registry/store.js';

export const ALL_NAMESPACES = '*';

export type SubscriptionState = 'pending' | 'live' | 'group';

/** Where a subscription lives: the resource and the namespace (or `*`). */
export interface PartitionRef {
  /** The resource's storage key, as in its event log partition (`imagestreams.image.openshift.io`). */
  readonly resource: string;
  readonly scope: string;
}

export interface SubscriptionKey extends PartitionRef {
  readonly connectionId: string;
}

/** What a client asked for when it connected (parsed from the watch URL). */
export interface WatchRequest {
  /** The resource's storage key. */
  readonly resource: string;
  /** Undefined: all namespaces. */
  readonly namespace?: string;
  readonly labelSelector: string;
  /** Includes `metadata.name=<n>` for the `/watch/…/{name}` paths. */
  readonly fieldSelector: string;
  /** As sent: undefined, `"0"` or a revision. */
  readonly resourceVersion?: string;
  readonly sendInitialEvents?: boolean;
  readonly allowBookmarks: boolean;
  readonly timeoutSeconds?: number;
}

export interface Subscription extends SubscriptionKey {
  readonly namespace?: string;
  readonly labelSelector: string;
  readonly fieldSelector: string;
  readonly allowBookmarks: boolean;
  /** `sendInitialEvents` as sent (the initial-events-end bookmark needs it explicitly true). */
  readonly sendInitialEvents?: boolean;
  /** The watch starts with the current state (synthetic ADDED events). */
  readonly initial: boolean;
  /** The resourceVersion the client asked to start after (for messages). */
  readonly requestedResourceVersion?: string;
  readonly state: SubscriptionState;
  /** `pending` (from a resourceVersion) and `live`: every matching change up to it has been posted. */
  readonly cursor?: number;
  /** Lease of a pending subscription's replay. */
  readonly owner?: string;
  readonly leaseUntil?: number;
  /** The highest revision someone saw while the subscription was pending. */
  readonly want?: number;
  /** Epoch ms at which the watch ends cleanly (timeoutSeconds). */
  readonly deadline?: number;
  /** Epoch ms of `$connect`. */
  readonly connectedAt: number;
  /** Epoch seconds after which the row is garbage (the connection cannot outlive API Gateway's 2 h). */
  readonly expiresAt: number;
  readonly user?: string;
}

export type AcquireResult =
  /** `changes`: the partition's change counter as acquired (see `touchPartition`). */
  | { readonly kind: 'acquired'; readonly cursor: number | undefined; readonly want: number | undefined; readonly changes: number }
  /** Another process holds the partition. */
  | { readonly kind: 'busy' }
  /** The group cursor is already at or past the target and nobody is behind. */
  | { readonly kind: 'current' };

export type ReleaseResult =
  | { readonly kind: 'released' }
  /** Someone registered a newer revision (or touched the partition) meanwhile: another round, then release again. */
  | { readonly kind: 'more'; readonly want: number; readonly changes?: number }
  /** The lease was lost (expired and taken over); stop. */
  | { readonly kind: 'lost' };

export interface ConnectionRef {
  readonly connectionId: string;
  readonly partition: PartitionRef;
  readonly connectedAt: number;
}

/** The connections table (DynamoDB: shared/storage/dynamo/connections/store.ts; memory for tests). */
export interface SubscriptionStore {
  /** Stores a new subscription and its connection index row. */
  create(sub: Subscription): Promise<void>;
  get(key: SubscriptionKey): Promise<Subscription | undefined>;
  byConnection(connectionId: string): Promise<Subscription | undefined>;
  /** Deletes a connection's rows (its subscription when the key is given or found). Idempotent. */
  remove(connectionId: string, key?: SubscriptionKey): Promise<void>;
  /** Every subscription of a partition (consistent, all pages). */
  partition(ref: PartitionRef): Promise<Subscription[]>;
  /** Whether a partition has any subscription (a one-item read). */
  hasSubscribers(ref: PartitionRef): Promise<boolean>;
  /** The connection index is spread over this many partitions (the tick reads them all). */
  readonly connectionShards: number;
  connections(shard: number): Promise<ConnectionRef[]>;

  // The partition lease (one holder delivers to a partition's live subscribers at a time).
  acquirePartition(ref: PartitionRef, owner: string, opts: { now: number; leaseMs: number; target: number; force: boolean }): Promise<AcquireResult>;
  /** Registers `target` with the current holder: `registered`, or `free` when nobody holds the lease. */
  demandPartition(ref: PartitionRef, target: number, now: number): Promise<'registered' | 'free'>;
  /**
   * Sets the group cursor and frees the lease, unless a newer revision was registered or the
   * partition was touched (its change counter is no longer `changes`) meanwhile.
   */
  releasePartition(ref: PartitionRef, owner: string, cursor: number, stragglers: boolean, changes: number): Promise<ReleaseResult>;
  /** Bumps the partition's change counter: a holder that is mid-round must look again before letting go. */
  touchPartition(ref: PartitionRef, now: number): Promise<void>;
  /** Frees the lease without moving the group cursor (after an unexpected failure). */
  abandonPartition(ref: PartitionRef, owner: string): Promise<void>;

  // A pending subscription's replay.
  claimPending(key: SubscriptionKey, owner: string, now: number, leaseMs: number): Promise<Subscription | undefined>;
  /** Records replay progress (and that the initial state was sent); renews the lease. */
  progressPending(key: SubscriptionKey, owner: string, cursor: number, now: number, leaseMs: number): Promise<boolean>;
  /** Makes the subscription `live` at `cursor`, unless a newer revision was registered meanwhile. */
  releasePending(key: SubscriptionKey, owner: string, cursor: number): Promise<ReleaseResult>;
  /**
   * Moves a replayed subscription straight into its partition's group when the group cursor
   * is exactly `cursor` (or the partition has no group yet, which then starts at `cursor`) and
   * nobody holds the partition: both rows change in one transaction. `not-joined` when the
   * partition is elsewhere or busy (then `releasePending` makes it `live`).
   */
  joinFromPending(key: SubscriptionKey, owner: string, cursor: number, now: number): Promise<ReleaseResult | { readonly kind: 'not-joined' }>;
  demandPending(key: SubscriptionKey, target: number): Promise<'registered' | 'not-pending' | 'gone'>;
  /** Gives a claimed pending subscription back (after a failed replay) so a retry can claim it at once. */
  unclaimPending(key: SubscriptionKey, owner: string): Promise<void>;

  // Live subscriptions (only the partition holder calls these).
  joinGroup(key: SubscriptionKey, from: number): Promise<boolean>;
  leaveGroup(key: SubscriptionKey, cursor: number): Promise<boolean>;
  setCursor(key: SubscriptionKey, from: number, to: number): Promise<boolean>;
}

/** API Gateway's `@connections` API. */
export interface ConnectionPoster {
  /** Sends one text message; `gone` when the connection does not exist (410). Throws on other failures. */
  post(connectionId: string, data: Uint8Array): Promise<'ok' | 'gone'>;
  /** Closes a connection from the server side; also resolves when it is already gone. */
  close(connectionId: string): Promise<void>;
}

/** What the watch machinery needs of a served resource. */
export interface WatchedResource {
  readonly log: ChangeLog<KubeObject>;
  currentRevision(): Promise<number>;
  /** A consistent list of a namespace (or all) and its revision. */
  list(namespace: string | undefined): Promise<{ items: KubeObject[]; revision: number }>;
  selectableFields(obj: KubeObject): Record<string, string>;
  /** The object as sent in an event (decorated, with kind and apiVersion). */
  toWire(obj: KubeObject): unknown;
  /** The object of a BOOKMARK event. */
  bookmark(resourceVersion: string, annotations?: Record<string, string>): unknown;
}

export const partitionOf = (k: PartitionRef): PartitionRef => ({ resource: k.resource, scope: k.scope });
export const partitionId = (k: PartitionRef): string => `${k.resource}#${k.scope}`;

/** The connection index shard of a connection id (FNV-1a; stable across processes). */
export function shardOf(connectionId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < connectionId.length; i++) {
    h ^= connectionId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}
