/**
 * `npm run prune`: prunes image stream history (the tag revisions of `oc adm prune images`)
 * through the server's `imagestreamprunes` endpoint, as the kubeconfig's user (a cluster
 * administrator), and prints the report. A dry run unless `--confirm`.
 *
 * Usage:
 * ```sh
 * npm run prune                                      # dry run against the local stack
 * npm run prune -- --keep-tag-revisions=3 --keep-younger-than=60m --confirm
 * npm run prune -- --namespace=demo --kubeconfig=.local/ImageStream-dev-Api.kubeconfig -o json
 * ```
 *
 * Options (`--name=value` or `--name value`):
 * - `--keep-tag-revisions <n>`  revisions per tag kept regardless of age (default 3)
 * - `--keep-younger-than <d>`   Go duration: younger history and streams are kept (default 60m)
 * - `--namespace <ns>`          only this namespace's streams (default: all)
 * - `--confirm`                 apply (default: dry run)
 * - `--kubeconfig <file>`       default `.local/kubeconfig` (the local stack's)
 * - `-o json`                   print the ImageStreamPrune response instead of the report
 *
 * Exit status: 0 on success, 1 when the server refused the run or a stream failed, 2 on
 * bad arguments.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export class PruneCliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'PruneCliError';
  }
}

export interface PruneArgs {
  readonly keepTagRevisions?: number;
  readonly keepYoungerThan?: string;
  readonly namespace?: string;
  readonly confirm: boolean;
  readonly kubeconfig?: string;
  readonly output: 'report' | 'json';
}

const FLAGS_WITH_VALUE = new Set(['keep-tag-revisions', 'keep-younger-than', 'namespace', 'kubeconfig', 'o', 'output']);

export function parseArgs(argv: readonly string[]): PruneArgs {
  const values = new Map<string, string>();
  let confirm = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new PruneCliError(`unexpected argument ${JSON.stringify(arg)}`, 2);
    const [, name = '', inline] = m;
    if (name === 'confirm') {
      confirm = inline === undefined || inline === 'true';
      continue;
    }
    if (!FLAGS_WITH_VALUE.has(name)) throw new PruneCliError(`unknown flag --${name}`, 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new PruneCliError(`flag --${name} needs a value`, 2);
    values.set(name === 'output' ? 'o' : name, value);
  }
  const revisions = values.get('keep-tag-revisions');
  if (revisions !== undefined && !/^-?\d+$/.test(revisions)) throw new PruneCliError(`--keep-tag-revisions must be an integer, got ${JSON.stringify(revisions)}`, 2);
  const output = values.get('o') ?? 'report';
  if (output !== 'report' && output !== 'json') throw new PruneCliError(`-o must be json, got ${JSON.stringify(output)}`, 2);
  return {
    confirm,
    output,
    ...(revisions !== undefined ? { keepTagRevisions: Number(revisions) } : {}),
    ...(values.has('keep-younger-than') ? { keepYoungerThan: values.get('keep-younger-than')! } : {}),
    ...(values.has('namespace') ? { namespace: values.get('namespace')! } : {}),
    ...(values.has('kubeconfig') ? { kubeconfig: values.get('kubeconfig')! } : {}),
  };
}

export interface Target {
  readonly server: string;
  readonly token?: string;
  readonly insecure: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const named = (list: unknown, name: unknown): Record<string, unknown> | undefined =>
  Array.isArray(list) ? (list.find((e) => isRecord(e) && e['name'] === name) as Record<string, unknown> | undefined) : undefined;

/** The server and bearer token of the kubeconfig's current context. */
export function targetFromKubeconfig(text: string): Target {
  const doc: unknown = parseYaml(text);
  if (!isRecord(doc)) throw new PruneCliError('the kubeconfig is not a YAML mapping', 1);
  const context = named(doc['contexts'], doc['current-context'])?.['context'];
  if (!isRecord(context)) throw new PruneCliError(`the kubeconfig has no context ${JSON.stringify(doc['current-context'])}`, 1);
  const cluster = named(doc['clusters'], context['cluster'])?.['cluster'];
  if (!isRecord(cluster) || typeof cluster['server'] !== 'string') throw new PruneCliError('the kubeconfig context has no cluster server', 1);
  const user = named(doc['users'], context['user'])?.['user'];
  const token = isRecord(user) && typeof user['token'] === 'string' ? user['token'] : undefined;
  return { server: cluster['server'].replace(/\/+$/, ''), ...(token ? { token } : {}), insecure: cluster['insecure-skip-tls-verify'] === true };
}

