/**
 * @module connections/table
 * The WebSocket watch's connections table: its key layout, physical definition (shared by
 * the CDK stack and the local stack) and creation. Separate from the main table so the
 * fan-out's own writes (cursors, leases) never reach the main table's stream.
 *
 * | item         | pk                              | sk               | attributes |
 * |--------------|---------------------------------|------------------|------------|
 * | subscription | `sub#<resource>#<namespace|*>`  | `<connectionId>` | the watch (`ns`, `ls`, `fs`, `bm`, `sie`, `init`, `rvq`, `dl`), its state (`st`, `cur`, `own`, `lse`, `want`), `ts`, `usr`, `ttl` |
 * | connection   | `conn#<shard 0..15>`            | `<connectionId>` | `sp` (the subscription's partition), `ts`, `ttl` |
 * | partition    | `part#<resource>#<namespace|*>` | `part`           | `pc` (group cursor), `own`, `lse` (lease), `want`, `str` (stragglers), `chg` (change counter), `ttl` |
 *
 * Finding the subscribers of a change is a query of `sub#<resource>#<ns>` and
 * `sub#<resource>#*`; `$disconnect` and GoneException find a subscription through its
 * connection row; the tick reads the 16 connection partitions. Nothing scans.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../table-admin.js';
import type { PartitionRef } from '../../../watch/subscription.js';

export const CONN_ATTR = {
  pk: 'pk',
  sk: 'sk',
  resource: 'res',
  scope: 'sc',
  namespace: 'ns',
  labelSelector: 'ls',
  fieldSelector: 'fs',
  allowBookmarks: 'bm',
  sendInitialEvents: 'sie',
  initial: 'init',
  requestedResourceVersion: 'rvq',
  state: 'st',
  cursor: 'cur',
  owner: 'own',
  leaseUntil: 'lse',
  want: 'want',
  deadline: 'dl',
  connectedAt: 'ts',
  user: 'usr',
  /** TTL (N, epoch seconds). */
  expires: 'ttl',
  /** Connection rows: the subscription's partition, `<resource>#<scope>`. */
  subscriptionPartition: 'sp',
  /** Partition rows: the group cursor. */
  groupCursor: 'pc',
  /** Partition rows: some subscriber fell behind the group. */
  stragglers: 'str',
  /** Partition rows: change counter (bumped when a subscription goes live outside a holder's round). */
  changes: 'chg',
} as const;

export const CONNECTION_SHARDS = 16;

export const connectionKeys = {
  subscriptionPartition: (p: PartitionRef): string => `sub#${p.resource}#${p.scope}`,
  connectionPartition: (shard: number): string => `conn#${shard}`,
  partition: (p: PartitionRef): { pk: string; sk: string } => ({ pk: `part#${p.resource}#${p.scope}`, sk: 'part' }),
};

export const SUBSCRIPTION_PREFIX = 'sub#';

export const CONNECTIONS_TABLE_SPEC = {
  partitionKey: CONN_ATTR.pk,
  sortKey: CONN_ATTR.sk,
  keyType: 'S',
  ttlAttribute: CONN_ATTR.expires,
  /** The fan-out only needs the keys of new subscriptions (it claims them with a conditional update). */
  streamViewType: 'KEYS_ONLY',
} as const;

export async function ensureConnectionsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await ensureTable(client, tableName, CONNECTIONS_TABLE_SPEC);
}
