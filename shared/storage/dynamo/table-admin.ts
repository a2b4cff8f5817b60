/**
 * @module table-admin
 * Creates the table (local stack, tests) exactly as the CDK stack defines it.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TABLE_SPEC } from './table-spec.js';

/** What `ensureTable` needs of a table definition. */
export interface TableKeySpec {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly keyType: 'S';
  readonly ttlAttribute: string;
  readonly streamViewType: 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE';
}

/** Creates the table if missing (streams and TTL on), as the CDK stack defines it; waits until it is active. */
export async function ensureTable(client: DynamoDBClient, tableName: string, spec: TableKeySpec = TABLE_SPEC): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: spec.partitionKey, AttributeType: spec.keyType },
          { AttributeName: spec.sortKey, AttributeType: spec.keyType },
        ],
        KeySchema: [
          { AttributeName: spec.partitionKey, KeyType: 'HASH' },
          { AttributeName: spec.sortKey, KeyType: 'RANGE' },
        ],
        StreamSpecification: { StreamEnabled: true, StreamViewType: spec.streamViewType },
      }),
    );
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  for (let i = 0; i < 100; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { Enabled: true, AttributeName: spec.ttlAttribute },
    }),
  );
}
