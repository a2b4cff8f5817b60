/** DynamoDB clients for the bench, configured exactly as the handlers' (`dynamoClient` from app.ts). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from '../../shared/api/app.js';
import { loadConfig } from '../../shared/config.js';

export function benchDynamoClient(endpoint: string, tableName = 'bench'): DynamoDBClient {
  return dynamoClient(loadConfig({ TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint, AWS_REGION: 'us-east-1' }));
}
