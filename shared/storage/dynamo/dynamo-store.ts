/**
 * @module dynamo-store
 * The Store port on DynamoDB. Every write is one `TransactWriteItems` that
 *   1. advances the resource type's revision counter from the value just read (`rev = :cur`),
 *   2. puts/deletes the object on its own condition (absent, or `rv = :expected`),
 *   3. appends the change to the event log at the new revision (with a TTL),
 *   4. moves the namespace's head to the new revision (a list of the namespace reads it),
 * so revisions are dense, commit order equals revision order, and the log is exact
 * (see docs/design.md). A failed counter condition means another writer won the race: the
 * current counter comes back with the failure (ALL_OLD) and the write is retried at once. A
 * failed object condition is a real conflict and goes back to the caller's `tryUpdate`.
 * No DynamoDB type leaves this file.
 */
import type {
  DynamoDBClient} from '@aws-sdk/client-dynamodb';
import {
  BatchGetItemCommand,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  QueryCommand,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { sameObject } from '../../apimachinery/equality.js';
import { withResourceVersion, type KubeObject } from '../../apimachinery/meta.js';
import {
  StoreError,
  type ChangeLog,
  type ChangeRecord,
  type ChangesSince,
  type PreviousState,
  type DeleteCheck,
  type DeleteResult,
  type ListPage,
  type ListRequest,
  type Store,
  type TryUpdate,
  type UpdateResult,
  type WriteOptions,
} from '../../apimachinery/registry/store.js';
import type { ObjectKey } from '../../apimachinery/registry/strategy.js';
import { BodyTooLargeError, decodeBody, encodeBody, serializeForStorage, type EncodedBody } from './item-codec.js';
import { ATTR, COUNTER_SORT_KEY, isBookkeepingSortKey, keys, objectSortKey, padRevision, splitObjectSortKey, type Key } from './keys.js';

type Item = Record<string, AttributeValue>;

export interface DynamoStoreOptions<T extends KubeObject = KubeObject> {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Plural resource name; also the revision domain. */
  readonly resource: string;
  /** How long change events stay in the log (watch resume window). */
  readonly eventRetentionSeconds: number;
  /** Milliseconds since the epoch (tests inject a clock). */
  readonly now?: () => number;
  readonly maxCommitAttempts?: number;
  /** Field values a field selector may test; recorded with MODIFIED log entries. */
  readonly selectableFields?: (obj: T) => Record<string, string>;
}

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });
const B = (b: Uint8Array): AttributeValue => ({ B: b });
const keyItem = (k: Key): Item => ({ [ATTR.pk]: S(k.pk), [ATTR.sk]: S(k.sk) });
const num = (v: AttributeValue | undefined): number => (v?.N === undefined ? 0 : Number(v.N));

/** An object as read, with what a later write needs to know about its stored form. */
interface Loaded<T> {
  readonly object: T;
  readonly rv: number;
  readonly chunks: number;
}

/** The object's own condition failed inside a transaction: it changed or appeared meanwhile. */
class ObjectConditionFailed extends Error {}

const MAX_UPDATE_ATTEMPTS = 16;
/** DynamoDB's transaction limits (100 actions, 4 MB), with headroom for attribute names. */
const MAX_TRANSACTION_ACTIONS = 100;
const MAX_TRANSACTION_BYTES = 3_800_000;

interface PendingCommit {
  readonly objectKey: string;
  /** The object's namespace ('' for cluster-scoped objects, which have no head). */
  readonly namespace: string;
  readonly build: (rev: number) => TransactWriteItem[];
  readonly knownRevision: number | undefined;
  readonly count: number;
  readonly size: number;
  resolve(rev: number): void;
  reject(e: unknown): void;
}