export interface PruneReport {
  readonly dryRun: boolean;
  readonly deletedItemCount: number;
  readonly updatedStreamCount: number;
  readonly streams: readonly {
    namespace: string;
    name: string;
    deletedItems: readonly { tag: string; revision: number; image: string; dockerImageReference: string }[];
    deletedTags: readonly string[];
  }[];
  readonly failures: readonly { namespace: string; name: string; message: string }[];
}

/** The report as `oc adm prune images` prints its stream part. */
export function formatReport(report: PruneReport): string {
  const lines: string[] = [];
  if (report.dryRun) lines.push('Dry run enabled - no modifications will be made. Add --confirm to remove images', '');
  const rows = report.streams.flatMap((s) => s.deletedItems.map((i) => [`${s.namespace}/${s.name}`, i.tag, String(i.revision), i.image || i.dockerImageReference]));
  if (rows.length > 0) {
    lines.push('Deleting references from image streams to images ...');
    const table = [['STREAM', 'TAG', 'REVISION', 'IMAGE'], ...rows];
    const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
    for (const r of table) lines.push(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 3))).join(''));
    const removedTags = report.streams.flatMap((s) => s.deletedTags.map((t) => `${s.namespace}/${s.name}:${t}`));
    if (removedTags.length > 0) lines.push('', `Status tags left without history (removed): ${removedTags.join(', ')}`);
    lines.push('');
  }
  for (const f of report.failures) lines.push(`error: imagestream ${f.namespace}/${f.name}: ${f.message}`);
  const summary =
    report.deletedItemCount === 0
      ? 'deleted 0 objects'
      : `deleted ${report.deletedItemCount} image stream tag item(s), updated ${report.updatedStreamCount} image stream(s)`;
  lines.push(`Summary: ${summary}`);
  return lines.join('\n') + '\n';
}

interface Response {
  readonly status: number;
  readonly body: string;
}

function post(target: Target, urlPath: string, body: string): Promise<Response> {
  const url = new URL(target.server + urlPath);
  const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Content-Length': String(Buffer.byteLength(body)),
          'User-Agent': 'imagestream-prune/v1',
          ...(target.token ? { Authorization: `Bearer ${target.token}` } : {}),
        },
        ...(url.protocol === 'https:' ? { rejectUnauthorized: !target.insecure } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export const PRUNE_PATH = '/apis/imagestreams.internal/v1/imagestreamprunes';

/** Runs the prune and returns what to print and the exit status. */
export async function runPrune(args: PruneArgs, target: Target): Promise<{ output: string; exitCode: number }> {
  const spec = {
    confirm: args.confirm,
    ...(args.keepTagRevisions !== undefined ? { keepTagRevisions: args.keepTagRevisions } : {}),
    ...(args.keepYoungerThan !== undefined ? { keepYoungerThan: args.keepYoungerThan } : {}),
    ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
  };
  const res = await post(target, PRUNE_PATH, JSON.stringify({ apiVersion: 'imagestreams.internal/v1', kind: 'ImageStreamPrune', metadata: {}, spec }));
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    throw new PruneCliError(`unexpected response (HTTP ${res.status}): ${res.body.slice(0, 200)}`, 1);
  }
  if (res.status !== 201 || !isRecord(json) || !isRecord(json['status'])) {
    const message = isRecord(json) && typeof json['message'] === 'string' ? json['message'] : res.body.slice(0, 200);
    const reason = isRecord(json) && typeof json['reason'] === 'string' ? ` (${json['reason']})` : '';
    throw new PruneCliError(`Error from server${reason}: ${message}`, 1);
  }
  const report = json['status'] as unknown as PruneReport;
  const output = args.output === 'json' ? JSON.stringify(json, null, 2) + '\n' : formatReport(report);
  return { output, exitCode: report.failures.length > 0 ? 1 : 0 };
}

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const args = parseArgs(process.argv.slice(2));
    const file = args.kubeconfig ?? path.join(root, '.local/kubeconfig');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new PruneCliError(`cannot read kubeconfig ${file}: ${(e as Error).message} (start the local stack with npm start, or pass --kubeconfig)`, 1);
    }
    const { output, exitCode } = await runPrune(args, targetFromKubeconfig(text));
    process.stdout.write(output);
    process.exitCode = exitCode;
  } catch (e) {
    const code = e instanceof PruneCliError ? e.exitCode : 1;
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = code;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
