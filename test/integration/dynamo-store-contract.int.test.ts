import { afterAll } from 'vitest';
import type { KubeObject } from '../../shared/apimachinery/meta.js';
import { DynamoStore } from '../../shared/storage/dynamo/dynamo-store.js';
import { runStoreContract } from '../contract/store-contract.js';
import { freshTable, localClient } from '../helpers/dynamo.js';

const client = localClient();
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(drops.map((d) => d()));
  client.destroy();
});

runStoreContract('DynamoStore', {
  newStore: async () => {
    const table = await freshTable(client);
    drops.push(table.drop);
    return new DynamoStore<KubeObject>({ client, tableName: table.name, resource: 'things', eventRetentionSeconds: 600 });
  },
});
