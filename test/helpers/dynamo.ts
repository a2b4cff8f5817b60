/**
 * Integration helpers: a DynamoDB client for the shared DynamoDB Local and a fresh table per
 * test file.
 */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '../../shared/storage/dynamo/table-admin.js';

export function localClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: inject('dynamodbEndpoint'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export async function freshTable(client: DynamoDBClient, prefix = 'test'): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await ensureTable(client, name);
  return { name, drop: async () => void (await client.send(new DeleteTableCommand({ TableName: name }))) };
}
