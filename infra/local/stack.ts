/**
 * @module stack
 * The whole system on one machine: DynamoDB Local (or an existing endpoint), the table, a
 * static token file with an admin token, a TLS certificate, the HTTPS gateway serving the
 * Lambda handlers, and a kubeconfig pointing at it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseTokenFile } from '../../shared/auth/static-tokens.js';
import { ensureTable } from '../../shared/storage/dynamo/table-admin.js';
import { startDevGateway, type DevGateway } from './dev-gateway.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { ensureTls } from './tls.js';

export interface LocalStackOptions {
  readonly root: string;
  /** HTTPS port; 0 picks a free one. */
  readonly port: number;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  readonly dynamodbEndpoint?: string;
  /** Persist DynamoDB Local data here (default: in memory). */
  readonly dataDir?: string;
  readonly tableName: string;
  readonly kubeconfigOut: string;
  readonly tokensFile: string;
  /** Directory for generated material (TLS). */
  readonly stateDir: string;
  readonly log?: (line: string) => void;
  /** Extra environment for the handlers (registry hostnames, retention, …). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface LocalStack {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly dynamodbEndpoint: string;
  readonly kubeconfig: string;
  stop(): Promise<void>;
}

function ensureTokens(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const token = randomBytes(24).toString('base64url');
    writeFileSync(file, `${token},admin,local-admin,"system:masters"\n`, { mode: 0o600 });
  }
  const first = parseTokenFile(readFileSync(file, 'utf8'))[0];
  if (!first) throw new Error(`${file} has no tokens`);
  return first.token;
}

export function kubeconfigYaml(server: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: imagestream-local',
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: imagestream-admin',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: imagestream-local',
    '  context:',
    '    cluster: imagestream-local',
    '    user: imagestream-admin',
    '    namespace: default',
    'current-context: imagestream-local',
    '',
  ].join('\n');
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  let ddb: DynamoDbLocal | undefined;
  let gateway: DevGateway | undefined;
  try {
    const endpoint = opts.dynamodbEndpoint ?? (ddb = await startDynamoDbLocal(opts.dataDir ? { dataDir: opts.dataDir } : {})).endpoint;
    const region = process.env['AWS_REGION'] ?? 'us-east-1';
    const client = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await ensureTable(client, opts.tableName);
    client.destroy();
    const token = ensureTokens(opts.tokensFile);
    const tls = await ensureTls(path.join(opts.stateDir, 'tls'));
    Object.assign(process.env, {
      TABLE_NAME: opts.tableName,
      DYNAMODB_ENDPOINT: endpoint,
      AWS_REGION: region,
      TOKENS_FILE: opts.tokensFile,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env['POWERTOOLS_LOG_LEVEL'] ?? 'WARN',
      ...opts.env,
    });
    gateway = await startDevGateway({ port: opts.port, tls, root: opts.root, ...(opts.log ? { log: opts.log } : {}) });
    mkdirSync(path.dirname(opts.kubeconfigOut), { recursive: true });
    writeFileSync(opts.kubeconfigOut, kubeconfigYaml(gateway.url, token), { mode: 0o600 });
    const g = gateway;
    const d = ddb;
    return {
      url: g.url,
      port: g.port,
      token,
      dynamodbEndpoint: endpoint,
      kubeconfig: opts.kubeconfigOut,
      stop: async () => {
        await g.close();
        await d?.stop();
      },
    };
  } catch (e) {
    await gateway?.close();
    await ddb?.stop();
    throw e;
  }
}
