/**
 * The watch stack as synthesized (once, bundling only this stack): the connections table
 * from `CONNECTIONS_TABLE_SPEC`, the WebSocket API's three routes wired to their functions,
 * the stage and its outputs, the fan-out's two event source mappings with exactly the
 * specified settings and filters, the tick schedule, the exact IAM of every function, the
 * environments, alarms and bundles.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLE_KEY_ACTIONS } from '../../infra/constructs/table-access.js';
import { createImageStreamStacks } from '../../infra/stacks/imagestream-stacks.js';
import { CONNECTIONS_TABLE_SPEC } from '../../shared/storage/dynamo/connections/table.js';
import { LOG_STREAM_FILTER, SUBSCRIPTION_STREAM_FILTER } from '../../shared/storage/dynamo/stream-records.js';
import { WATCH_ENTRIES, type WatchEntry } from '../../shared/watch/entries.js';
import {
  actionsOf,
  bundleOf,
  importedFrom,
  logicalIdOf,
  only,
  outputsOf,
  refId,
  removeTestApps,
  resources,
  roleStatements,
  settingsFrom,
  testApp,
  type Statement,
  expectLeastPrivilege,
} from './template-helpers.js';

const STAGE = 'dev';
const app = testApp({ 'aws:cdk:bundling-stacks': [`ImageStream-${STAGE}-Watch`] });
afterAll(removeTestApps);
const stacks = createImageStreamStacks(
  app,
  settingsFrom({ staticTokensSecret: 'imagestream/dev/tokens', oidcIssuerUrl: 'https://issuer.example.com', oidcClientId: 'kubernetes' }),
);
const { watch } = stacks;
const template = Template.fromStack(watch);
const dataTemplate = Template.fromStack(stacks.data);
const apiTemplate = Template.fromStack(stacks.api);

const entries = Object.keys(WATCH_ENTRIES) as WatchEntry[];
const fnId = (e: WatchEntry) => logicalIdOf(watch.functions[e].function);
const fnProps = (e: WatchEntry) => resources(template, 'AWS::Lambda::Function')[fnId(e)]!.Properties!;
const env = (e: WatchEntry) => (fnProps(e)['Environment'] as { Variables: Record<string, unknown> }).Variables;
const roleId = (e: WatchEntry) => logicalIdOf(watch.functions[e].role);

const connectionsId = logicalIdOf(watch.connectionsTable);
const apiId = logicalIdOf(watch.api);
const dlqId = logicalIdOf(watch.fanoutDlq);
const tableId = only(Object.keys(resources(dataTemplate, 'AWS::DynamoDB::GlobalTable')), 'table');
const keyId = only(Object.keys(resources(dataTemplate, 'AWS::KMS::Key')), 'key');

/** A statement's resource as a name: `table`, `table-stream`, `table-key`, `connections`, `own-logs`, … */
function resourceName(entry: WatchEntry, r: unknown): string {
  const imported = importedFrom([dataTemplate, apiTemplate], r) as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const getAtt = (imported ?? (r as { 'Fn::GetAtt'?: [string, string] }))['Fn::GetAtt'];
  if (getAtt) {
    const [id, attr] = getAtt;
    if (id === tableId) return attr === 'Arn' ? 'table' : attr === 'StreamArn' ? 'table-stream' : `table.${attr}`;
    if (id === keyId) return 'table-key';
    if (id === connectionsId) return attr === 'Arn' ? 'connections' : attr === 'StreamArn' ? 'connections-stream' : `connections.${attr}`;
    if (id === dlqId) return 'fanout-dlq';
    if (id === logicalIdOf(watch.functions[entry].logGroup)) return 'own-logs';
    return `${id}.${attr}`;
  }
  const join = (r as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) {
    const parts = join[1];
    if (parts.some((p) => refId(p) === apiId)) return `websocket-api${String(parts.at(-1))}`;
  }
  return JSON.stringify(r);
}

