/**
 * 2. DynamoDB round trips per operation: the App in process (`createApp({ config, dynamo })`)
 * on a DynamoDBClient with a counting middleware, against DynamoDB Local. Requests run one
 * at a time, so every call the middleware sees belongs to the request in flight. Commands
 * are counted at the `initialize` step (once per `send`), attempts at `deserialize` (once per
 * HTTP request, SDK retries included).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { benchImageStream, benchUpdatedImageStream } from '../../shared/image/bench-fixtures.js';
import type { ImageStream } from '../../shared/image/types.js';
import { ensureTable } from '../../shared/storage/dynamo/table-admin.js';
import { benchDynamoClient } from '../lib/dynamo-client.js';
import { collectionPath, objectPath } from '../lib/https-client.js';
import { inProcessApp } from '../lib/in-process.js';
import { emptySection, fmt, median, row, table } from '../lib/stats.js';
import type { BenchContext, SectionResult } from '../lib/types.js';

interface Counted {
  commands: string[];
  attempts: number;
  /** Failed calls: command and error (transaction cancellation reasons included). */
  failures: string[];
}

function countingClient(endpoint: string, table: string): { client: DynamoDBClient; begin(): void; end(): Counted } {
  const client = benchDynamoClient(endpoint, table);
  let current: Counted = { commands: [], attempts: 0, failures: [] };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const counted = current;
      counted.commands.push(context.commandName ?? 'unknown');
      try {
        return await next(args);
      } catch (e) {
        const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons?.map((r) => r.Code ?? '-').join('/');
        counted.failures.push(`${context.commandName ?? '?'}: ${e instanceof Error ? e.name : String(e)}${reasons ? ` [${reasons}]` : ''}`);
        throw e;
      }
    },
    { step: 'initialize', name: 'benchCountCommands' },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      current.attempts++;
      return next(args);
    },
    { step: 'deserialize', name: 'benchCountAttempts' },
  );
  return {
    client,
    begin: () => {
      current = { commands: [], attempts: 0, failures: [] };
    },
    end: () => {
      const done = current;
      // Calls outside a measured request (setup) go to a scratch record.
      current = { commands: [], attempts: 0, failures: [] };
      return done;
    },
  };
}

interface OpStats {
  readonly label: string;
  readonly perRequest: Counted[];
  /** The raw minimum (section 1's raw baseline). */
  readonly minimum: number;
  /** Most calls allowed (the issue's target). */
  readonly max: number;
}

