/**
 * The importer stack as synthesized (once, bundling only this stack): the import queue and
 * the two dead-letter queues (redrive, encryption, retention, TLS only), the trigger's stream
 * mapping, the worker's queue mapping, the schedule, the exact IAM of each function, their
 * environments, alarms and bundles. A second, unbundled synthesis checks that
 * `importDisableScheduled` disables the schedule.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLE_KEY_ACTIONS } from '../../infra/constructs/table-access.js';
import { createImageStreamStacks } from '../../infra/stacks/imagestream-stacks.js';
import { IMPORT_QUEUE_VISIBILITY, WORKER_TIMEOUT } from '../../infra/stacks/importer-stack.js';
import { IMPORTER_ENTRIES, type ImporterEntry } from '../../shared/importer/entries.js';
import { IMPORT_STREAM_FILTER } from '../../shared/importer/trigger.js';
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

const app = testApp({ 'aws:cdk:bundling-stacks': ['ImageStream-dev-Importer'] });
afterAll(removeTestApps);
const stacks = createImageStreamStacks(
  app,
  settingsFrom({
    internalRegistryHostname: 'image-registry.openshift-image-registry.svc:5000',
    publicRegistryHostname: 'registry.example.com',
    allowedRegistriesForImport: 'quay.io,*.example.com',
    defaultImportMode: 'PreserveOriginal',
    importScheduleSeconds: '300',
    importScheduledMaxPerMinute: '20',
    importConcurrency: '4',
    importBlockedCidrs: '10.0.0.0/8',
    // Must never reach an importer function:
    oidcIssuerUrl: 'https://issuer.example.com',
    oidcClientId: 'kubernetes',
    staticTokensSecret: 'imagestream/dev/tokens',
  }),
);
const { importer } = stacks;
const template = Template.fromStack(importer);
const dataTemplate = Template.fromStack(stacks.data);
const apiTemplate = Template.fromStack(stacks.api);

const entries = Object.keys(IMPORTER_ENTRIES) as ImporterEntry[];
const fnId = (e: ImporterEntry) => logicalIdOf(importer.functions[e].function);
const fnProps = (e: ImporterEntry) => resources(template, 'AWS::Lambda::Function')[fnId(e)]!.Properties!;
const env = (e: ImporterEntry) => (fnProps(e)['Environment'] as { Variables: Record<string, unknown> }).Variables;

const queueId = logicalIdOf(importer.importQueue);
const importDlqId = logicalIdOf(importer.importDlq);
const triggerDlqId = logicalIdOf(importer.triggerDlq);
const tableId = only(Object.keys(resources(dataTemplate, 'AWS::DynamoDB::GlobalTable')), 'table');
const keyId = only(Object.keys(resources(dataTemplate, 'AWS::KMS::Key')), 'key');
const queues = resources(template, 'AWS::SQS::Queue');

function resourceName(entry: ImporterEntry, r: unknown): string {
  const imported = importedFrom([dataTemplate], r) as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const getAtt = (imported ?? (r as { 'Fn::GetAtt'?: [string, string] }))['Fn::GetAtt'];
  if (!getAtt) return JSON.stringify(r);
  const [id, attr] = getAtt;
  const names: Record<string, string> = {
    [tableId]: attr === 'Arn' ? 'table' : `table-${attr === 'StreamArn' ? 'stream' : attr}`,
    [keyId]: 'table-key',
    [queueId]: 'import-queue',
    [importDlqId]: 'import-dlq',
    [triggerDlqId]: 'trigger-dlq',
    [logicalIdOf(importer.functions[entry].logGroup)]: 'own-logs',
  };
  return names[id] ?? `${id}.${attr}`;
}

function grants(entry: ImporterEntry): string[] {
  return roleStatements(template, logicalIdOf(importer.functions[entry].role))
    .map((s: Statement) => {
      expect(s.Effect).toBe('Allow');
      const cond = s.Condition ? ` if ${Object.keys((s.Condition as { StringEquals: Record<string, unknown> }).StringEquals).join(',')}` : '';
      return `${[...actionsOf(s)].sort().join(',')} → ${(Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map((r) => resourceName(entry, r)).join(',')}${cond}`;
    })
    .sort();
}

const LOGS = 'logs:CreateLogStream,logs:PutLogEvents → own-logs';
const TABLE_READ = 'dynamodb:BatchGetItem,dynamodb:GetItem,dynamodb:Query → table';
const TABLE_WRITE = 'dynamodb:DeleteItem,dynamodb:PutItem,dynamodb:UpdateItem → table if dynamodb:EnclosingOperation';
const TABLE_KEY = `${[...TABLE_KEY_ACTIONS].sort().join(',')} → table-key if kms:ViaService`;
const SEND_JOBS = 'sqs:SendMessage → import-queue';

describe('ImporterStack', () => {
  describe('queues', () => {
    it('ImportQueue: standard, encrypted, 14-day retention, 5 receives then ImportDLQ, visibility 6× the worker timeout', () => {
      expect(queues[queueId]!.Properties).toEqual({
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 1800,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [importDlqId, 'Arn'] }, maxReceiveCount: 5 },
        Tags: expect.any(Array),
      });
      expect(IMPORT_QUEUE_VISIBILITY.toSeconds()).toBeGreaterThanOrEqual(6 * WORKER_TIMEOUT.toSeconds());
    });

    it.each([
      ['ImportDLQ', importDlqId],
      ['trigger DLQ', triggerDlqId],
    ])('%s: encrypted, keeps messages 14 days', (_, id) => {
      expect(queues[id]!.Properties).toEqual({ MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true, Tags: expect.any(Array) });
    });

    it('has exactly these three queues, each refusing anything but TLS', () => {
      expect(Object.keys(queues).sort()).toEqual([importDlqId, queueId, triggerDlqId].sort());
      for (const id of Object.keys(queues)) {
        const policy = only(
          Object.values(resources(template, 'AWS::SQS::QueuePolicy')).filter((p) => refId((p.Properties?.['Queues'] as unknown[])[0]) === id),
          `policy of ${id}`,
        );
        expect((policy.Properties?.['PolicyDocument'] as { Statement: unknown[] }).Statement).toEqual([
          { Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Effect: 'Deny', Principal: { AWS: '*' }, Resource: { 'Fn::GetAtt': [id, 'Arn'] } },
        ]);
      }
    });
  });

  describe('event source mappings', () => {
    const mappings = Object.values(resources(template, 'AWS::Lambda::EventSourceMapping')).map((m) => m.Properties!);

    it('trigger: ImageStream event-log INSERTs of the main table stream, partial failures, bisect, 5 retries, its DLQ', () => {
      const m = only(
        mappings.filter((x) => refId(x['FunctionName']) === fnId('trigger')),
        'trigger mapping',
      );
      expect(importedFrom([dataTemplate], m['EventSourceArn'])).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
      expect(m).toEqual({
        FunctionName: { Ref: fnId('trigger') },
        EventSourceArn: m['EventSourceArn'],
        StartingPosition: 'LATEST',
        BatchSize: 100,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [triggerDlqId, 'Arn'] } } },
        MetricsConfig: { Metrics: ['EventCount'] },
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify(IMPORT_STREAM_FILTER) }] },
        Tags: expect.any(Array),
      });
      expect(JSON.parse((m['FilterCriteria'] as { Filters: { Pattern: string }[] }).Filters[0]!.Pattern)).toEqual({
        eventName: ['INSERT'],
        dynamodb: { Keys: { pk: { S: ['log#imagestreams.image.openshift.io'] } } },
      });
    });

    it('worker: ImportQueue, batches of at most 10, partial failures, at most 10 concurrent invocations', () => {
      const m = only(
        mappings.filter((x) => refId(x['FunctionName']) === fnId('worker')),
        'worker mapping',
      );
      expect(m).toEqual({
        FunctionName: { Ref: fnId('worker') },
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 10 },
        Tags: expect.any(Array),
      });
    });

    it('has no other mapping (the main table stream has two readers: this trigger and the watch fan-out)', () => {
      expect(mappings).toHaveLength(2);
    });
  });

  describe('functions', () => {
    it('creates one function per importer entry, all nodejs22.x on arm64', () => {
      template.resourceCountIs('AWS::Lambda::Function', entries.length);
      for (const e of entries) expect(fnProps(e)).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    });

    it('timeouts: trigger 30 s, worker 300 s, schedule 50 s; the schedule never runs twice at once', () => {
      expect(fnProps('trigger')['Timeout']).toBe(30);
      expect(fnProps('worker')['Timeout']).toBe(300);
      expect(fnProps('schedule')).toMatchObject({ Timeout: 50, ReservedConcurrentExecutions: 1 });
      for (const e of ['trigger', 'worker'] as const) expect(fnProps(e)['ReservedConcurrentExecutions']).toBeUndefined();
    });

    it('schedule: once a minute, no retries, no stale invocations', () => {
      const rule = only(Object.values(resources(template, 'AWS::Events::Rule')), 'rule').Properties!;
      expect(rule).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
      expect(rule['Targets']).toEqual([{ Arn: { 'Fn::GetAtt': [fnId('schedule'), 'Arn'] }, Id: 'Target0', RetryPolicy: { MaximumRetryAttempts: 0 } }]);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fnId('schedule') }, MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    });

    const base = {
      POWERTOOLS_SERVICE_NAME: 'imagestream-api',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
      DEFAULT_IMPORT_MODE: 'PreserveOriginal',
      INTERNAL_REGISTRY_HOSTNAME: 'image-registry.openshift-image-registry.svc:5000',
      PUBLIC_REGISTRY_HOSTNAME: 'registry.example.com',
      ALLOWED_REGISTRIES_FOR_IMPORT: 'quay.io,*.example.com',
    };
    const tableName = () => importedFrom([dataTemplate], env('trigger')['TABLE_NAME']);

    it('trigger: the table name, the queue URL and the import mode', () => {
      expect(tableName()).toEqual({ Ref: tableId });
      expect(env('trigger')).toEqual({ ...base, TABLE_NAME: env('trigger')['TABLE_NAME'], IMPORT_QUEUE_URL: { Ref: queueId } });
    });

    it('worker: the image settings and every IMPORT_* setting given, never IMPORT_ALLOW_LOOPBACK', () => {
      expect(env('worker')).toEqual({
        ...base,
        TABLE_NAME: env('trigger')['TABLE_NAME'],
        IMPORT_SCHEDULE_SECONDS: '300',
        IMPORT_SCHEDULED_MAX_PER_MINUTE: '20',
        IMPORT_CONCURRENCY: '4',
        IMPORT_BLOCKED_CIDRS: '10.0.0.0/8',
      });
    });

    it('schedule: the scheduling settings given and the queue URL', () => {
      expect(env('schedule')).toEqual({
        ...base,
        TABLE_NAME: env('trigger')['TABLE_NAME'],
        IMPORT_SCHEDULE_SECONDS: '300',
        IMPORT_SCHEDULED_MAX_PER_MINUTE: '20',
        IMPORT_QUEUE_URL: { Ref: queueId },
      });
    });

    it('no importer function gets the auth settings or the static tokens', () => {
      for (const e of entries) expect(Object.keys(env(e)).filter((k) => /^(OIDC_|RBAC_|STATIC_TOKENS|IMPORT_ALLOW_LOOPBACK)/.test(k))).toEqual([]);
    });

    it.each(entries)('%s: one minified ESM bundle of its entry, with a source map', (entry) => {
      const { dir, files } = bundleOf(app, resources(template, 'AWS::Lambda::Function')[fnId(entry)]!);
      expect(files).toEqual(['index.mjs', 'index.mjs.map']);
      const map = JSON.parse(readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      expect(map.sources.some((s) => s.endsWith(IMPORTER_ENTRIES[entry]))).toBe(true);
      // The SQS client of the SDK, not a hand-written signer.
      if (entry !== 'worker') expect(map.sources.some((s) => s.includes('@aws-sdk/client-sqs'))).toBe(true);
    });
  });

  describe('IAM', () => {
    it('trigger: sends jobs, reads the stream (decrypting with the table key), fails over to its DLQ; no table item access', () => {
      expect(grants('trigger')).toEqual(
        [
          LOGS,
          SEND_JOBS,
          TABLE_KEY,
          'dynamodb:ListStreams → table-stream',
          'dynamodb:DescribeStream,dynamodb:GetRecords,dynamodb:GetShardIterator → table-stream',
          'sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage → trigger-dlq',
        ].sort(),
      );
    });

    it('worker: consumes the queue and reads and writes the table like the API writers', () => {
      expect(grants('worker')).toEqual(
        [
          LOGS,
          TABLE_READ,
          TABLE_WRITE,
          TABLE_KEY,
          'sqs:ChangeMessageVisibility,sqs:DeleteMessage,sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:ReceiveMessage → import-queue',
        ].sort(),
      );
    });

    it('schedule: reads the table and sends jobs, nothing else', () => {
      expect(grants('schedule')).toEqual([LOGS, TABLE_READ, TABLE_KEY, SEND_JOBS].sort());
    });

    it('has no wildcard action and no managed policy anywhere', () => {
      expectLeastPrivilege(template);
    });
  });

  describe('alarms and outputs', () => {
    const alarms = Object.values(resources(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const dim = (a: Record<string, unknown>) => (a['Dimensions'] as { Name: string; Value: unknown }[])[0];

    it('alarms on any message in either dead-letter queue', () => {
      for (const id of [importDlqId, triggerDlqId]) {
        only(alarms.filter((a) => a['MetricName'] === 'ApproximateNumberOfMessagesVisible' && refId(dim(a)?.Value) === id), `depth of ${id}`);
      }
    });

    it('alarms on the trigger falling behind or giving up, and on errors and throttles of every function', () => {
      only(alarms.filter((a) => a['MetricName'] === 'IteratorAge' && refId(dim(a)?.Value) === fnId('trigger')), 'iterator age');
      only(alarms.filter((a) => a['MetricName'] === 'OnFailureDestinationDeliveredEventCount'), 'on-failure');
      for (const e of entries) for (const metric of ['Errors', 'Throttles']) only(alarms.filter((a) => a['MetricName'] === metric && refId(dim(a)?.Value) === fnId(e)), `${metric} ${e}`);
      const topicId = only(Object.keys(resources(apiTemplate, 'AWS::SNS::Topic')), 'topic');
      for (const a of alarms) expect(importedFrom([apiTemplate], (a['AlarmActions'] as unknown[])[0])).toEqual({ Ref: topicId });
    });

    it('outputs the queue URLs', () => {
      expect(Object.keys(outputsOf(template)).sort()).toEqual(['ImportDlqUrl', 'ImportQueueUrl', 'TriggerDlqUrl']);
    });
  });

  it('disables the schedule rule when scheduled imports are turned off', () => {
    const off = createImageStreamStacks(testApp({ 'aws:cdk:bundling-stacks': [] }), settingsFrom({ importDisableScheduled: 'true' }));
    const t = Template.fromStack(off.importer);
    expect(only(Object.values(resources(t, 'AWS::Events::Rule')), 'rule').Properties).toMatchObject({ State: 'DISABLED' });
    const scheduleEnv = (resources(t, 'AWS::Lambda::Function')[logicalIdOf(off.importer.functions.schedule.function)]!.Properties!['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(scheduleEnv['IMPORT_DISABLE_SCHEDULED']).toBe('true');
  });
});
