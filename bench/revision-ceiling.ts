/**
 * The write ceiling of the single revision counter: W independent writers (each its own
 * DynamoStore, as separate Lambda instances would be) create objects for a fixed time against
 * DynamoDB Local. Baseline in the same run: the same writers doing plain PutItems of the same
 * bodies with no counter and no transaction. Prints writes/s for both and the ratio.
 *
 *   npx tsx bench/revision-ceiling.ts [writers=16] [seconds=5] [shared|separate]
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { KubeObject } from '../shared/apimachinery/meta.js';
import { DynamoStore } from '../shared/storage/dynamo/dynamo-store.js';
import { ensureTable } from '../shared/storage/dynamo/table-admin.js';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.js';

export interface CeilingResult {
  readonly writers: number;
  /** `shared`: the writers share one store (one process, group commit); `separate`: one store each (separate Lambdas). */
  readonly mode: 'shared' | 'separate';
  readonly seconds: number;
  readonly counterWritesPerSecond: number;
  readonly rawPutsPerSecond: number;
  readonly ratio: number;
}

const body = (i: number, w: number): KubeObject => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name: `s-${w}-${i}`, namespace: `ns-${w % 8}`, uid: `u-${w}-${i}`, labels: { app: 'bench' } },
});

async function forDuration(ms: number, writers: number, op: (w: number, i: number) => Promise<unknown>): Promise<number> {
  const deadline = performance.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await op(w, i);
        done++;
      }
    }),
  );
  return done;
}

export async function measureRevisionCeiling(endpoint: string, writers = 16, seconds = 5, mode: 'shared' | 'separate' = 'separate'): Promise<CeilingResult> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const table = `ceiling-${Date.now()}`;
  await ensureTable(client, table);
  const newStore = () => new DynamoStore<KubeObject>({ client, tableName: table, resource: 'imagestreams', eventRetentionSeconds: 600 });
  const shared = newStore();
  const stores = Array.from({ length: writers }, () => (mode === 'shared' ? shared : newStore()));
  const ms = seconds * 1000;
  const counted = await forDuration(ms, writers, (w, i) => stores[w]!.create({ namespace: `ns-${w % 8}`, name: `s-${w}-${i}` }, body(i, w)));
  const raw = await forDuration(ms, writers, (w, i) =>
    client.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: `raw#${w}` }, sk: { S: String(i) }, b: { B: Buffer.from(JSON.stringify(body(i, w))) } },
      }),
    ),
  );
  client.destroy();
  const counterWritesPerSecond = counted / seconds;
  const rawPutsPerSecond = raw / seconds;
  return { writers, mode, seconds, counterWritesPerSecond, rawPutsPerSecond, ratio: counterWritesPerSecond / rawPutsPerSecond };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const writers = Number(process.argv[2] ?? 16);
  const seconds = Number(process.argv[3] ?? 5);
  const mode = process.argv[4] === 'shared' ? 'shared' : 'separate';
  const ddb = await startDynamoDbLocal();
  try {
    const r = await measureRevisionCeiling(ddb.endpoint, writers, seconds, mode);
    console.log(
      `writers=${r.writers} (${r.mode}) counter+log transactions: ${r.counterWritesPerSecond.toFixed(0)}/s, ` +
        `plain PutItem: ${r.rawPutsPerSecond.toFixed(0)}/s, ratio ${r.ratio.toFixed(2)}`,
    );
  } finally {
    await ddb.stop();
  }
}
