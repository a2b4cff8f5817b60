/**
 * Decoding the stream records the watch fan-out consumes, in the AttributeValue JSON Lambda
 * delivers (binaries in base64), and the ESM filters that select them.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { encodeBody, serializeForStorage } from '../../../shared/storage/dynamo/item-codec.js';
import { decodeLogStreamRecord, decodeSubscriptionStreamRecord, LOG_STREAM_FILTER, SUBSCRIPTION_STREAM_FILTER } from '../../../shared/storage/dynamo/stream-records.js';
import { matchesPattern, type FilterPattern } from '../../../infra/local/stream-poller.js';

const object = { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'x', namespace: 'demo', labels: { tier: 'db' } }, spec: { tags: [] as unknown[] } };

function logRecord(rev: number, image: Record<string, unknown> = {}, eventName: DynamoDBRecord['eventName'] = 'INSERT'): DynamoDBRecord {
  const keys = { pk: { S: 'log#imagestreams.image.openshift.io' }, sk: { S: String(rev).padStart(20, '0') } };
  return {
    eventName,
    dynamodb: { Keys: keys, NewImage: { ...keys, t: { S: 'MODIFIED' }, ns: { S: 'demo' }, n: { S: 'x' }, rv: { N: String(rev) }, ...image } as never, SequenceNumber: '1' },
  };
}

describe('stream-records', () => {
  describe('decodeLogStreamRecord', () => {
    it('reads the revision, the namespace and the whole change from a log entry image', () => {
      // Prepare
      const big = { ...object, spec: { tags: Array.from({ length: 80 }, (_, i) => ({ name: `tag-number-${i}` })) } };
      const body = encodeBody(serializeForStorage(big));
      const record = logRecord(42, { enc: { S: body.enc }, b: { B: body.bytes.toString('base64') }, pl: { S: '{"tier":"web"}' } });
      // Act
      const out = decodeLogStreamRecord(record);
      // Assess
      expect(body.enc).toBe('gz');
      expect(out).toMatchObject({ resource: 'imagestreams.image.openshift.io', revision: 42, namespace: 'demo' });
      expect(out!.change).toMatchObject({ type: 'MODIFIED', revision: 42, previous: { labels: { tier: 'web' } } });
      expect(out!.change!.object.metadata).toMatchObject({ name: 'x', namespace: 'demo', resourceVersion: '42' });
    });

    it('leaves out the change when the body is chunked (the log is read instead)', () => {
      const out = decodeLogStreamRecord(logRecord(7, { enc: { S: 'gz' }, nc: { N: '3' } }));
      expect(out).toEqual({ resource: 'imagestreams.image.openshift.io', revision: 7, namespace: 'demo' });
    });

    it('ignores anything but new log entries', () => {
      expect(decodeLogStreamRecord(logRecord(7, {}, 'REMOVE'))).toBeUndefined();
      expect(decodeLogStreamRecord({ eventName: 'INSERT', dynamodb: { Keys: { pk: { S: 'obj#x' }, sk: { S: 'a/b' } } } })).toBeUndefined();
      expect(decodeLogStreamRecord({ eventName: 'INSERT', dynamodb: { Keys: { pk: { S: 'logchunk#x#1' }, sk: { S: '0' } } } })).toBeUndefined();
    });
  });

  describe('decodeSubscriptionStreamRecord', () => {
    it('reads the subscription key of a new subscription row', () => {
      const rec: DynamoDBRecord = { eventName: 'INSERT', dynamodb: { Keys: { pk: { S: 'sub#imagestreams.image.openshift.io#*' }, sk: { S: 'AbC=' } } } };
      expect(decodeSubscriptionStreamRecord(rec)).toEqual({ resource: 'imagestreams.image.openshift.io', scope: '*', connectionId: 'AbC=' });
      expect(decodeSubscriptionStreamRecord({ ...rec, eventName: 'MODIFY' })).toBeUndefined();
      expect(decodeSubscriptionStreamRecord({ eventName: 'INSERT', dynamodb: { Keys: { pk: { S: 'conn#3' }, sk: { S: 'AbC=' } } } })).toBeUndefined();
    });
  });

  describe('stream filters', () => {
    it('select log INSERTs of the main table and subscription INSERTs of the connections table, as the ESM filter does', () => {
      const log = LOG_STREAM_FILTER as unknown as FilterPattern;
      const subs = SUBSCRIPTION_STREAM_FILTER as unknown as FilterPattern;
      expect(matchesPattern(log, logRecord(1))).toBe(true);
      expect(matchesPattern(log, logRecord(1, {}, 'REMOVE'))).toBe(false);
      expect(matchesPattern(log, { eventName: 'INSERT', dynamodb: { Keys: { pk: { S: 'logchunk#x#1' } } } })).toBe(false);
      expect(matchesPattern(log, { eventName: 'INSERT', dynamodb: { Keys: { pk: { S: 'obj#x' } } } })).toBe(false);
      expect(matchesPattern(subs, { eventName: 'INSERT', dynamodb: { Keys: { pk: { S: 'sub#r#a' } } } })).toBe(true);
      expect(matchesPattern(subs, { eventName: 'INSERT', dynamodb: { Keys: { pk: { S: 'part#r#a' } } } })).toBe(false);
    });
  });
});
