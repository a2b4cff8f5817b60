/**
 * The raw baseline: the DynamoDB calls one API operation needs, made directly with the SDK,
 * with the items the store writes (same key shapes, same encoded bodies, same conditions) —
 * see shared/storage/dynamo/dynamo-store.ts. Each RawStore uses its own resource name, so its
 * revision counter never races the API's (a stale counter would cost the API a retry).
 *
 *   create = TransactWriteItems(counter update + object put + log put + namespace head)
 *   get    = GetItem
 *   list   = Query (the namespace head, which holds the list's revision, and the page)
 *   update = BatchGetItem(object + counter) + TransactWriteItems(counter + object put + log put + head)
 *   delete = BatchGetItem + TransactWriteItems(counter + object delete + log put + head)
 *
 * Only the calls: no decoding of what comes back beyond the SDK's own unmarshalling.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { KubeObject } from '../../shared/apimachinery/meta.js';
import { encodeBody, serializeForStorage, type EncodedBody } from '../../shared/storage/dynamo/item-codec.js';
import { ATTR, isBookkeepingSortKey, keys, type Key } from '../../shared/storage/dynamo/keys.js';

type Item = Record<string, AttributeValue>;
const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });
const keyItem = (k: Key): Item => ({ [ATTR.pk]: S(k.pk), [ATTR.sk]: S(k.sk) });

export const encodeObject = (obj: KubeObject): EncodedBody => encodeBody(serializeForStorage(obj));

/** The object item exactly as the store writes it (inline bodies only). */
export function objectItem(resource: string, obj: KubeObject, rv: number, body: EncodedBody = encodeObject(obj)): Item {
  if (body.chunks.length > 0) throw new Error('objectItem: chunked bodies are not supported');
  return {
    ...keyItem(keys.object(resource, obj.metadata.namespace ?? '', obj.metadata.name ?? '')),
    [ATTR.rv]: N(rv),
    [ATTR.uid]: S(obj.metadata.uid ?? ''),
    [ATTR.enc]: S(body.enc),
    [ATTR.body]: { B: body.bytes },
  };
}

/** Writes items with BatchWriteItem, `concurrency` batches of 25 in flight, unprocessed items retried. */
export async function batchWrite(client: DynamoDBClient, table: string, items: readonly Item[], concurrency = 8): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })));
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        let batch: WriteRequest[] = batches[next++]!;
        for (let attempt = 0; batch.length > 0; attempt++) {
          if (attempt > 20) throw new Error('batchWrite: unprocessed items keep coming back');
          const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
          batch = out.UnprocessedItems?.[table] ?? [];
          if (batch.length > 0) await new Promise((r) => setTimeout(r, 20 * attempt));
        }
      }
    }),
  );
}

interface Held {
  rv: number;
  labels: Record<string, string>;
  uid: string;
  body: EncodedBody;
}

/** Inline body attributes, or the chunk count plus one Put per chunk (as the store splits bodies over 350 KiB). */
function bodyItems(table: string, body: EncodedBody, chunkKey: (i: number) => Key, extra: Item = {}): { inline: Item; chunkPuts: TransactWriteItem[] } {
  if (body.chunks.length === 0) return { inline: { [ATTR.enc]: S(body.enc), [ATTR.body]: { B: body.bytes } }, chunkPuts: [] };
  return {
    inline: { [ATTR.enc]: S(body.enc), [ATTR.chunks]: N(body.chunks.length) },
    chunkPuts: body.chunks.map((c, i) => ({ Put: { TableName: table, Item: { ...keyItem(chunkKey(i)), [ATTR.body]: { B: c }, ...extra } } })),
  };
}