/** Every statement of a function's role as `actions → resource [condition]`, sorted. */
function grants(entry: WatchEntry): string[] {
  return roleStatements(template, roleId(entry))
    .map((s: Statement) => {
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      const cond = s.Condition ? ` if ${JSON.stringify(s.Condition).replace(/\{"Fn::Join":\["",\["dynamodb\.",\{"Ref":"AWS::Region"\},"\.amazonaws\.com"\]\]\}/, '"dynamodb.<region>.amazonaws.com"')}` : '';
      expect(s.Effect).toBe('Allow');
      return `${[...actionsOf(s)].sort().join(',')} → ${resources.map((r) => resourceName(entry, r)).join(',')}${cond}`;
    })
    .sort();
}

const LOGS = 'logs:CreateLogStream,logs:PutLogEvents → own-logs';
const TABLE_READ = 'dynamodb:BatchGetItem,dynamodb:GetItem,dynamodb:Query → table';
const TABLE_KEY = `${[...TABLE_KEY_ACTIONS].sort().join(',')} → table-key if {"StringEquals":{"kms:ViaService":"dynamodb.<region>.amazonaws.com"}}`;
const MANAGE_CONNECTIONS = `execute-api:ManageConnections → websocket-api/${STAGE}/*/@connections/*`;
const DELIVER = 'dynamodb:DeleteItem,dynamodb:GetItem,dynamodb:Query,dynamodb:UpdateItem → connections';