const byCommand = (list: readonly Counted[]): string => {
  const counts = new Map<string, number>();
  for (const c of list) for (const name of c.commands) counts.set(name.replace(/Command$/, ''), (counts.get(name.replace(/Command$/, '')) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${k} ×${fmt(v / Math.max(1, list.length))}`).join(', ');
};

export async function run(ctx: BenchContext): Promise<SectionResult> {
  const out = emptySection('round-trips', '2. DynamoDB round trips per request (in process, DynamoDB Local)', 'the calls the raw operation needs (section 1)');
  const tableName = `bench-rt-${Date.now().toString(36)}`;
  const counting = countingClient(ctx.dynamodbEndpoint, tableName);
  try {
    await ensureTable(counting.client, tableName);
    const api = inProcessApp({ dynamo: counting.client, env: { TABLE_NAME: tableName, DYNAMODB_ENDPOINT: ctx.dynamodbEndpoint } });
    const ns = 'rt';
    const k = ctx.n(20, 5);
    const fill = ctx.n(120, 110);
    const measured = async (f: () => Promise<unknown>): Promise<Counted> => {
      counting.begin();
      await f();
      return counting.end();
    };
    const ops: OpStats[] = [];
    const objects: ImageStream[] = [];
    // Creates: the very first one of the process is kept apart (it reads the counter first).
    const creates: Counted[] = [];
    for (let i = 0; i < k; i++) {
      creates.push(await measured(async () => (objects[i] = await api.json('POST', collectionPath(ns), benchImageStream(20, { namespace: ns, name: `s-${i}` })))));
    }
    ops.push({ label: 'create (first of the process)', perRequest: creates.slice(0, 1), minimum: 1, max: 2 });
    ops.push({ label: 'create', perRequest: creates.slice(1), minimum: 1, max: 2 });
    const gets: Counted[] = [];
    for (let i = 0; i < k; i++) gets.push(await measured(() => api.json('GET', objectPath(ns, `s-${i}`))));
    ops.push({ label: 'get', perRequest: gets, minimum: 1, max: 1 });
    const updates: Counted[] = [];
    for (let i = 0; i < k; i++) {
      updates.push(await measured(async () => (objects[i] = await api.json('PUT', objectPath(ns, `s-${i}`), benchUpdatedImageStream(objects[i]!)))));
    }
    ops.push({ label: 'update', perRequest: updates, minimum: 2, max: 3 });
    const patches: Counted[] = [];
    for (let i = 0; i < k; i++) {
      patches.push(await measured(() => api.json('PATCH', objectPath(ns, `s-${i}`), { metadata: { labels: { p: String(i) } } }, 'application/merge-patch+json')));
    }
    ops.push({ label: 'patch (merge)', perRequest: patches, minimum: 2, max: 3 });
    // Lists: enough objects for a full first page and a continuation.
    for (let i = k; i < fill; i++) await api.json('POST', collectionPath(ns), benchImageStream(20, { namespace: ns, name: `s-${i}` }));
    const firstPages: Counted[] = [];
    const nextPages: Counted[] = [];
    for (let i = 0; i < k; i++) {
      let token = '';
      firstPages.push(await measured(async () => (token = (await api.json('GET', `${collectionPath(ns)}?limit=100`)).metadata.continue ?? '')));
      if (!token) throw new Error('list: expected a continue token');
      nextPages.push(await measured(() => api.json('GET', `${collectionPath(ns)}?limit=100&continue=${encodeURIComponent(token)}`)));
    }
    ops.push({ label: 'list, first page (limit=100)', perRequest: firstPages, minimum: 1, max: 1 });
    ops.push({ label: 'list, continuation page', perRequest: nextPages, minimum: 1, max: 1 });
    let pages = 0;
    const walk = await measured(async () => {
      let token: string | undefined;
      do {
        const page = await api.json('GET', `${collectionPath(ns)}?limit=25${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
        token = page.metadata.continue || undefined;
        pages++;
      } while (token);
    });
    const deletes: Counted[] = [];
    for (let i = 0; i < k; i++) deletes.push(await measured(() => api.json('DELETE', objectPath(ns, `s-${i}`))));
    ops.push({ label: 'delete', perRequest: deletes, minimum: 2, max: 2 });

    const detail: string[][] = [];
    for (const op of ops) {
      const calls = op.perRequest.map((c) => c.commands.length);
      const attempts = op.perRequest.map((c) => c.attempts);
      const worst = Math.max(...calls);
      out.rows.push(row(`${op.label}: calls (max)`, worst, 'calls', op.minimum, { on: 'value', max: op.max }));
      const failures = op.perRequest.flatMap((c) => c.failures);
      detail.push([op.label, String(op.perRequest.length), fmt(median(calls)), String(worst), String(Math.max(...attempts)), String(failures.length), byCommand(op.perRequest)]);
      out.data[op.label] = { calls, attempts, commands: op.perRequest.map((c) => c.commands), failures: op.perRequest.map((c) => c.failures) };
      const kinds = new Map<string, number>();
      for (const f of failures) kinds.set(f, (kinds.get(f) ?? 0) + 1);
      if (kinds.size > 0) out.notes.push(`${op.label}: failed calls ${[...kinds].map(([k, v]) => `${k} ×${v}`).join(', ')} (the request retried them).`);
    }
    out.rows.push(row(`paged list of ${fill} (limit=25): calls per page`, walk.commands.length / pages, 'calls', 1, { on: 'value', max: 1 }));
    detail.push([`paged list of ${fill} (limit=25, ${pages} pages)`, '1', '', String(walk.commands.length), String(walk.attempts), String(walk.failures.length), byCommand([walk])]);
    out.tables.push(table('Calls per request', ['operation', 'requests', 'median', 'max', 'max attempts', 'failed calls', 'commands per request (mean)'], detail));
    out.notes.push(
      `${k} requests per operation, one at a time, 20-tag streams; value = most calls any request made, baseline = calls the raw operation needs. ` +
        `"attempts" counts HTTP requests to DynamoDB (SDK retries included).`,
    );
  } finally {
    counting.client.destroy();
  }
  return out;
}

