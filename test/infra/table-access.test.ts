/**
 * The table grants against what the store really sends: every DynamoDB command in
 * `shared/storage/dynamo/` (and every action kind inside its transactions) must be covered by the
 * read-write grant, and nothing more is granted. A new command in the store fails here
 * until the grant follows.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTIONS_ACCESS, type ConnectionsAccess } from '../../infra/constructs/connections-access.js';
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

/**
 * The connections table grants against the connections store: each method's DynamoDB calls
 * (through its private helpers), grouped by the functions that call them, must be exactly
 * what the level grants.
 */
describe('connections-access', () => {
  const source = readFileSync(path.join(DYNAMO_DIR, 'connections/store.ts'), 'utf8');
  const classBody = source.slice(source.indexOf('export class DynamoConnectionStore'));
  const methods = new Map<string, string>();
  const starts = [...classBody.matchAll(/^ {2}(?:async )?(#?\w+)\(/gm)];
  starts.forEach((m, i) => methods.set(m[1]!, classBody.slice(m.index, starts[i + 1]?.index ?? classBody.length)));

  /** The body of a method with the bodies of the methods it calls on `this`, transitively. */
  function reach(name: string, seen = new Set<string>()): string {
    if (seen.has(name)) return '';
    seen.add(name);
    const body = methods.get(name) ?? '';
    return [body, ...[...body.matchAll(/this\.(#?\w+)\(/g)].map((m) => reach(m[1]!, seen))].join('\n');
  }

  /** Which store methods each kind of function calls (shared/watch: connect.ts, delivery.ts, tick.ts). */
  const CALLERS: Record<ConnectionsAccess, (method: string) => boolean> = {
    subscribe: (m) => m === 'create',
    forget: (m) => m === 'remove',
    deliver: (m) => !m.startsWith('#') && m !== 'constructor' && m !== 'create',
  };

  it('finds the store methods', () => {
    expect([...methods.keys()]).toEqual(expect.arrayContaining(['create', 'remove', 'get', 'acquirePartition', 'joinFromPending', '#update']));
  });

  it.each(Object.keys(CONNECTIONS_ACCESS) as ConnectionsAccess[])('%s grants exactly what its methods send', (level) => {
    const used = [...methods.keys()].filter(CALLERS[level]).map((m) => reach(m)).join('\n');
    const { direct, transactional } = neededActions(used);
    const grant = CONNECTIONS_ACCESS[level];
    expect([...grant.direct].sort()).toEqual([...direct].sort());
    // A transaction item kind already granted directly needs no transaction-only grant.
    expect([...grant.transactional].sort()).toEqual([...transactional].filter((a) => !direct.has(a)).sort());
  });

  it('together covers every call of the store', () => {
    const { direct, transactional } = neededActions(source);
    const granted = new Set(Object.values(CONNECTIONS_ACCESS).flatMap((g) => [...g.direct, ...g.transactional]));
    expect([...new Set([...direct, ...transactional])].sort()).toEqual([...granted].sort());
  });
});
