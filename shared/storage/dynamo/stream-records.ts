/**
 * @module stream-records
 * What the watch fan-out reads from DynamoDB stream records, and the event-source-mapping
 * filters that select them (the same JSON is deployed as the ESM `FilterCriteria` and
 * applied by the local stream poller):
 *
 * - main table, `log#<resource>` INSERTs: one per committed change, in the same transaction
 *   as the change (no-op writes write no log entry, so they produce no record). The record's
 *   image carries the revision, the namespace and usually the whole change, which seeds the
 *   fan-out's log window;
 * - connections table, `sub#…` INSERTs: a new subscription to replay.
 *
 * Stream images arrive as Lambda delivers them: AttributeValue JSON with binary values in
 * base64.
 */
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { KubeObject } from '../../apimachinery/meta.js';
import type { ChangeRecord } from '../../apimachinery/registry/store.js';
import type { SubscriptionKey } from '../../watch/subscription.js';
import { SUBSCRIPTION_PREFIX } from './connections/table.js';
import { decodeBody } from './item-codec.js';
import { ATTR } from './keys.js';

const LOG_PREFIX = 'log#';

/** ESM filter of the main table's stream: new event-log entries only. */
export const LOG_STREAM_FILTER = { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: LOG_PREFIX }] } } } } as const;

/** ESM filter of the connections table's stream: new subscriptions only. */
export const SUBSCRIPTION_STREAM_FILTER = { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: SUBSCRIPTION_PREFIX }] } } } } as const;

export interface LogStreamRecord {
  readonly resource: string;
  readonly revision: number;
  readonly namespace: string;
  /** The change itself when the image holds the whole body (not chunked). */
  readonly change?: ChangeRecord<KubeObject>;
}

const num = (v: AttributeValue | undefined): number | undefined => (v?.N === undefined ? undefined : Number(v.N));

/** A main-table record of a new log entry, or undefined for anything else. */
export function decodeLogStreamRecord(record: DynamoDBRecord): LogStreamRecord | undefined {
  if (record.eventName !== 'INSERT') return undefined;
  const pk = record.dynamodb?.Keys?.[ATTR.pk]?.S;
  if (pk === undefined || !pk.startsWith(LOG_PREFIX)) return undefined;
  const resource = pk.slice(LOG_PREFIX.length);
  const image = record.dynamodb?.NewImage;
  const sk = record.dynamodb?.Keys?.[ATTR.sk]?.S;
  const revision = num(image?.[ATTR.rv]) ?? (sk !== undefined ? Number(sk) : NaN);
  if (!Number.isSafeInteger(revision) || revision <= 0) return undefined;
  const namespace = image?.[ATTR.namespace]?.S;
  if (namespace === undefined || image === undefined) return undefined;
  let change: ChangeRecord<KubeObject> | undefined;
  const body = image[ATTR.body]?.B;
  if ((num(image[ATTR.chunks]) ?? 0) === 0 && body !== undefined) {
    const type = (image[ATTR.type]?.S ?? 'MODIFIED') as ChangeRecord<KubeObject>['type'];
    const pl = image[ATTR.prevLabels]?.S;
    const pf = image[ATTR.prevFields]?.S;
    change = {
      type,
      revision,
      object: decodeBody<KubeObject>(image[ATTR.enc]?.S ?? 'raw', Buffer.from(body, 'base64'), revision),
      ...(pl !== undefined
        ? { previous: { labels: JSON.parse(pl) as Record<string, string>, ...(pf !== undefined ? { fields: JSON.parse(pf) as Record<string, string> } : {}) } }
        : {}),
    };
  }
  return { resource, revision, namespace, ...(change ? { change } : {}) };
}

/** A connections-table record of a new subscription, or undefined for anything else. */
export function decodeSubscriptionStreamRecord(record: DynamoDBRecord): SubscriptionKey | undefined {
  if (record.eventName !== 'INSERT') return undefined;
  const pk = record.dynamodb?.Keys?.['pk']?.S;
  const sk = record.dynamodb?.Keys?.['sk']?.S;
  if (pk === undefined || sk === undefined || !pk.startsWith(SUBSCRIPTION_PREFIX)) return undefined;
  const rest = pk.slice(SUBSCRIPTION_PREFIX.length);
  const i = rest.lastIndexOf('#');
  if (i <= 0) return undefined;
  return { resource: rest.slice(0, i), scope: rest.slice(i + 1), connectionId: sk };
}
