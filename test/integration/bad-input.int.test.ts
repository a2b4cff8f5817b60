/**
 * The bad-input properties of `test/helpers/bad-input.ts` against the App over DynamoDB Local
 * (every resource type in one table, as deployed): the DynamoDB store's own failure paths
 * (transactions, conditions, chunked bodies) must also answer with a Status and write nothing.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe } from 'vitest';
import { badInputProperties, dynamoTarget } from '../helpers/bad-input.js';
import { freshTable, localClient } from '../helpers/dynamo.js';
import { fuzzRuns } from '../helpers/fuzz.js';

let client: DynamoDBClient;
let table: { name: string; drop: () => Promise<void> };
beforeAll(async () => {
  client = localClient();
  table = await freshTable(client, 'fuzz');
});
afterAll(async () => {
  await table?.drop();
  client?.destroy();
});

describe('bad input (property-based, DynamoDB Local)', () => {
  // Fewer cases than in memory: every request is several DynamoDB round trips.
  badInputProperties(() => dynamoTarget(client, table.name)(), fuzzRuns(250), 240_000);
});
