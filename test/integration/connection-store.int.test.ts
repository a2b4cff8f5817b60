/**
 * The subscription store on DynamoDB Local: the shared contract, plus the table's physical
 * definition (keys, TTL, stream) as the local and CDK stacks create it.
 */
import { DeleteTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoConnectionStore } from '../../shared/storage/dynamo/connections/store.js';
import { ensureConnectionsTable } from '../../shared/storage/dynamo/connections/table.js';
import { runSubscriptionStoreContract } from '../contract/subscription-store-contract.js';
import { localClient } from '../helpers/dynamo.js';

const client = localClient();
const tables: string[] = [];
afterAll(async () => {
  await Promise.all(tables.map((t) => client.send(new DeleteTableCommand({ TableName: t }))));
  client.destroy();
});

async function freshConnectionsTable(): Promise<string> {
  const name = `conn-${randomBytes(4).toString('hex')}`;
  await ensureConnectionsTable(client, name);
  tables.push(name);
  return name;
}

runSubscriptionStoreContract('DynamoConnectionStore', {
  newStore: async () => new DynamoConnectionStore({ client, tableName: await freshConnectionsTable() }),
});

describe('connections-table', () => {
  describe('ensureConnectionsTable', () => {
    it('creates pk/sk string keys, a KEYS_ONLY stream and TTL on ttl, and is idempotent', async () => {
      // Act
      const name = await freshConnectionsTable();
      await ensureConnectionsTable(client, name);
      const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
      // Assess
      expect(table.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe('ttl');
    });
  });
});