describe('WatchStack', () => {
  describe('connections table', () => {
    const table = resources(template, 'AWS::DynamoDB::GlobalTable')[connectionsId]!;

    it('has the key schema, TTL and KEYS_ONLY stream of CONNECTIONS_TABLE_SPEC, on demand', () => {
      expect(table.Properties).toMatchObject({
        KeySchema: [
          { AttributeName: CONNECTIONS_TABLE_SPEC.partitionKey, KeyType: 'HASH' },
          { AttributeName: CONNECTIONS_TABLE_SPEC.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        StreamSpecification: { StreamViewType: 'KEYS_ONLY' },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      });
      expect(CONNECTIONS_TABLE_SPEC).toMatchObject({ partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'ttl', streamViewType: 'KEYS_ONLY' });
    });

    it('is ephemeral: no PITR, no deletion protection, removal policy from the settings (retain)', () => {
      expect(table.Properties?.['Replicas']).toEqual([expect.objectContaining({ DeletionProtectionEnabled: false })]);
      expect(JSON.stringify(table.Properties)).not.toContain('PointInTimeRecovery');
      expect(table.DeletionPolicy).toBe('Retain');
    });
  });

  describe('WebSocket API', () => {
    it('is a WebSocket API with exactly $connect, $disconnect and $default, no authorizer', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      expect(resources(template, 'AWS::ApiGatewayV2::Api')[apiId]!.Properties).toMatchObject({ ProtocolType: 'WEBSOCKET' });
      const routes = Object.values(resources(template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties!);
      expect(routes.map((r) => r['RouteKey']).sort()).toEqual(['$connect', '$default', '$disconnect']);
      for (const r of routes) expect(r['AuthorizationType']).toBe('NONE');
      template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    });

    it.each([
      ['$connect', 'connect'],
      ['$disconnect', 'disconnect'],
      ['$default', 'default'],
    ] as const)('%s → Lambda proxy integration of functions/watch/%s.ts, invocable from that route only', (routeKey, entry) => {
      const route = only(
        Object.values(resources(template, 'AWS::ApiGatewayV2::Route')).filter((r) => r.Properties?.['RouteKey'] === routeKey),
        routeKey,
      );
      const target = (route.Properties?.['Target'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      const integration = resources(template, 'AWS::ApiGatewayV2::Integration')[refId(target[1])!]!;
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', ApiId: { Ref: apiId } });
      const uri = (integration.Properties?.['IntegrationUri'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      expect(uri.map(refId).filter((id) => id !== undefined && !id.startsWith('AWS::'))).toEqual([fnId(entry)]);
      expect(WATCH_ENTRIES[entry]).toBe(`functions/watch/${entry}.ts`);
      const permission = only(
        Object.values(resources(template, 'AWS::Lambda::Permission')).filter((p) => refId(p.Properties?.['FunctionName']) === fnId(entry)),
        `permission of ${entry}`,
      );
      expect(permission.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
      const source = (permission.Properties?.['SourceArn'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      expect(refId(source.at(-2))).toBe(apiId);
      expect(source.at(-1)).toBe(`/*${routeKey}`);
    });

    it('deploys the stage automatically, with JSON access logs that hold no header or query string', () => {
      const stage = only(Object.values(resources(template, 'AWS::ApiGatewayV2::Stage')), 'stage').Properties!;
      expect(stage).toMatchObject({ ApiId: { Ref: apiId }, StageName: STAGE, AutoDeploy: true });
      const logs = stage['AccessLogSettings'] as { DestinationArn: unknown; Format: string };
      const format = JSON.parse(logs.Format) as Record<string, string>;
      expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', connectionId: '$context.connectionId', status: '$context.status' });
      expect(logs.Format).not.toMatch(/header|querystring|authorization/i);
      const group = resources(template, 'AWS::Logs::LogGroup')[refId(logs.DestinationArn)!]!;
      expect(group.Properties).toMatchObject({ RetentionInDays: 30 });
    });

    it('outputs the wss:// stage URL and the https:// callback URL', () => {
      const outputs = outputsOf(template);
      const url = (key: string) => (outputs[key]!.Value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      expect(url('WebSocketUrl')).toEqual(['wss://', { Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${STAGE}`]);
      expect(url('WebSocketCallbackUrl')).toEqual(['https://', { Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${STAGE}`]);
      expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['WebSocketApiId', 'ConnectionsTableName', 'FanoutDlqUrl']));
    });
  });

  describe('fan-out event source mappings', () => {
    const mappings = Object.values(resources(template, 'AWS::Lambda::EventSourceMapping')).map((m) => m.Properties!);
    const common = {
      FunctionName: { Ref: fnId('fanout') },
      StartingPosition: 'LATEST',
      MaximumBatchingWindowInSeconds: 0,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
      MetricsConfig: { Metrics: ['EventCount'] },
      Tags: expect.any(Array),
    };

    it('has exactly two, both on the fan-out function', () => {
      expect(mappings).toHaveLength(2);
    });

    it('main table stream: event-log INSERTs only, batches of 100, records at most 15 minutes old', () => {
      const m = only(
        mappings.filter((x) => importedFrom([dataTemplate], x['EventSourceArn']) !== undefined),
        'main table mapping',
      );
      expect(importedFrom([dataTemplate], m['EventSourceArn'])).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
      expect(m).toEqual({
        ...common,
        EventSourceArn: m['EventSourceArn'],
        BatchSize: 100,
        MaximumRecordAgeInSeconds: 900,
        FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT"],"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"log#"}]}}}}' }] },
      });
      expect(JSON.parse((m['FilterCriteria'] as { Filters: { Pattern: string }[] }).Filters[0]!.Pattern)).toEqual(LOG_STREAM_FILTER);
    });

    it('connections table stream: new subscriptions only, batches of 50, records at most 5 minutes old', () => {
      const m = only(
        mappings.filter((x) => JSON.stringify(x['EventSourceArn']) === JSON.stringify({ 'Fn::GetAtt': [connectionsId, 'StreamArn'] })),
        'connections mapping',
      );
      expect(m).toEqual({
        ...common,
        EventSourceArn: { 'Fn::GetAtt': [connectionsId, 'StreamArn'] },
        BatchSize: 50,
        MaximumRecordAgeInSeconds: 300,
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify(SUBSCRIPTION_STREAM_FILTER) }] },
      });
      expect(JSON.parse((m['FilterCriteria'] as { Filters: { Pattern: string }[] }).Filters[0]!.Pattern)).toEqual({
        eventName: ['INSERT'],
        dynamodb: { Keys: { pk: { S: [{ prefix: 'sub#' }] } } },
      });
    });

    it('sends given-up batches to an encrypted, TLS-only queue that keeps them 14 days', () => {
      expect(resources(template, 'AWS::SQS::Queue')[dlqId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
      const policy = only(
        Object.values(resources(template, 'AWS::SQS::QueuePolicy')).filter((p) => refId((p.Properties?.['Queues'] as unknown[])[0]) === dlqId),
        'dlq policy',
      );
      expect((policy.Properties?.['PolicyDocument'] as { Statement: unknown[] }).Statement).toEqual([
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]);
    });
  });

  describe('functions', () => {
    it('creates one function per watch entry', () => {
      template.resourceCountIs('AWS::Lambda::Function', entries.length);
    });

    it.each(entries)('%s: nodejs22.x on arm64 from the shared preset', (entry) => {
      expect(fnProps(entry)).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', LoggingConfig: { LogGroup: expect.anything() } });
    });

    it('fan-out: 1024 MB and 30 s (below the 60 s partition lease); tick: 50 s; routes: 29 s', () => {
      expect(fnProps('fanout')).toMatchObject({ MemorySize: 1024, Timeout: 30 });
      expect(fnProps('tick')).toMatchObject({ Timeout: 50 });
      for (const e of ['connect', 'disconnect', 'default'] as const) expect(fnProps(e)['Timeout']).toBe(29);
    });

    it('tick: once a minute, no retries, no stale invocations', () => {
      const rule = only(Object.values(resources(template, 'AWS::Events::Rule')), 'rule').Properties!;
      expect(rule).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
      expect(rule['Targets']).toEqual([{ Arn: { 'Fn::GetAtt': [fnId('tick'), 'Arn'] }, Id: 'Target0', RetryPolicy: { MaximumRetryAttempts: 0 } }]);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fnId('tick') }, MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    });

    it.each(entries)('%s: the base environment, the main and the connections table', (entry) => {
      const e = env(entry);
      expect(e).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'imagestream-api', POWERTOOLS_LOG_LEVEL: 'INFO', DEFAULT_IMPORT_MODE: 'Legacy', NODE_OPTIONS: '--enable-source-maps' });
      if (entry === 'default') return;
      expect(importedFrom([dataTemplate], e['TABLE_NAME'])).toEqual({ Ref: tableId });
      expect(e['CONNECTIONS_TABLE_NAME']).toEqual({ Ref: connectionsId });
    });

    it('only $connect gets the auth settings and the static-token reference', () => {
      expect(env('connect')).toMatchObject({ OIDC_ISSUER_URL: 'https://issuer.example.com', OIDC_CLIENT_ID: 'kubernetes', STATIC_TOKENS: expect.stringContaining('{{resolve:secretsmanager:imagestream/dev/tokens') });
      for (const e of ['disconnect', 'default', 'fanout', 'tick'] as const) {
        expect(Object.keys(env(e)).filter((k) => k.startsWith('OIDC_') || k === 'STATIC_TOKENS' || k === 'RBAC_CACHE_MS')).toEqual([]);
      }
    });

    it.each(['fanout', 'tick'] as const)('%s: posts to the stage callback URL, 64 posts in flight', (entry) => {
      const callback = (env(entry)['WS_CALLBACK_URL'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      expect(callback).toEqual(['https://', { Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${STAGE}`]);
      expect(env(entry)['WATCH_POST_CONCURRENCY']).toBe('64');
    });

    it.each(entries)('%s: one minified ESM bundle of its entry, with a source map', (entry) => {
      const { dir, files, bytes } = bundleOf(app, resources(template, 'AWS::Lambda::Function')[fnId(entry)]!);
      expect(files).toEqual(['index.mjs', 'index.mjs.map']);
      expect(bytes).toBeGreaterThan(0);
      const map = JSON.parse(readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      expect(map.sources.some((s) => s.endsWith(WATCH_ENTRIES[entry]))).toBe(true);
    });
  });

  describe('IAM', () => {
    it('connect: reads the main table (and its key), and writes subscriptions only inside transactions', () => {
      expect(grants('connect')).toEqual(
        [
          LOGS,
          TABLE_READ,
          TABLE_KEY,
          'dynamodb:PutItem → connections if {"StringEquals":{"dynamodb:EnclosingOperation":"TransactWriteItems"}}',
        ].sort(),
      );
    });

    it('disconnect: finds and deletes the connection rows, nothing else', () => {
      expect(grants('disconnect')).toEqual([LOGS, 'dynamodb:DeleteItem,dynamodb:GetItem → connections'].sort());
    });

    it('default: only its log group', () => {
      expect(grants('default')).toEqual([LOGS]);
    });

    it('fan-out: @connections of this stage, table read, connections delivery, both streams, its DLQ', () => {
      expect(grants('fanout')).toEqual(
        [
          LOGS,
          MANAGE_CONNECTIONS,
          TABLE_READ,
          TABLE_KEY,
          DELIVER,
          'sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage → fanout-dlq',
          'dynamodb:ListStreams → table-stream',
          'dynamodb:DescribeStream,dynamodb:GetRecords,dynamodb:GetShardIterator → table-stream',
          'dynamodb:ListStreams → connections-stream',
          'dynamodb:DescribeStream,dynamodb:GetRecords,dynamodb:GetShardIterator → connections-stream',
        ].sort(),
      );
    });

    it('tick: @connections of this stage, table read, connections delivery', () => {
      expect(grants('tick')).toEqual([LOGS, MANAGE_CONNECTIONS, TABLE_READ, TABLE_KEY, DELIVER].sort());
    });

    it('has no wildcard action and no managed policy anywhere', () => {
      expectLeastPrivilege(template);
    });
  });

  describe('alarms', () => {
    const alarms = Object.values(resources(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const dim = (a: Record<string, unknown>) => (a['Dimensions'] as { Name: string; Value: unknown }[])[0];

    it('alarms on the fan-out falling behind (IteratorAge) and on its DLQ', () => {
      only(alarms.filter((a) => a['MetricName'] === 'IteratorAge' && refId(dim(a)?.Value) === fnId('fanout')), 'iterator age');
      only(alarms.filter((a) => a['MetricName'] === 'ApproximateNumberOfMessagesVisible' && refId(dim(a)?.Value) === dlqId), 'dlq depth');
    });

    it.each(['fanout', 'connect', 'tick'] as const)('alarms on errors and throttles of %s', (entry) => {
      for (const metric of ['Errors', 'Throttles']) only(alarms.filter((a) => a['MetricName'] === metric && refId(dim(a)?.Value) === fnId(entry)), `${metric} ${entry}`);
    });

    it('alarms on records either mapping sent to the on-failure queue', () => {
      const failures = alarms.filter((a) => a['MetricName'] === 'OnFailureDestinationDeliveredEventCount');
      expect(failures).toHaveLength(2);
      const esmIds = Object.keys(resources(template, 'AWS::Lambda::EventSourceMapping')).sort();
      expect(failures.map((a) => ({ name: dim(a)?.Name, id: refId(dim(a)?.Value) })).sort((x, y) => String(x.id).localeCompare(String(y.id)))).toEqual(
        esmIds.map((id) => ({ name: 'EventSourceMappingUUID', id })),
      );
      for (const a of failures) expect(a).toMatchObject({ Namespace: 'AWS/Lambda', Statistic: 'Sum', Threshold: 1 });
    });

    it('sends every alarm to the app topic of the API stack', () => {
      expect(alarms).toHaveLength(2 + 6 + 2);
      const topicId = only(Object.keys(resources(apiTemplate, 'AWS::SNS::Topic')), 'topic');
      for (const a of alarms) expect(importedFrom([apiTemplate], (a['AlarmActions'] as unknown[])[0])).toEqual({ Ref: topicId });
    });
  });
});
