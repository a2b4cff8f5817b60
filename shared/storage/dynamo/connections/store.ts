/**
 * @module connections/store
 * The subscription store on DynamoDB (layout: table.ts). Every state change is
 * one conditional `UpdateItem`; a failed condition comes back with the row as it was
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), so deciding what happened costs no
 * extra read. Reads are strongly consistent. No DynamoDB type leaves this file.
 */
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  shardOf,
  type AcquireResult,
  type ConnectionRef,
  type PartitionRef,
  type ReleaseResult,
  type Subscription,
  type SubscriptionKey,
  type SubscriptionState,
  type SubscriptionStore,
} from '../../../watch/subscription.js';
import { CONN_ATTR as A, CONNECTION_SHARDS, connectionKeys } from './table.js';

type Item = Record<string, AttributeValue>;

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });
const BOOL = (b: boolean): AttributeValue => ({ BOOL: b });
const num = (v: AttributeValue | undefined): number | undefined => (v?.N === undefined ? undefined : Number(v.N));
const str = (v: AttributeValue | undefined): string | undefined => v?.S;

/** Rows live a day past their last use; connection rows die with the connection (2 h + slack). */
const PARTITION_TTL_SECONDS = 24 * 3600;

export interface DynamoConnectionStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly now?: () => number;
}

const subKey = (k: SubscriptionKey): Item => ({ [A.pk]: S(connectionKeys.subscriptionPartition(k)), [A.sk]: S(k.connectionId) });
const connKey = (connectionId: string): Item => ({
  [A.pk]: S(connectionKeys.connectionPartition(shardOf(connectionId, CONNECTION_SHARDS))),
  [A.sk]: S(connectionId),
});
const partKey = (p: PartitionRef): Item => {
  const k = connectionKeys.partition(p);
  return { [A.pk]: S(k.pk), [A.sk]: S(k.sk) };
};

function splitPartition(sp: string): PartitionRef {
  const i = sp.lastIndexOf('#');
  return { resource: sp.slice(0, i), scope: sp.slice(i + 1) };
}

export function subscriptionToItem(s: Subscription): Item {
  const item: Item = {
    ...subKey(s),
    [A.resource]: S(s.resource),
    [A.scope]: S(s.scope),
    [A.labelSelector]: S(s.labelSelector),
    [A.fieldSelector]: S(s.fieldSelector),
    [A.allowBookmarks]: BOOL(s.allowBookmarks),
    [A.initial]: BOOL(s.initial),
    [A.state]: S(s.state),
    [A.connectedAt]: N(s.connectedAt),
    [A.expires]: N(s.expiresAt),
  };
  if (s.namespace !== undefined) item[A.namespace] = S(s.namespace);
  if (s.sendInitialEvents !== undefined) item[A.sendInitialEvents] = BOOL(s.sendInitialEvents);
  if (s.requestedResourceVersion !== undefined) item[A.requestedResourceVersion] = S(s.requestedResourceVersion);
  if (s.cursor !== undefined) item[A.cursor] = N(s.cursor);
  if (s.owner !== undefined) item[A.owner] = S(s.owner);
  if (s.leaseUntil !== undefined) item[A.leaseUntil] = N(s.leaseUntil);
  if (s.want !== undefined) item[A.want] = N(s.want);
  if (s.deadline !== undefined) item[A.deadline] = N(s.deadline);
  if (s.user !== undefined) item[A.user] = S(s.user);
  return item;
}

export function subscriptionFromItem(it: Item): Subscription {
  const opt = <K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } => (v === undefined ? {} : ({ [k]: v } as { [P in K]?: V }));
  return {
    resource: str(it[A.resource]) ?? '',
    scope: str(it[A.scope]) ?? '',
    connectionId: str(it[A.sk]) ?? '',
    labelSelector: str(it[A.labelSelector]) ?? '',
    fieldSelector: str(it[A.fieldSelector]) ?? '',
    allowBookmarks: it[A.allowBookmarks]?.BOOL ?? false,
    initial: it[A.initial]?.BOOL ?? false,
    state: (str(it[A.state]) ?? 'pending') as SubscriptionState,
    connectedAt: num(it[A.connectedAt]) ?? 0,
    expiresAt: num(it[A.expires]) ?? 0,
    ...opt('namespace', str(it[A.namespace])),
    ...opt('sendInitialEvents', it[A.sendInitialEvents]?.BOOL),
    ...opt('requestedResourceVersion', str(it[A.requestedResourceVersion])),
    ...opt('cursor', num(it[A.cursor])),
    ...opt('owner', str(it[A.owner])),
    ...opt('leaseUntil', num(it[A.leaseUntil])),
    ...opt('want', num(it[A.want])),
    ...opt('deadline', num(it[A.deadline])),
    ...opt('user', str(it[A.user])),
  };
}

