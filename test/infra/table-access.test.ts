/**
 * The table grants against what the store really sends: every DynamoDB command in
 * `shared/storage/dynamo/` (and every action kind inside its transactions) must be covered by the
 * read-write grant, and nothing more is granted. A new command in the store fails here
 * until the grant follows.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLE_READ_ACTIONS, TABLE_TRANSACT_WRITE_ACTIONS } from '../../infra/constructs/table-access.js';
import { REPO_ROOT } from '../../infra/stacks/settings.js';

/** The storage code the functions run (table-admin.ts creates tables for the local stack only). */
const DYNAMO_DIR = path.join(REPO_ROOT, 'shared/storage/dynamo');
const STORE = readdirSync(DYNAMO_DIR)
  .filter((f) => f.endsWith('.ts') && f !== 'table-admin.ts')
  .map((f) => readFileSync(path.join(DYNAMO_DIR, f), 'utf8'))
  .join('\n');

/** IAM actions a DynamoDB API call needs; a transaction needs one per action kind inside it. */
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

function neededActions(source: string): { direct: Set<string>; transactional: Set<string> } {
  const commands = new Set([...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]!));
  const direct = new Set([...commands].filter((c) => c !== 'TransactWriteItems').map((c) => `dynamodb:${c}`));
  const transactional = new Set<string>();
  if (commands.has('TransactWriteItems')) {
    for (const [kind, action] of Object.entries(TRANSACT_ITEM_ACTIONS)) {
      if (new RegExp(`\\b${kind}: \\{`).test(source)) transactional.add(action);
    }
  }
  return { direct, transactional };
}

describe('table-access', () => {
  it('finds the commands the store sends', () => {
    const { direct, transactional } = neededActions(STORE);
    expect(direct.size).toBeGreaterThan(0);
    expect(transactional.size).toBeGreaterThan(0);
  });

  it('grants exactly the store’s direct calls as reads', () => {
    expect([...neededActions(STORE).direct].sort()).toEqual([...TABLE_READ_ACTIONS].sort());
  });

  it('grants exactly the action kinds inside its transactions as transaction-only writes', () => {
    expect([...neededActions(STORE).transactional].sort()).toEqual([...TABLE_TRANSACT_WRITE_ACTIONS].sort());
  });
});