export class RawStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #resource: string;
  readonly #retention = 3600;
  #rev = 0;
  readonly #held = new Map<string, Held>();

  constructor(client: DynamoDBClient, table: string, resource: string) {
    this.#client = client;
    this.#table = table;
    this.#resource = resource;
  }

  #counter(current: number, next: number): TransactWriteItem {
    return {
      Update: {
        TableName: this.#table,
        Key: keyItem(keys.counter(this.#resource)),
        UpdateExpression: 'SET #rev = :next',
        ConditionExpression: current === 0 ? 'attribute_not_exists(#rev)' : '#rev = :cur',
        ExpressionAttributeNames: { '#rev': ATTR.rev },
        ExpressionAttributeValues: current === 0 ? { ':next': N(next) } : { ':next': N(next), ':cur': N(current) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
  }

  #head(ns: string, rev: number): TransactWriteItem {
    return {
      Update: {
        TableName: this.#table,
        Key: keyItem(keys.namespaceHead(this.#resource, ns)),
        UpdateExpression: 'SET #rev = :rev',
        ExpressionAttributeNames: { '#rev': ATTR.rev },
        ExpressionAttributeValues: { ':rev': N(rev) },
      },
    };
  }

  #log(rev: number, type: string, ns: string, name: string, uid: string, body: EncodedBody, previousLabels?: Record<string, string>): TransactWriteItem[] {
    const ttl = N(Math.floor(Date.now() / 1000) + this.#retention);
    const { inline, chunkPuts } = bodyItems(this.#table, body, (i) => keys.logChunk(this.#resource, rev, i), { [ATTR.expires]: ttl });
    const item: Item = {
      ...keyItem(keys.log(this.#resource, rev)),
      [ATTR.type]: S(type),
      [ATTR.namespace]: S(ns),
      [ATTR.name]: S(name),
      [ATTR.rv]: N(rev),
      [ATTR.uid]: S(uid),
      [ATTR.expires]: ttl,
      ...inline,
    };
    if (previousLabels) {
      item[ATTR.prevLabels] = S(JSON.stringify(previousLabels));
      item[ATTR.prevFields] = S(JSON.stringify({ 'metadata.name': name, 'metadata.namespace': ns }));
    }
    return [{ Put: { TableName: this.#table, Item: item } }, ...chunkPuts];
  }

  #put(obj: KubeObject, rev: number, body: EncodedBody, condition: 'absent' | number): TransactWriteItem[] {
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const { inline, chunkPuts } = bodyItems(this.#table, body, (i) => keys.chunk(this.#resource, ns, name, rev, i));
    const put: TransactWriteItem = {
      Put: {
        TableName: this.#table,
        Item: { ...this.#keyOf(ns, name), [ATTR.rv]: N(rev), [ATTR.uid]: S(obj.metadata.uid ?? ''), ...inline },
        ...(condition === 'absent'
          ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': ATTR.pk } }
          : { ConditionExpression: '#rv = :rv', ExpressionAttributeNames: { '#rv': ATTR.rv }, ExpressionAttributeValues: { ':rv': N(condition) } }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
    return [put, ...chunkPuts];
  }

  #chunkDeletes(ns: string, name: string, held: Held): TransactWriteItem[] {
    return held.body.chunks.map((_, i) => ({ Delete: { TableName: this.#table, Key: keyItem(keys.chunk(this.#resource, ns, name, held.rv, i)) } }));
  }

  #keyOf(ns: string, name: string): Item {
    return keyItem(keys.object(this.#resource, ns, name));
  }

  async create(obj: KubeObject): Promise<void> {
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    const uid = obj.metadata.uid ?? '';
    const body = encodeObject(obj);
    const next = this.#rev + 1;
    await this.#client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          this.#counter(this.#rev, next),
          ...this.#put(obj, next, body, 'absent'),
          ...this.#log(next, 'ADDED', ns, name, uid, body),
          this.#head(ns, next),
        ],
      }),
    );
    this.#rev = next;
    this.#held.set(`${ns}/${name}`, { rv: next, labels: obj.metadata.labels ?? {}, uid, body });
  }

  /** GetItem (plus the chunk Query when the body is chunked, as the store reads it). */
  async get(ns: string, name: string): Promise<void> {
    const out = await this.#client.send(new GetItemCommand({ TableName: this.#table, Key: this.#keyOf(ns, name), ConsistentRead: true }));
    if (!out.Item) throw new Error(`raw get: ${ns}/${name} not found`);
    if (out.Item[ATTR.chunks] !== undefined) await this.#chunks(ns, name, Number(out.Item[ATTR.rv]?.N ?? 0));
  }

  async #chunks(ns: string, name: string, rv: number): Promise<void> {
    let start: Item | undefined;
    do {
      const out = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: { ':pk': S(keys.chunkPartition(this.#resource, ns, name)), ':prefix': S(`${rv}#`) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      start = out.LastEvaluatedKey;
    } while (start);
  }

  /** Query of one page: the namespace head and `limit` + 1 objects, as the store asks for. */
  async list(ns: string, limit: number): Promise<number> {
    const out = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
        ExpressionAttributeValues: { ':pk': S(keys.objectPartition(this.#resource)), ':prefix': S(`${ns}/`) },
        ConsistentRead: true,
        Limit: limit + 2,
      }),
    );
    return Math.max(0, (out.Items?.length ?? 0) - 1);
  }

  /** BatchGetItem(object + counter), then the transaction: replaces (update/patch) or deletes. */
  async #write(ns: string, name: string, next: KubeObject | undefined): Promise<void> {
    const key = this.#keyOf(ns, name);
    const read = await this.#client.send(
      new BatchGetItemCommand({ RequestItems: { [this.#table]: { Keys: [key, keyItem(keys.counter(this.#resource))], ConsistentRead: true } } }),
    );
    const held = this.#held.get(`${ns}/${name}`);
    if (!held || (read.Responses?.[this.#table]?.length ?? 0) < 2) throw new Error(`raw write: ${ns}/${name} not found`);
    if (held.body.chunks.length > 0) await this.#chunks(ns, name, held.rv);
    const rev = this.#rev + 1;
    const items: TransactWriteItem[] = [this.#counter(this.#rev, rev)];
    if (next) {
      const body = encodeObject(next);
      items.push(...this.#put(next, rev, body, held.rv), ...this.#log(rev, 'MODIFIED', ns, name, held.uid, body, held.labels));
      this.#held.set(`${ns}/${name}`, { rv: rev, labels: next.metadata.labels ?? {}, uid: held.uid, body });
    } else {
      items.push(
        {
          Delete: {
            TableName: this.#table,
            Key: key,
            ConditionExpression: '#rv = :rv',
            ExpressionAttributeNames: { '#rv': ATTR.rv },
            ExpressionAttributeValues: { ':rv': N(held.rv) },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        // The store logs the deleted object's body.
        ...this.#log(rev, 'DELETED', ns, name, held.uid, held.body),
      );
      this.#held.delete(`${ns}/${name}`);
    }
    items.push(...this.#chunkDeletes(ns, name, held), this.#head(ns, rev));
    await this.#client.send(new TransactWriteItemsCommand({ TransactItems: items }));
    this.#rev = rev;
  }

  update(next: KubeObject): Promise<void> {
    return this.#write(next.metadata.namespace ?? '', next.metadata.name ?? '', next);
  }

  delete(ns: string, name: string): Promise<void> {
    return this.#write(ns, name, undefined);
  }

  /** A plain PutItem of an object item (no counter, no transaction): the raw write rate. */
  async put(obj: KubeObject, body: EncodedBody): Promise<void> {
    await this.#client.send(new PutItemCommand({ TableName: this.#table, Item: objectItem(this.#resource, obj, 1, body) }));
  }

  /** Pages through the objects (of a namespace, or all) with Query `Limit` = `pageSize` + 1, as a paged API list does. */
  async scan(ns: string | undefined, pageSize: number): Promise<{ items: number; calls: number }> {
    let calls = 0;
    let items = 0;
    let start: Item | undefined;
    do {
      const out = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: ns === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: ns === undefined ? { '#pk': ATTR.pk } : { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: { ':pk': S(keys.objectPartition(this.#resource)), ...(ns === undefined ? {} : { ':prefix': S(`${ns}/`) }) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          Limit: pageSize,
        }),
      );
      calls++;
      // The counter and the namespace heads share the range; a list skips them.
      items += (out.Items ?? []).filter((it) => !isBookkeepingSortKey(it[ATTR.sk]?.S ?? '')).length;
      start = out.LastEvaluatedKey;
    } while (start);
    return { items, calls };
  }
}
