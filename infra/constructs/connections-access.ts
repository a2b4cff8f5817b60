/**
 * @module connections-access
 * Least-privilege grants on the WebSocket watch's connections table, one level per kind of
 * function, written from what `shared/storage/dynamo/connections/store.ts` sends:
 *
 * | level       | functions        | store methods | IAM actions |
 * |-------------|------------------|---------------|-------------|
 * | `subscribe` | `$connect`       | `create` (one TransactWriteItems of two Puts) | PutItem, only inside a transaction |
 * | `forget`    | `$disconnect`    | `remove` (GetItem of the connection row, two DeleteItems) | GetItem, DeleteItem |
 * | `deliver`   | fan-out, tick    | everything else: reads (GetItem, Query), the conditional UpdateItems of leases and cursors, `joinFromPending` (TransactWriteItems of two Updates), `remove` on GoneException | GetItem, Query, UpdateItem, DeleteItem |
 *
 * IAM has no TransactWriteItems action: a Put inside a transaction is authorised as PutItem,
 * which `subscribe` gets only under `dynamodb:EnclosingOperation = TransactWriteItems`.
 * `deliver` needs UpdateItem outside transactions too, so its UpdateItem is unconditioned.
 * No level has Scan or BatchWriteItem, and no level needs the stream (the event source
 * mapping grants its own stream read).
 */
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';

export type ConnectionsAccess = 'subscribe' | 'forget' | 'deliver';

export interface ConnectionsGrant {
  /** Actions allowed on their own (and inside transactions). */
  readonly direct: readonly string[];
  /** Actions allowed only as items of a TransactWriteItems. */
  readonly transactional: readonly string[];
}

export const CONNECTIONS_ACCESS: Readonly<Record<ConnectionsAccess, ConnectionsGrant>> = {
  subscribe: { direct: [], transactional: ['dynamodb:PutItem'] },
  forget: { direct: ['dynamodb:GetItem', 'dynamodb:DeleteItem'], transactional: [] },
  deliver: { direct: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], transactional: [] },
};

export function connectionsAccessStatements(table: ITableV2, access: ConnectionsAccess): PolicyStatement[] {
  const { direct, transactional } = CONNECTIONS_ACCESS[access];
  const statements: PolicyStatement[] = [];
  if (direct.length > 0) statements.push(new PolicyStatement({ sid: 'Connections', actions: [...direct], resources: [table.tableArn] }));
  if (transactional.length > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'ConnectionsTransactWrite',
        actions: [...transactional],
        resources: [table.tableArn],
        conditions: { StringEquals: { 'dynamodb:EnclosingOperation': 'TransactWriteItems' } },
      }),
    );
  }
  return statements;
}

export function grantConnectionsAccess(grantee: IGrantable, table: ITableV2, access: ConnectionsAccess): void {
  for (const statement of connectionsAccessStatements(table, access)) grantee.grantPrincipal.addToPrincipalPolicy(statement);
}