export class DynamoConnectionStore implements SubscriptionStore {
  readonly connectionShards = CONNECTION_SHARDS;
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #now: () => number;

  constructor(opts: DynamoConnectionStoreOptions) {
    this.#client = opts.client;
    this.#table = opts.tableName;
    this.#now = opts.now ?? Date.now;
  }

  /** A conditional update: the new row, or `{ failed, old }` when the condition did not hold. */
  async #update(input: Omit<UpdateItemCommandInput, 'TableName' | 'ReturnValues' | 'ReturnValuesOnConditionCheckFailure'>): Promise<{ ok: true; item: Item } | { ok: false; old: Item | undefined }> {
    try {
      const out = await this.#client.send(
        new UpdateItemCommand({ ...input, TableName: this.#table, ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      return { ok: true, item: out.Attributes ?? {} };
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return { ok: false, old: e.Item };
      throw e;
    }
  }

  async create(sub: Subscription): Promise<void> {
    await this.#client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: this.#table, Item: subscriptionToItem(sub) } },
          {
            Put: {
              TableName: this.#table,
              Item: {
                ...connKey(sub.connectionId),
                [A.subscriptionPartition]: S(`${sub.resource}#${sub.scope}`),
                [A.connectedAt]: N(sub.connectedAt),
                [A.expires]: N(sub.expiresAt),
              },
            },
          },
        ],
      }),
    );
  }

  async get(key: SubscriptionKey): Promise<Subscription | undefined> {
    const out = await this.#client.send(new GetItemCommand({ TableName: this.#table, Key: subKey(key), ConsistentRead: true }));
    return out.Item ? subscriptionFromItem(out.Item) : undefined;
  }

  async #connection(connectionId: string): Promise<PartitionRef | undefined> {
    const out = await this.#client.send(new GetItemCommand({ TableName: this.#table, Key: connKey(connectionId), ConsistentRead: true }));
    const sp = str(out.Item?.[A.subscriptionPartition]);
    return sp === undefined ? undefined : splitPartition(sp);
  }

  async byConnection(connectionId: string): Promise<Subscription | undefined> {
    const p = await this.#connection(connectionId);
    return p ? this.get({ ...p, connectionId }) : undefined;
  }

  async remove(connectionId: string, key?: SubscriptionKey): Promise<void> {
    const p = key ?? (await this.#connection(connectionId));
    await Promise.all([
      p ? this.#client.send(new DeleteItemCommand({ TableName: this.#table, Key: subKey({ ...p, connectionId }) })) : undefined,
      this.#client.send(new DeleteItemCommand({ TableName: this.#table, Key: connKey(connectionId) })),
    ]);
  }

  async #query(pk: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': A.pk },
          ExpressionAttributeValues: { ':pk': S(pk) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async partition(ref: PartitionRef): Promise<Subscription[]> {
    return (await this.#query(connectionKeys.subscriptionPartition(ref))).map(subscriptionFromItem);
  }

  async hasSubscribers(ref: PartitionRef): Promise<boolean> {
    const out = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': A.pk },
        ExpressionAttributeValues: { ':pk': S(connectionKeys.subscriptionPartition(ref)) },
        ProjectionExpression: '#pk',
        ConsistentRead: true,
        Limit: 1,
      }),
    );
    return (out.Items?.length ?? 0) > 0;
  }

  async connections(shard: number): Promise<ConnectionRef[]> {
    return (await this.#query(connectionKeys.connectionPartition(shard))).map((it) => ({
      connectionId: str(it[A.sk]) ?? '',
      partition: splitPartition(str(it[A.subscriptionPartition]) ?? '#'),
      connectedAt: num(it[A.connectedAt]) ?? 0,
    }));
  }

  // ---- partition lease ------------------------------------------------------------------

  async acquirePartition(ref: PartitionRef, owner: string, opts: { now: number; leaseMs: number; target: number; force: boolean }): Promise<AcquireResult> {
    const res = await this.#update({
      Key: partKey(ref),
      UpdateExpression: 'SET #own = :o, #lse = :until, #ttl = :ttl',
      ConditionExpression:
        '(attribute_not_exists(#lse) OR #lse < :now)' + (opts.force ? '' : ' AND (attribute_not_exists(#pc) OR #pc < :t OR #str = :true)'),
      ExpressionAttributeNames: {
        '#own': A.owner,
        '#lse': A.leaseUntil,
        '#ttl': A.expires,
        ...(opts.force ? {} : { '#pc': A.groupCursor, '#str': A.stragglers }),
      },
      ExpressionAttributeValues: {
        ':o': S(owner),
        ':until': N(opts.now + opts.leaseMs),
        ':now': N(opts.now),
        ':ttl': N(Math.floor(opts.now / 1000) + PARTITION_TTL_SECONDS),
        ...(opts.force ? {} : { ':t': N(opts.target), ':true': BOOL(true) }),
      },
    });
    if (res.ok) return { kind: 'acquired', cursor: num(res.item[A.groupCursor]), want: num(res.item[A.want]), changes: num(res.item[A.changes]) ?? 0 };
    const lease = num(res.old?.[A.leaseUntil]);
    return lease !== undefined && lease >= opts.now ? { kind: 'busy' } : { kind: 'current' };
  }

  async demandPartition(ref: PartitionRef, target: number, now: number): Promise<'registered' | 'free'> {
    const res = await this.#update({
      Key: partKey(ref),
      UpdateExpression: 'SET #want = :t',
      ConditionExpression: 'attribute_exists(#pk) AND #lse >= :now AND (attribute_not_exists(#want) OR #want < :t)',
      ExpressionAttributeNames: { '#pk': A.pk, '#want': A.want, '#lse': A.leaseUntil },
      ExpressionAttributeValues: { ':t': N(target), ':now': N(now) },
    });
    if (res.ok) return 'registered';
    const lease = num(res.old?.[A.leaseUntil]);
    return lease !== undefined && lease >= now ? 'registered' : 'free';
  }

  async releasePartition(ref: PartitionRef, owner: string, cursor: number, stragglers: boolean, changes: number): Promise<ReleaseResult> {
    const res = await this.#update({
      Key: partKey(ref),
      UpdateExpression: `SET #pc = :pc, #ttl = :ttl${stragglers ? ', #str = :true' : ''} REMOVE #own, #lse, #want${stragglers ? '' : ', #str'}`,
      ConditionExpression: '#own = :o AND (attribute_not_exists(#want) OR #want <= :pc) AND ' + (changes === 0 ? '(attribute_not_exists(#chg) OR #chg = :chg)' : '#chg = :chg'),
      ExpressionAttributeNames: {
        '#pc': A.groupCursor,
        '#ttl': A.expires,
        '#str': A.stragglers,
        '#own': A.owner,
        '#lse': A.leaseUntil,
        '#want': A.want,
        '#chg': A.changes,
      },
      ExpressionAttributeValues: {
        ':pc': N(cursor),
        ':o': S(owner),
        ':chg': N(changes),
        ':ttl': N(Math.floor(this.#now() / 1000) + PARTITION_TTL_SECONDS),
        ...(stragglers ? { ':true': BOOL(true) } : {}),
      },
    });
    if (res.ok) return { kind: 'released' };
    if (str(res.old?.[A.owner]) !== owner) return { kind: 'lost' };
    return { kind: 'more', want: Math.max(num(res.old?.[A.want]) ?? cursor, cursor), changes: num(res.old?.[A.changes]) ?? 0 };
  }

  async touchPartition(ref: PartitionRef, now: number): Promise<void> {
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: partKey(ref),
        UpdateExpression: 'ADD #chg :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#chg': A.changes, '#ttl': A.expires },
        ExpressionAttributeValues: { ':one': N(1), ':ttl': N(Math.floor(now / 1000) + PARTITION_TTL_SECONDS) },
      }),
    );
  }

  async abandonPartition(ref: PartitionRef, owner: string): Promise<void> {
    await this.#update({
      Key: partKey(ref),
      UpdateExpression: 'REMOVE #own, #lse',
      ConditionExpression: '#own = :o',
      ExpressionAttributeNames: { '#own': A.owner, '#lse': A.leaseUntil },
      ExpressionAttributeValues: { ':o': S(owner) },
    });
  }

  // ---- pending subscriptions (the replay) -----------------------------------------------

  async claimPending(key: SubscriptionKey, owner: string, now: number, leaseMs: number): Promise<Subscription | undefined> {
    const res = await this.#update({
      Key: subKey(key),
      UpdateExpression: 'SET #own = :o, #lse = :until',
      ConditionExpression: 'attribute_exists(#pk) AND #st = :pending AND (attribute_not_exists(#lse) OR #lse < :now)',
      ExpressionAttributeNames: { '#pk': A.pk, '#own': A.owner, '#lse': A.leaseUntil, '#st': A.state },
      ExpressionAttributeValues: { ':o': S(owner), ':until': N(now + leaseMs), ':now': N(now), ':pending': S('pending') },
    });
    return res.ok ? subscriptionFromItem(res.item) : undefined;
  }

  async progressPending(key: SubscriptionKey, owner: string, cursor: number, now: number, leaseMs: number): Promise<boolean> {
    const res = await this.#update({
      Key: subKey(key),
      UpdateExpression: 'SET #cur = :c, #lse = :until',
      ConditionExpression: '#own = :o',
      ExpressionAttributeNames: { '#cur': A.cursor, '#lse': A.leaseUntil, '#own': A.owner },
      ExpressionAttributeValues: { ':c': N(cursor), ':until': N(now + leaseMs), ':o': S(owner) },
    });
    return res.ok;
  }

  async releasePending(key: SubscriptionKey, owner: string, cursor: number): Promise<ReleaseResult> {
    const res = await this.#update({
      Key: subKey(key),
      UpdateExpression: 'SET #st = :live, #cur = :c REMOVE #own, #lse, #want',
      ConditionExpression: '#own = :o AND (attribute_not_exists(#want) OR #want <= :c)',
      ExpressionAttributeNames: { '#st': A.state, '#cur': A.cursor, '#own': A.owner, '#lse': A.leaseUntil, '#want': A.want },
      ExpressionAttributeValues: { ':live': S('live'), ':c': N(cursor), ':o': S(owner) },
    });
    if (res.ok) return { kind: 'released' };
    if (!res.old || str(res.old[A.owner]) !== owner) return { kind: 'lost' };
    return { kind: 'more', want: num(res.old[A.want]) ?? cursor };
  }

  async joinFromPending(key: SubscriptionKey, owner: string, cursor: number, now: number): Promise<ReleaseResult | { readonly kind: 'not-joined' }> {
    try {
      await this.#client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.#table,
                Key: partKey(key),
                UpdateExpression: 'SET #pc = :c, #ttl = :ttl',
                ConditionExpression: '(attribute_not_exists(#pc) OR #pc = :c) AND (attribute_not_exists(#lse) OR #lse < :now)',
                ExpressionAttributeNames: { '#pc': A.groupCursor, '#ttl': A.expires, '#lse': A.leaseUntil },
                ExpressionAttributeValues: { ':c': N(cursor), ':now': N(now), ':ttl': N(Math.floor(now / 1000) + PARTITION_TTL_SECONDS) },
              },
            },
            {
              Update: {
                TableName: this.#table,
                Key: subKey(key),
                UpdateExpression: 'SET #st = :group REMOVE #own, #lse, #want, #cur',
                ConditionExpression: '#own = :o AND (attribute_not_exists(#want) OR #want <= :c)',
                ExpressionAttributeNames: { '#st': A.state, '#own': A.owner, '#lse': A.leaseUntil, '#want': A.want, '#cur': A.cursor },
                ExpressionAttributeValues: { ':group': S('group'), ':o': S(owner), ':c': N(cursor) },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        }),
      );
      return { kind: 'released' };
    } catch (e) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const [partition, sub] = e.CancellationReasons ?? [];
      if (sub?.Code === 'ConditionalCheckFailed') {
        if (!sub.Item || str(sub.Item[A.owner]) !== owner) return { kind: 'lost' };
        return { kind: 'more', want: num(sub.Item[A.want]) ?? cursor };
      }
      if (partition?.Code === 'ConditionalCheckFailed' || partition?.Code === 'TransactionConflict' || sub?.Code === 'TransactionConflict') return { kind: 'not-joined' };
      throw e;
    }
  }

  async demandPending(key: SubscriptionKey, target: number): Promise<'registered' | 'not-pending' | 'gone'> {
    const res = await this.#update({
      Key: subKey(key),
      UpdateExpression: 'SET #want = :t',
      ConditionExpression: 'attribute_exists(#pk) AND #st = :pending AND (attribute_not_exists(#want) OR #want < :t)',
      ExpressionAttributeNames: { '#pk': A.pk, '#want': A.want, '#st': A.state },
      ExpressionAttributeValues: { ':t': N(target), ':pending': S('pending') },
    });
    if (res.ok) return 'registered';
    if (!res.old) return 'gone';
    return str(res.old[A.state]) === 'pending' ? 'registered' : 'not-pending';
  }

  async unclaimPending(key: SubscriptionKey, owner: string): Promise<void> {
    await this.#update({
      Key: subKey(key),
      UpdateExpression: 'REMOVE #own, #lse',
      ConditionExpression: '#own = :o',
      ExpressionAttributeNames: { '#own': A.owner, '#lse': A.leaseUntil },
      ExpressionAttributeValues: { ':o': S(owner) },
    });
  }

  // ---- live subscriptions (partition holder only) ---------------------------------------

  async joinGroup(key: SubscriptionKey, from: number): Promise<boolean> {
    return (
      await this.#update({
        Key: subKey(key),
        UpdateExpression: 'SET #st = :group REMOVE #cur',
        ConditionExpression: '#st = :live AND #cur = :from',
        ExpressionAttributeNames: { '#st': A.state, '#cur': A.cursor },
        ExpressionAttributeValues: { ':group': S('group'), ':live': S('live'), ':from': N(from) },
      })
    ).ok;
  }

  async leaveGroup(key: SubscriptionKey, cursor: number): Promise<boolean> {
    return (
      await this.#update({
        Key: subKey(key),
        UpdateExpression: 'SET #st = :live, #cur = :c',
        ConditionExpression: '#st = :group',
        ExpressionAttributeNames: { '#st': A.state, '#cur': A.cursor },
        ExpressionAttributeValues: { ':group': S('group'), ':live': S('live'), ':c': N(cursor) },
      })
    ).ok;
  }

  async setCursor(key: SubscriptionKey, from: number, to: number): Promise<boolean> {
    return (
      await this.#update({
        Key: subKey(key),
        UpdateExpression: 'SET #cur = :to',
        ConditionExpression: '#st = :live AND #cur = :from',
        ExpressionAttributeNames: { '#st': A.state, '#cur': A.cursor },
        ExpressionAttributeValues: { ':live': S('live'), ':from': N(from), ':to': N(to) },
      })
    ).ok;
  }
}

/**
 * A store from the configuration alone, without the App (the `$disconnect` function needs
 * nothing else, so its bundle stays small).
 */
export function connectionStoreFromConfig(config: { readonly region: string; readonly dynamodbEndpoint: string | undefined; readonly connectionsTableName: string }): DynamoConnectionStore {
  const local = config.dynamodbEndpoint !== undefined;
  const client = new DynamoDBClient({
    region: config.region,
    ...(local ? { endpoint: config.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true }),
      httpsAgent: new Agent({ keepAlive: true }),
      connectionTimeout: 3000,
      requestTimeout: 10000,
    }),
  });
  return new DynamoConnectionStore({ client, tableName: config.connectionsTableName });
}
