/**
 * @module table-access
 * Least-privilege DynamoDB grants, written out action by action instead of CDK's broad
 * `grantReadWriteData` (which adds Scan, BatchWriteItem, ConditionCheckItem and stream reads).
 *
 * The store (`shared/storage/dynamo/dynamo-store.ts`) calls GetItem, BatchGetItem, Query and
 * TransactWriteItems. IAM has no `TransactWriteItems` action: each action inside a
 * transaction is authorised as its single-item twin (Put → PutItem, Update → UpdateItem,
 * Delete → DeleteItem). Those three are therefore granted only with the condition
 * `dynamodb:EnclosingOperation = TransactWriteItems`, so a function can write only through
 * a transaction, never with a bare PutItem/UpdateItem/DeleteItem.
 *
 * Who gets what: `FAMILY_TABLE_ACCESS` (api-stack.ts) for the HTTP families; `read` for the
 * WebSocket `$connect`, the fan-out, the tick and the import schedule; `read-write` for the
 * import worker and the prune. A table with a customer-managed key adds `TableKey` to each.
 */
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Stack } from 'aws-cdk-lib';

export type TableAccess = 'none' | 'read' | 'read-write';

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
export const TABLE_TRANSACT_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/**
 * Customer-managed key use, for callers of a CMK-encrypted table and readers of its stream
 * (only through DynamoDB). Spelled out instead of `GenerateDataKey*` / `ReEncrypt*`: the
 * asymmetric data-key-pair actions those wildcards also match can never apply to a symmetric
 * table key.
 */
export const TABLE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:DescribeKey',
] as const;

/** Use of the table's key, only through DynamoDB (`kms:ViaService`). */
export function tableKeyStatement(table: ITableV2, key: IKey): PolicyStatement {
  return new PolicyStatement({
    sid: 'TableKey',
    actions: [...TABLE_KEY_ACTIONS],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(table).region}.amazonaws.com` } },
  });
}

/** The statements for one access level (empty for `none`). */
export function tableAccessStatements(table: ITableV2, access: TableAccess, key?: IKey): PolicyStatement[] {
  if (access === 'none') return [];
  const statements = [new PolicyStatement({ sid: 'TableRead', actions: [...TABLE_READ_ACTIONS], resources: [table.tableArn] })];
  if (access === 'read-write') {
    statements.push(
      new PolicyStatement({
        sid: 'TableTransactWrite',
        actions: [...TABLE_TRANSACT_WRITE_ACTIONS],
        resources: [table.tableArn],
        conditions: { StringEquals: { 'dynamodb:EnclosingOperation': 'TransactWriteItems' } },
      }),
    );
  }
  if (key) statements.push(tableKeyStatement(table, key));
  return statements;
}

/** Adds the statements of `access` to the grantee's policy. */
export function grantTableAccess(grantee: IGrantable, table: ITableV2, access: TableAccess, key?: IKey): void {
  for (const statement of tableAccessStatements(table, access, key)) grantee.grantPrincipal.addToPrincipalPolicy(statement);
}

/**
 * For a stream consumer that does not read the table itself (the import trigger): the key,
 * when there is one, to decrypt the stream records. The event source mapping adds the stream
 * read actions.
 */
export function grantStreamKey(grantee: IGrantable, table: ITableV2, key: IKey | undefined): void {
  if (key) grantee.grantPrincipal.addToPrincipalPolicy(tableKeyStatement(table, key));
}