/** Approximate stored size of a transaction action (names + values). */
function itemSize(action: TransactWriteItem): number {
  const item = action.Put?.Item ?? action.Update?.Key ?? action.Delete?.Key ?? {};
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += k.length + (v.B?.byteLength ?? v.S?.length ?? v.N?.length ?? 16);
  return n + 100;
}
const MAX_LIST_PAGES = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class DynamoStore<T extends KubeObject> implements Store<T>, ChangeLog<T> {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #resource: string;
  readonly #retention: number;
  readonly #now: () => number;
  readonly #maxCommitAttempts: number;
  /** Last revision seen by this process; a hint, always verified by the counter condition. */
  #lastRevision: number | undefined;
  /** Writes waiting for the next transaction (group commit). */
  readonly #pending: PendingCommit[] = [];
  #flushing = false;
  readonly #listeners = new Set<() => void>();
  readonly #selectableFields: ((obj: T) => Record<string, string>) | undefined;

  constructor(opts: DynamoStoreOptions<T>) {
    this.#selectableFields = opts.selectableFields;
    this.#client = opts.client;
    this.#table = opts.tableName;
    this.#resource = opts.resource;
    this.#retention = opts.eventRetentionSeconds;
    this.#now = opts.now ?? Date.now;
    this.#maxCommitAttempts = opts.maxCommitAttempts ?? 64;
  }

  // ---- reads -------------------------------------------------------------------------------

  async #readCounter(): Promise<number> {
    const out = await this.#call(() =>
 this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: keyItem(keys.counter(this.#resource)), ConsistentRead: true }),
    ));
    const rev = num(out.Item?.[ATTR.rev]);
    this.#noteRevision(rev);
    return rev;
  }

  #noteRevision(rev: number): void {
    if (this.#lastRevision === undefined || rev > this.#lastRevision) this.#lastRevision = rev;
  }

  async #chunks(pk: string, prefix: string, count: number): Promise<Buffer> {
    const parts: { i: number; b: Uint8Array }[] = [];
    let start: Item | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const out = await this.#call(() =>
 this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: { ':pk': S(pk), ':prefix': S(prefix) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ));
      for (const it of out.Items ?? []) {
        const sk = it[ATTR.sk]?.S ?? '';
        parts.push({ i: Number(sk.slice(prefix.length)), b: it[ATTR.body]?.B ?? new Uint8Array() });
      }
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    if (parts.length !== count) throw new Error(`object body is incomplete: ${parts.length} of ${count} chunks`);
    parts.sort((a, b) => a.i - b.i);
    return Buffer.concat(parts.map((p) => p.b));
  }

  async #decodeObjectItem(item: Item): Promise<Loaded<T>> {
    const rv = num(item[ATTR.rv]);
    const chunks = num(item[ATTR.chunks]);
    const { namespace, name } = splitObjectSortKey(item[ATTR.sk]?.S ?? '');
    const bytes =
      chunks > 0
        ? await this.#chunks(keys.chunkPartition(this.#resource, namespace, name), `${rv}#`, chunks)
        : (item[ATTR.body]?.B ?? new Uint8Array());
    return { object: decodeBody<T>(item[ATTR.enc]?.S ?? 'raw', bytes, rv), rv, chunks };
  }

  /** The object and the counter in one consistent round trip. */
  async #readForWrite(key: ObjectKey): Promise<{ loaded: Loaded<T> | undefined; revision: number }> {
    const objKey = keyItem(keys.object(this.#resource, key.namespace, key.name));
    const counterKey = keyItem(keys.counter(this.#resource));
    const out = await this.#call(() =>
 this.#client.send(
      new BatchGetItemCommand({ RequestItems: { [this.#table]: { Keys: [objKey, counterKey], ConsistentRead: true } } }),
    ));
    let items = out.Responses?.[this.#table] ?? [];
    // Unprocessed keys (throttling) are read again one by one; bounded by the two keys.
    for (const k of out.UnprocessedKeys?.[this.#table]?.Keys ?? []) {
      const again = await this.#call(() => this.#client.send(new GetItemCommand({ TableName: this.#table, Key: k, ConsistentRead: true })));
      if (again.Item) items = [...items, again.Item];
    }
    let objectItem: Item | undefined;
    let revision = 0;
    for (const it of items) {
      if (it[ATTR.pk]?.S === objKey[ATTR.pk]?.S && it[ATTR.sk]?.S === objKey[ATTR.sk]?.S) objectItem = it;
      else revision = num(it[ATTR.rev]);
    }
    this.#noteRevision(revision);
    return { loaded: objectItem ? await this.#decodeObjectItem(objectItem) : undefined, revision };
  }

  async get(key: ObjectKey): Promise<T> {
    const out = await this.#call(() =>
 this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: keyItem(keys.object(this.#resource, key.namespace, key.name)),
        ConsistentRead: true,
      }),
    ));
    if (!out.Item) throw new StoreError('KeyNotFound', 'not found', key);
    return (await this.#decodeObjectItem(out.Item)).object;
  }

  async list(req: ListRequest<T>): Promise<ListPage<T>> {
    const prefix = req.namespace === undefined ? undefined : `${req.namespace}/`;
    // A first page starts at the item that holds its resourceVersion: the counter for all
    // namespaces, the namespace's head for one namespace. Each sorts first in the key range, so
    // the query reads it before any object: every change committed before that read is in the
    // list, and every later one has a higher revision and reaches a watch started from it
    // (a change may show in both, never in neither). See docs/design.md §5.
    const revisionKey = req.startAfter === undefined && req.resourceVersion === undefined ? (prefix ?? COUNTER_SORT_KEY) : undefined;
    let revision: string | undefined = req.resourceVersion;
    const want = req.limit === undefined ? undefined : req.limit + 1;
    const matched: { item: Item; object: T }[] = [];
    let start: Item | undefined = req.startAfter
      ? keyItem(keys.object(this.#resource, req.startAfter.namespace, req.startAfter.name))
      : undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      let limit: number | undefined;
      if (want !== undefined) {
        const missing = want - matched.length;
        // Room for the head or counter, and for the heads of the namespaces an all-namespaces
        // page crosses, so one query usually fills the page.
        const bookkeeping = (page === 0 && revisionKey !== undefined ? 1 : 0) + (prefix === undefined ? Math.ceil(missing / 8) : 0);
        limit = (req.predicate ? Math.max(missing, 50) : missing) + bookkeeping;
      }
      const out = await this.#call(() =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: prefix === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: prefix === undefined ? { '#pk': ATTR.pk } : { '#pk': ATTR.pk, '#sk': ATTR.sk },
            ExpressionAttributeValues: {
              ':pk': S(keys.objectPartition(this.#resource)),
              ...(prefix === undefined ? {} : { ':prefix': S(prefix) }),
            },
            ConsistentRead: true,
            ExclusiveStartKey: start,
            ...(limit === undefined ? {} : { Limit: limit }),
          }),
        ),
      );
      const objects: Item[] = [];
      for (const item of out.Items ?? []) {
        const sk = item[ATTR.sk]?.S ?? '';
        if (!isBookkeepingSortKey(sk)) objects.push(item);
        else if (sk === revisionKey && page === 0) revision = String(num(item[ATTR.rev]));
      }
      const decoded = await Promise.all(objects.map(async (item) => ({ item, object: (await this.#decodeObjectItem(item)).object })));
      for (const d of decoded) if (req.predicate?.(d.object) ?? true) matched.push(d);
      start = out.LastEvaluatedKey;
      if (!start || (want !== undefined && matched.length >= want)) break;
    }
    const more = want !== undefined && matched.length >= want;
    const pageItems = more ? matched.slice(0, req.limit) : matched;
    const last = pageItems[pageItems.length - 1];
    return {
      items: pageItems.map((m) => m.object),
      // No head: nothing was ever written in the namespace before the query read its range.
      // Revision 0 (the empty history) is then the one every later change is newer than.
      resourceVersion: revision ?? '0',
      ...(more && last ? { lastKey: splitObjectSortKey(last.item[ATTR.sk]?.S ?? '') } : {}),
    };
  }

  /** The event log after `after`: a consistent query of the log partition (see ChangeLog). */
  async changesSince(after: number, limit: number): Promise<ChangesSince<T>> {
    const out = await this.#call(() =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: '#pk = :pk AND #sk > :after',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
          ExpressionAttributeValues: { ':pk': S(keys.logPartition(this.#resource)), ':after': S(padRevision(after)) },
          ConsistentRead: true,
          Limit: limit,
        }),
      ),
    );
    const items = out.Items ?? [];
    const nowSeconds = Math.floor(this.#now() / 1000);
    // TTL deletion is lazy: an entry past its expiry counts as gone.
    const live = (it: Item): boolean => num(it[ATTR.expires]) >= nowSeconds;
    const first = items[0];
    if (first !== undefined && (num(first[ATTR.rv]) !== after + 1 || !live(first))) {
      const oldest = items.find(live);
      return { kind: 'compacted', oldest: oldest ? num(oldest[ATTR.rv]) : num(items[items.length - 1]![ATTR.rv]) + 1 };
    }
    const changes: ChangeRecord<T>[] = [];
    for (const it of items) {
      if (!live(it)) break;
      const rev = num(it[ATTR.rv]);
      const chunks = num(it[ATTR.chunks]);
      const bytes = chunks > 0 ? await this.#chunks(`logchunk#${this.#resource}#${padRevision(rev)}`, '', chunks) : (it[ATTR.body]?.B ?? new Uint8Array());
      const type = (it[ATTR.type]?.S ?? 'MODIFIED') as ChangeRecord<T>['type'];
      const pl = it[ATTR.prevLabels]?.S;
      const pf = it[ATTR.prevFields]?.S;
      changes.push({
        type,
        revision: rev,
        object: decodeBody<T>(it[ATTR.enc]?.S ?? 'raw', bytes, rev),
        ...(pl !== undefined
          ? { previous: { labels: JSON.parse(pl) as Record<string, string>, ...(pf !== undefined ? { fields: JSON.parse(pf) as Record<string, string> } : {}) } }
          : {}),
      });
    }
    return { kind: 'changes', changes };
  }

  async resumePoint(after: number, namespace: string | undefined): Promise<number> {
    if (namespace === undefined || namespace === '') return after;
    // The counter first, then the head: every change up to the counter's value committed
    // before the head is read, so a head not past `after` means none of them is in the namespace.
    // (A TransactGetItems of both would be cancelled by every write in flight on the counter.)
    const current = await this.#readCounter();
    const out = await this.#call(() =>
      this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: keyItem(keys.namespaceHead(this.#resource, namespace)), ConsistentRead: true }),
      ),
    );
    const head = num(out.Item?.[ATTR.rev]);
    return head > after ? after : Math.max(after, current);
  }

  onCommit(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async currentResourceVersion(): Promise<string> {
    return String(await this.#readCounter());
  }

  // ---- writes ------------------------------------------------------------------------------

  #expiry(): number {
    return Math.floor(this.#now() / 1000) + this.#retention;
  }

  /** Items that store `body` under `base` (inline, or chunk items under `chunkKey`). */
  #bodyItems(body: EncodedBody, chunkKey: (i: number) => Key, extra: Item = {}): { inline: Item; chunkPuts: TransactWriteItem[] } {
    if (body.chunks.length === 0) {
      return { inline: { [ATTR.enc]: S(body.enc), [ATTR.body]: B(body.bytes) }, chunkPuts: [] };
    }
    const chunkPuts = body.chunks.map((c, i) => ({
      Put: { TableName: this.#table, Item: { ...keyItem(chunkKey(i)), [ATTR.body]: B(c), ...extra } },
    }));
    return { inline: { [ATTR.enc]: S(body.enc), [ATTR.chunks]: N(body.chunks.length) }, chunkPuts };
  }

  /** The log entry for a change at `rev`. */
  #logItems(
    rev: number,
    type: 'ADDED' | 'MODIFIED' | 'DELETED',
    key: ObjectKey,
    uid: string,
    body: EncodedBody,
    previous?: PreviousState,
  ): TransactWriteItem[] {
    const ttl = N(this.#expiry());
    const { inline, chunkPuts } = this.#bodyItems(body, (i) => keys.logChunk(this.#resource, rev, i), { [ATTR.expires]: ttl });
    const item: Item = {
      ...keyItem(keys.log(this.#resource, rev)),
      [ATTR.type]: S(type),
      [ATTR.namespace]: S(key.namespace),
      [ATTR.name]: S(key.name),
      [ATTR.rv]: N(rev),
      [ATTR.uid]: S(uid),
      [ATTR.expires]: ttl,
      ...inline,
    };
    if (previous !== undefined) {
      item[ATTR.prevLabels] = S(JSON.stringify(previous.labels));
      if (previous.fields) item[ATTR.prevFields] = S(JSON.stringify(previous.fields));
    }
    return [{ Put: { TableName: this.#table, Item: item } }, ...chunkPuts];
  }

  #objectPut(key: ObjectKey, rev: number, uid: string, body: EncodedBody, condition: 'absent' | number): TransactWriteItem[] {
    const { inline, chunkPuts } = this.#bodyItems(body, (i) => keys.chunk(this.#resource, key.namespace, key.name, rev, i));
    const put: TransactWriteItem = {
      Put: {
        TableName: this.#table,
        Item: { ...keyItem(keys.object(this.#resource, key.namespace, key.name)), [ATTR.rv]: N(rev), [ATTR.uid]: S(uid), ...inline },
        ...(condition === 'absent'
          ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': ATTR.pk } }
          : {
              ConditionExpression: '#rv = :rv',
              ExpressionAttributeNames: { '#rv': ATTR.rv },
              ExpressionAttributeValues: { ':rv': N(condition) },
            }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    };
    return [put, ...chunkPuts];
  }

  #chunkDeletes(key: ObjectKey, old: Loaded<T>): TransactWriteItem[] {
    const out: TransactWriteItem[] = [];
    for (let i = 0; i < old.chunks; i++) {
      out.push({ Delete: { TableName: this.#table, Key: keyItem(keys.chunk(this.#resource, key.namespace, key.name, old.rv, i)) } });
    }
    return out;
  }

  /**
   * The namespace's head moves to the last revision of the transaction in it. No condition:
   * the counter already orders the transactions, so a head only ever moves forward.
   */
  #headUpdate(namespace: string, rev: number): TransactWriteItem {
    return {
      Update: {
        TableName: this.#table,
        Key: keyItem(keys.namespaceHead(this.#resource, namespace)),
        UpdateExpression: 'SET #rev = :rev',
        ExpressionAttributeNames: { '#rev': ATTR.rev },
        ExpressionAttributeValues: { ':rev': N(rev) },
      },
    };
  }

  #counterUpdate(current: number, next: number): TransactWriteItem {
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

  /**
   * Commits `build(rev)` (object action first) together with the counter advance and resolves
   * with the committed revision. Writes of this process are grouped: while one transaction is
   * in flight, later writes queue up and go together in the next one (the counter advances by
   * their number; each gets the next revision in queue order), so one process never races
   * itself for the counter and a busy process commits many writes per round trip. A failed
   * counter condition (another process won) retries at the value that came back with the
   * failure; a failed object condition rejects only that write with ObjectConditionFailed.
   */
  #commit(key: ObjectKey, build: (rev: number) => TransactWriteItem[], knownRevision: number | undefined): Promise<number> {
    const probe = build(0);
    const objectKey = objectSortKey(key.namespace, key.name);
    return new Promise<number>((resolve, reject) => {
      // `count` includes the namespace head, which writes to one namespace share.
      this.#pending.push({ objectKey, namespace: key.namespace, build, knownRevision, count: probe.length + 1, size: probe.reduce((n, i) => n + itemSize(i), 0) + 100, resolve, reject });
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) await this.#commitBatch(this.#takeBatch());
    } finally {
      this.#flushing = false;
    }
  }

  /** The oldest pending writes that fit one transaction (100 actions, 4 MB, one action per item). */
  #takeBatch(): PendingCommit[] {
    const batch: PendingCommit[] = [];
    const keys = new Set<string>();
    let count = 1;
    let size = 0;
    for (let i = 0; i < this.#pending.length; ) {
      const w = this.#pending[i]!;
      const fits = count + w.count <= MAX_TRANSACTION_ACTIONS && size + w.size <= MAX_TRANSACTION_BYTES && !keys.has(w.objectKey);
      if (!fits && batch.length > 0) {
        i++;
        continue;
      }
      batch.push(w);
      keys.add(w.objectKey);
      count += w.count;
      size += w.size;
      this.#pending.splice(i, 1);
      if (count >= MAX_TRANSACTION_ACTIONS) break;
    }
    return batch;
  }

  async #commitBatch(batch: PendingCommit[]): Promise<void> {
    let writes = batch;
    const known = Math.max(...writes.map((w) => w.knownRevision ?? 0));
    let current = Math.max(known, this.#lastRevision ?? 0);
    try {
      if (this.#lastRevision === undefined && writes.every((w) => w.knownRevision === undefined)) current = await this.#readCounter();
      for (let attempt = 1; attempt <= this.#maxCommitAttempts && writes.length > 0; attempt++) {
        const items: TransactWriteItem[] = [this.#counterUpdate(current, current + writes.length)];
        const heads = new Map<string, number>();
        const offsets = writes.map((w, i) => {
          const at = items.length;
          items.push(...w.build(current + 1 + i));
          if (w.namespace !== '') heads.set(w.namespace, current + 1 + i);
          return at;
        });
        for (const [namespace, rev] of heads) items.push(this.#headUpdate(namespace, rev));
        try {
          await this.#call(() => this.#client.send(new TransactWriteItemsCommand({ TransactItems: items })));
          const base = current;
          writes.forEach((w, i) => w.resolve(base + 1 + i));
          this.#noteRevision(current + writes.length);
          for (const l of this.#listeners) l();
          return;
        } catch (e) {
          if (e instanceof TransactionCanceledException) {
            const reasons = e.CancellationReasons ?? [];
            if (reasons[0]?.Code === 'ConditionalCheckFailed') {
              // Another process committed first. Its value came back with the failure; retry at
              // it after a short, growing, jittered pause so contending processes spread out
              // instead of colliding again in lockstep.
              current = num(reasons[0].Item?.[ATTR.rev]);
              this.#noteRevision(current);
              await sleep(Math.random() * Math.min(100, 2 ** Math.min(attempt, 7)));
              continue;
            }
            const failed = new Set(writes.filter((_, i) => reasons[offsets[i]!]?.Code === 'ConditionalCheckFailed'));
            if (failed.size > 0) {
              for (const w of failed) w.reject(new ObjectConditionFailed());
              writes = writes.filter((w) => !failed.has(w));
              continue;
            }
            if (reasons.some((r) => r.Code === 'ThrottlingError' || r.Code === 'ProvisionedThroughputExceeded')) {
              throw new StoreError('Throttled', 'throttled', undefined, { cause: e });
            }
            if (reasons.some((r) => r.Code === 'ValidationError')) {
              if (writes.length === 1) throw new StoreError('TooLarge', 'the object is too large to store', undefined, { cause: e });
              // Which write is at fault is not reported: commit them one by one.
              for (const w of writes) await this.#commitBatch([w]);
              return;
            }
            if (!reasons.some((r) => r.Code === 'TransactionConflict')) throw e;
          } else if (!(e instanceof TransactionConflictException)) {
            throw e;
          }
          // Another transaction touched the same items: back off briefly, re-read the counter.
          await sleep(Math.random() * Math.min(50, 2 * attempt));
          current = await this.#readCounter();
        }
      }
      if (writes.length > 0) throw new StoreError('Contention', 'too many concurrent writes');
    } catch (e) {
      for (const w of writes) w.reject(e);
    }
  }

  #encode(obj: T): EncodedBody {
    try {
      return encodeBody(serializeForStorage(obj));
    } catch (e) {
      if (e instanceof BodyTooLargeError) throw new StoreError('TooLarge', e.message, undefined, { cause: e });
      throw e;
    }
  }

  async create(key: ObjectKey, obj: T, opts: WriteOptions = {}): Promise<T> {
    const body = this.#encode(obj);
    const uid = obj.metadata.uid ?? '';
    if (opts.dryRun) {
      const exists = await this.#call(() =>
 this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: keyItem(keys.object(this.#resource, key.namespace, key.name)),
          ConsistentRead: true,
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: { '#pk': ATTR.pk },
        }),
      ));
      if (exists.Item) throw new StoreError('KeyExists', 'exists', key);
      return obj;
    }
    try {
      const rev = await this.#commit(
        key,
        (next) => [...this.#objectPut(key, next, uid, body, 'absent'), ...this.#logItems(next, 'ADDED', key, uid, body)],
        undefined,
      );
      return { ...obj, metadata: withResourceVersion(obj.metadata, String(rev)) };
    } catch (e) {
      if (e instanceof ObjectConditionFailed) throw new StoreError('KeyExists', 'exists', key);
      throw e;
    }
  }

  async guaranteedUpdate(key: ObjectKey, tryUpdate: TryUpdate<T>, opts: WriteOptions = {}): Promise<UpdateResult<T>> {
    for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
      const { loaded, revision } = await this.#readForWrite(key);
      if (!loaded) throw new StoreError('KeyNotFound', 'not found', key);
      const next = await tryUpdate(structuredClone(loaded.object));
      if (sameObject(next, loaded.object)) return { object: loaded.object, changed: false };
      const withRv = { ...next, metadata: withResourceVersion(next.metadata, String(loaded.rv)) };
      if (opts.dryRun) return { object: withRv, changed: true };
      try {
        const rev = await this.#write(key, loaded, next, 'MODIFIED', revision);
        return { object: { ...next, metadata: withResourceVersion(next.metadata, String(rev)) }, changed: true };
      } catch (e) {
        if (!(e instanceof ObjectConditionFailed)) throw e;
      }
    }
    throw new StoreError('Contention', 'the object keeps changing', key);
  }

  /** Replaces (MODIFIED) or removes (DELETED) a loaded object at the next revision. */
  async #write(key: ObjectKey, loaded: Loaded<T>, next: T, type: 'MODIFIED' | 'DELETED', revision: number): Promise<number> {
    const uid = next.metadata.uid ?? '';
    const body = this.#encode(next);
    const previous: PreviousState | undefined =
      type === 'MODIFIED'
        ? {
            labels: loaded.object.metadata.labels ?? {},
            ...(this.#selectableFields ? { fields: this.#selectableFields(loaded.object) } : {}),
          }
        : undefined;
    return this.#commit(key, (rev) => {
      const objectAction: TransactWriteItem[] =
        type === 'MODIFIED'
          ? this.#objectPut(key, rev, uid, body, loaded.rv)
          : [
              {
                Delete: {
                  TableName: this.#table,
                  Key: keyItem(keys.object(this.#resource, key.namespace, key.name)),
                  ConditionExpression: '#rv = :rv',
                  ExpressionAttributeNames: { '#rv': ATTR.rv },
                  ExpressionAttributeValues: { ':rv': N(loaded.rv) },
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
            ];
      return [...objectAction, ...this.#logItems(rev, type, key, uid, body, previous), ...this.#chunkDeletes(key, loaded)];
    }, revision);
  }

  async delete(key: ObjectKey, check: DeleteCheck<T>, opts: WriteOptions = {}): Promise<DeleteResult<T>> {
    for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt++) {
      const { loaded, revision } = await this.#readForWrite(key);
      if (!loaded) throw new StoreError('KeyNotFound', 'not found', key);
      const decision = check(structuredClone(loaded.object));
      try {
        if (decision.action === 'update') {
          if (sameObject(decision.object, loaded.object)) return { object: loaded.object, deleted: false };
          if (opts.dryRun) return { object: decision.object, deleted: false };
          const rev = await this.#write(key, loaded, decision.object, 'MODIFIED', revision);
          return {
            object: { ...decision.object, metadata: withResourceVersion(decision.object.metadata, String(rev)) },
            deleted: false,
          };
        }
        if (opts.dryRun) return { object: loaded.object, deleted: true };
        const rev = await this.#write(key, loaded, loaded.object, 'DELETED', revision);
        return { object: { ...loaded.object, metadata: withResourceVersion(loaded.object.metadata, String(rev)) }, deleted: true };
      } catch (e) {
        if (!(e instanceof ObjectConditionFailed)) throw e;
      }
    }
    throw new StoreError('Contention', 'the object keeps changing', key);
  }

  // ---- plumbing ----------------------------------------------------------------------------

  /** Runs one SDK call, mapping throttling to the storage vocabulary. */
  async #call<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ProvisionedThroughputExceededException || e instanceof ThrottlingException || e instanceof RequestLimitExceeded) {
        throw new StoreError('Throttled', 'throttled', undefined, { cause: e });
      }
      throw e;
    }
  }
}
