/**
 * The API stack as synthesized with the default settings: methods generated from the route
 * table, the functions and their bundles, least-privilege IAM, gateway responses, logs,
 * alarms and outputs. The app is built once for the file (esbuild runs once per function).
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LAMBDA_UNUSED_MODULES } from '../../infra/constructs/api-function.js';
import { TABLE_KEY_ACTIONS } from '../../infra/constructs/table-access.js';
import { createImageStreamStacks } from '../../infra/stacks/imagestream-stacks.js';
import { FAMILY_ENTRIES, routePaths, routes, type RouteFamily } from '../../shared/api/routes.js';
import {
  actionsOf,
  apiMethods,
  only,
  refId,
  removeTestApps,
  resources,
  roleStatements,
  settingsFrom,
  testApp,
  type Statement,
  type SynthMethod,
} from './template-helpers.js';
import { freshTable, localClient } from '../helpers/dynamo.js';

// Bundle only this file's stack (the watch and importer bundles are checked in their own files).
const app = testApp({ 'aws:cdk:bundling-stacks': ['ImageStream-dev-Api'] });
afterAll(removeTestApps);
const stacks = createImageStreamStacks(app, settingsFrom());
const template = Template.fromStack(stacks.api);
const dataTemplate = Template.fromStack(stacks.data);
const methods = apiMethods(template);

const families = Object.keys(FAMILY_ENTRIES) as RouteFamily[];
const functionIds = Object.fromEntries(
  families.map((f) => [f, stacks.api.resolve(stacks.api.getLogicalId(stacks.api.functions[f].function.node.defaultChild as CfnFunction)) as string]),
) as Record<RouteFamily, string>;
const familyOf = (functionId: string | undefined): RouteFamily | undefined => families.find((f) => functionIds[f] === functionId);
const fnResource = (family: RouteFamily) => resources(template, 'AWS::Lambda::Function')[functionIds[family]]!;

/** Families with streaming rows: their functions stream every response. */
const streamingFamilies = new Set(routes.filter((r) => r.kind === 'resource' && r.streaming === true).map((r) => r.family));

function expectTransferMode(m: SynthMethod, streaming: boolean): void {
  if (streaming) {
    expect(m.integration).toMatchObject({ ResponseTransferMode: 'STREAM', TimeoutInMillis: 900_000 });
    expect(m.streamingUri).toBe(true);
  } else {
    expect(m.integration['ResponseTransferMode']).toBeUndefined();
    expect(m.integration['TimeoutInMillis']).toBeUndefined();
    expect(m.streamingUri).toBe(false);
  }
}

/** The export a cross-stack `Fn::ImportValue` refers to, resolved to the data stack's value. */
function importedValue(value: unknown): unknown {
  const name = (value as Record<string, unknown>)['Fn::ImportValue'];
  const outputs = (dataTemplate.toJSON() as { Outputs: Record<string, { Value: unknown; Export?: { Name: string } }> }).Outputs;
  return Object.values(outputs).find((o) => o.Export?.Name === name)?.Value;
}
const tableId = Object.keys(resources(dataTemplate, 'AWS::DynamoDB::GlobalTable'))[0]!;

describe('ApiStack', () => {
  describe('methods from the route table', () => {
    it.each(routes)('$method $path → $family', (row) => {
      const m = only(
        methods.filter((x) => x.path === row.path && x.httpMethod === row.method),
        `${row.method} ${row.path}`,
      );
      expect(familyOf(m.functionId)).toBe(row.family);
      expect(m.integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
      expectTransferMode(m, streamingFamilies.has(row.family));
    });

    it.each(routePaths())('ANY %s reaches a family of its rows (which answers 405)', (p) => {
      const m = only(
        methods.filter((x) => x.path === p && x.httpMethod === 'ANY'),
        `ANY ${p}`,
      );
      const rows = routes.filter((r) => r.path === p);
      const family = familyOf(m.functionId)!;
      expect(rows.map((r) => r.family)).toContain(family);
      // A buffered family when the path has one (streaming costs more and gains nothing here).
      if (rows.some((r) => !streamingFamilies.has(r.family))) expect(streamingFamilies.has(family)).toBe(false);
      expectTransferMode(m, streamingFamilies.has(family));
    });

    it('streams every response of a streaming family, for up to 15 minutes', () => {
      expect(streamingFamilies.size).toBeGreaterThan(0);
      for (const m of methods) expectTransferMode(m, streamingFamilies.has(familyOf(m.functionId)!));
    });

    it('sends / and every unknown path (ANY /{proxy+}) to the discovery function', () => {
      for (const p of ['/', '/{proxy+}']) {
        const m = only(
          methods.filter((x) => x.path === p),
          p,
        );
        expect(m.httpMethod).toBe('ANY');
        expect(familyOf(m.functionId)).toBe('discovery');
      }
    });

    it('has no method the table does not ask for', () => {
      expect(methods).toHaveLength(routes.length + routePaths().length + 2);
      for (const m of methods) expect(m.integration['Type']).toBe('AWS_PROXY');
    });

    it('needs no authorizer or API key (the functions authenticate)', () => {
      for (const [, m] of Object.entries(resources(template, 'AWS::ApiGateway::Method'))) {
        expect(m.Properties).toMatchObject({ AuthorizationType: 'NONE' });
        expect(m.Properties?.['ApiKeyRequired']).not.toBe(true);
      }
    });
  });

  describe('the REST API', () => {
    it('is regional and passes every media type through as binary', () => {
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        EndpointConfiguration: { Types: ['REGIONAL'] },
        BinaryMediaTypes: ['*/*'],
      });
    });

    it('deploys a stage named after the settings, with JSON access logs and no execution logs', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'dev',
        AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
        MethodSettings: [Match.objectLike({ LoggingLevel: 'OFF', DataTraceEnabled: false, MetricsEnabled: false })],
      });
      const format = String((only(Object.values(resources(template, 'AWS::ApiGateway::Stage')), 'stage').Properties?.['AccessLogSetting'] as { Format: string }).Format);
      expect(format).not.toMatch(/authorization|header|querystring/i);
    });

    it('lets API Gateway invoke each function, once per function, from this API only', () => {
      const permissions = Object.values(resources(template, 'AWS::Lambda::Permission'));
      expect(permissions).toHaveLength(families.length);
      for (const family of families) {
        const p = only(
          permissions.filter((x) => refId(x.Properties?.['FunctionName']) === functionIds[family]),
          `permission of ${family}`,
        );
        expect(p.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
        expect(JSON.stringify(p.Properties?.['SourceArn'])).toMatch(/execute-api/);
        expect(JSON.stringify(p.Properties?.['SourceArn'])).toContain('/*/*/*');
      }
    });
  });

  describe('gateway responses', () => {
    const responses = Object.values(resources(template, 'AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties!);
    const byType = (type: string) => only(responses.filter((r) => r['ResponseType'] === type), type);
    const body = (type: string) => (byType(type)['ResponseTemplates'] as Record<string, string>)['application/json']!;
    /** The body as the client sees it, with API Gateway's message put in. */
    const rendered = (type: string) => JSON.parse(body(type).replace('$context.error.messageString', '"from the gateway"')) as Record<string, unknown>;

    it('answers an oversized body with the apiserver Status', () => {
      expect(byType('REQUEST_TOO_LARGE')['StatusCode']).toBe('413');
      expect(body('REQUEST_TOO_LARGE')).toBe(
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Request entity too large: limit is 3145728","reason":"RequestEntityTooLarge","code":413}',
      );
    });

    it.each([
      ['THROTTLED', '429', 'TooManyRequests'],
      ['QUOTA_EXCEEDED', '429', 'TooManyRequests'],
      ['INTEGRATION_TIMEOUT', '504', 'Timeout'],
      ['ACCESS_DENIED', '403', 'Forbidden'],
    ])('%s → %s %s Status', (type, code, reason) => {
      expect(byType(type)['StatusCode']).toBe(code);
      expect(rendered(type)).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code: Number(code) });
    });

    it('tells throttled clients when to retry', () => {
      expect(byType('THROTTLED')['ResponseParameters']).toMatchObject({ 'gatewayresponse.header.Retry-After': "'1'" });
      expect(rendered('THROTTLED')).toMatchObject({ details: { retryAfterSeconds: 1 } });
    });

    it.each(['DEFAULT_4XX', 'DEFAULT_5XX'])('%s keeps the gateway status and message in a Status body', (type) => {
      expect(byType(type)['StatusCode']).toBeUndefined();
      expect(rendered(type)).toMatchObject({ kind: 'Status', status: 'Failure', message: 'from the gateway' });
    });

    it('answers a path API Gateway cannot route with the apiserver 404 text', () => {
      const r = byType('MISSING_AUTHENTICATION_TOKEN');
      expect(r['StatusCode']).toBe('404');
      expect(body('MISSING_AUTHENTICATION_TOKEN')).toBe('404 page not found\n');
      expect(r['ResponseParameters']).toMatchObject({ 'gatewayresponse.header.Content-Type': "'text/plain; charset=utf-8'" });
    });

    it('sends JSON with the apiserver cache headers', () => {
      for (const r of responses) {
        expect(r['ResponseParameters']).toMatchObject({ 'gatewayresponse.header.Cache-Control': "'no-cache, private'" });
        if (r['ResponseType'] !== 'MISSING_AUTHENTICATION_TOKEN') {
          expect(r['ResponseParameters']).toMatchObject({ 'gatewayresponse.header.Content-Type': "'application/json'" });
        }
      }
    });
  });

  describe('functions', () => {
    it('creates one function per route family, and nothing else', () => {
      template.resourceCountIs('AWS::Lambda::Function', families.length);
    });

    it.each(families)('%s: nodejs22.x on arm64, 1024 MB, ESM bundle handler', (family) => {
      const streaming = streamingFamilies.has(family);
      expect(fnResource(family).Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 1024,
        Timeout: streaming ? 900 : 29,
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: expect.anything() },
      });
    });

    it.each(families)('%s: Powertools, source maps and the settings in its environment', (family) => {
      const env = (fnResource(family).Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(env).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'imagestream-api',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      });
      // Streaming functions end a watch on their own before the 15-minute limits.
      if (streamingFamilies.has(family)) expect(Number(env['WATCH_MAX_SECONDS'])).toBeLessThan(900);
      else expect(env['WATCH_MAX_SECONDS']).toBeUndefined();
      // Every family reads RBAC policy from the table (and discovery the namespace probe).
      expect(importedValue(env['TABLE_NAME'])).toEqual({ Ref: tableId });
      for (const unset of ['INTERNAL_REGISTRY_HOSTNAME', 'OIDC_ISSUER_URL', 'STATIC_TOKENS']) expect(env[unset]).toBeUndefined();
    });

    it('gives every function (and the access log) a log group with retention', () => {
      const groups = resources(template, 'AWS::Logs::LogGroup');
      expect(Object.keys(groups)).toHaveLength(families.length + 1);
      for (const g of Object.values(groups)) {
        expect(g.Properties).toMatchObject({ RetentionInDays: 30 });
        expect(g.DeletionPolicy).toBe('Retain');
      }
      for (const family of families) {
        const logGroup = (fnResource(family).Properties?.['LoggingConfig'] as { LogGroup: unknown }).LogGroup;
        expect(Object.keys(groups)).toContain(refId(logGroup));
      }
    });

    describe('bundles', () => {
      const bundleOf = (family: string) => {
        const code = fnResource(family as RouteFamily).Properties?.['Code'] as { S3Key: string };
        const dir = path.join(app.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
        return { dir, files: readdirSync(dir).sort() };
      };

      it.each(families)('%s: one minified ESM file with a source map, the AWS SDK inside', (family) => {
        const { dir, files } = bundleOf(family);
        expect(files).toEqual(['index.mjs', 'index.mjs.map']);
        const js = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
        expect(js.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);")).toBe(true);
        expect(js).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
        // No import of the SDK left for the runtime to satisfy (mentions in error texts are
        // fine), but the lazy ones of the credential providers Lambda never reaches.
        expect(js).not.toMatch(/\bfrom\s*["']@aws-sdk\/|(?:^|;)import\s*["']@aws-sdk\//m);
        const lazy = [...js.matchAll(/import\(\s*["'](@aws-sdk\/[^"']+)["']\s*\)/g)].map((m) => m[1]);
        expect([...new Set(lazy)].sort()).toEqual([...LAMBDA_UNUSED_MODULES].sort());
        expect(js).toContain('DynamoDB_20120810');
        // Minified: long lines (newlines survive only inside template literals).
        expect(js.length / js.split('\n').length).toBeGreaterThan(1000);
        const map = JSON.parse(readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
        expect(map.sources.some((s) => s.endsWith(FAMILY_ENTRIES[family]))).toBe(true);
        expect(map.sourcesContent).toBeUndefined();
      });

      it('imagestreams: serves a request in a fresh Node process with Lambda\'s environment credentials', async () => {
        const dynamo = localClient();
        const table = await freshTable(dynamo, 'bundle');
        try {
          const bundle = pathToFileURL(path.join(bundleOf('imagestreams').dir, 'index.mjs')).href;
          const event = {
            httpMethod: 'POST',
            path: '/apis/image.openshift.io/v1/namespaces/demo/imagestreams',
            resource: '/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams',
            headers: { Authorization: 'Bearer bundle-token', Accept: 'application/json', 'Content-Type': 'application/json' },
            multiValueHeaders: {},
            queryStringParameters: null,
            multiValueQueryStringParameters: null,
            pathParameters: { namespace: 'demo' },
            body: JSON.stringify({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'bundled' } }),
            isBase64Encoded: false,
            requestContext: { requestId: 'bundle-test', stage: 'dev' },
          };
          const script = `const { handler } = await import(${JSON.stringify(bundle)}); const r = await handler(${JSON.stringify(event)}, { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 29000 }); console.log(JSON.stringify(r));`;
          const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
            timeout: 30_000,
            env: {
              PATH: process.env['PATH'] ?? '',
              // What Lambda sets: the role's credentials in the environment, no profile or config files.
              AWS_ACCESS_KEY_ID: 'local',
              AWS_SECRET_ACCESS_KEY: 'local',
              AWS_SESSION_TOKEN: 'local',
              AWS_REGION: 'us-east-1',
              AWS_CONFIG_FILE: '/nonexistent',
              AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
              TABLE_NAME: table.name,
              DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
              STATIC_TOKENS: 'bundle-token,admin,admin-uid,system:masters',
            },
          });
          const res = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { statusCode: number; body: string };
          expect(res.statusCode, res.body).toBe(201);
          expect(JSON.parse(res.body)).toMatchObject({ kind: 'ImageStream', metadata: { namespace: 'demo', name: 'bundled', resourceVersion: '1' } });
        } finally {
          await table.drop();
          dynamo.destroy();
        }
      }, 60_000);
    });
  });

  describe('IAM', () => {
    const statements = Object.values(resources(template, 'AWS::IAM::Policy')).flatMap(
      (p) => (p.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement,
    );
    const roleOf = (family: RouteFamily) => refId(fnResource(family).Properties?.['Role'])!;
    const tableStatements = (family: RouteFamily) => roleStatements(template, roleOf(family)).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));

    it('grants no wildcard action and no Deny-less admin action anywhere', () => {
      expect(statements.length).toBeGreaterThan(0);
      for (const s of statements) {
        expect(s.Effect).toBe('Allow');
        // Not even a partial wildcard (kms:GenerateDataKey* is spelled out).
        for (const a of actionsOf(s)) expect(a).not.toContain('*');
      }
    });

    it.each([
      ['discovery' as const, false],
      ['imagestreams' as const, true],
      ['imagestreams-status' as const, true],
      ['watch' as const, false],
    ])('%s: reads the table (writes: %s)', (family, writes) => {
      const got = tableStatements(family);
      const read = only(got.filter((s) => s.Sid === 'TableRead'), 'read statement');
      expect(actionsOf(read).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
      expect(read.Condition).toBeUndefined();
      expect(importedValue(read.Resource)).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
      const write = got.filter((s) => s.Sid === 'TableTransactWrite');
      expect(got).toHaveLength(writes ? 2 : 1);
      if (writes) {
        const w = only(write, 'write statement');
        expect(actionsOf(w).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
        expect(w.Condition).toEqual({ StringEquals: { 'dynamodb:EnclosingOperation': 'TransactWriteItems' } });
        expect(importedValue(w.Resource)).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
      }
    });

    it.each(families)('%s: may use the table key (the default customer-managed key), only through DynamoDB', (family) => {
      const key = only(
        roleStatements(template, roleOf(family)).filter((s) => s.Sid === 'TableKey'),
        'key statement',
      );
      expect(actionsOf(key)).toEqual([...TABLE_KEY_ACTIONS]);
      expect(key.Condition).toEqual({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } });
      expect(importedValue(key.Resource)).toEqual({ 'Fn::GetAtt': [only(Object.keys(resources(dataTemplate, 'AWS::KMS::Key')), 'key'), 'Arn'] });
    });

    it.each(families)('%s: writes only its own log group; the role has no managed policy', (family) => {
      const role = resources(template, 'AWS::IAM::Role')[roleOf(family)]!;
      expect(role.Properties?.['ManagedPolicyArns']).toBeUndefined();
      const logs = roleStatements(template, roleOf(family)).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      const s = only(logs, 'logs statement');
      expect(actionsOf(s).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      const logGroup = (fnResource(family).Properties?.['LoggingConfig'] as { LogGroup: unknown }).LogGroup;
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [refId(logGroup), 'Arn'] });
      const other = roleStatements(template, roleOf(family)).filter((x) => !actionsOf(x).some((a) => a.startsWith('logs:') || a.startsWith('dynamodb:')) && x.Sid !== 'TableKey');
      expect(other).toEqual([]);
    });
  });

  describe('alarms', () => {
    const alarms = Object.values(resources(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!);
    const topicId = only(Object.keys(resources(template, 'AWS::SNS::Topic')), 'topic');

    it('alarms on API Gateway 5xx', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ApiGateway',
        MetricName: '5XXError',
        Statistic: 'Sum',
        Dimensions: Match.arrayWith([{ Name: 'Stage', Value: { Ref: only(Object.keys(resources(template, 'AWS::ApiGateway::Stage')), 'stage') } }]),
      });
    });

    it.each(families)('alarms on errors and throttles of %s', (family) => {
      for (const metric of ['Errors', 'Throttles']) {
        only(
          alarms.filter((a) => a['MetricName'] === metric && refId((a['Dimensions'] as { Value: unknown }[])[0]?.Value) === functionIds[family]),
          `${metric} alarm of ${family}`,
        );
      }
    });

    it('alarms on DynamoDB throttle events', () => {
      const a = only(alarms.filter((x) => Array.isArray(x['Metrics'])), 'math alarm');
      expect(JSON.stringify(a['Metrics'])).toContain('ReadThrottleEvents');
      expect(JSON.stringify(a['Metrics'])).toContain('WriteThrottleEvents');
    });

    it('sends every alarm (and its recovery) to the topic, which only accepts TLS', () => {
      expect(alarms).toHaveLength(1 + 2 * families.length + 1);
      for (const a of alarms) {
        expect(a['AlarmActions']).toEqual([{ Ref: topicId }]);
        expect(a['OKActions']).toEqual([{ Ref: topicId }]);
        expect(a['TreatMissingData']).toBe('notBreaching');
      }
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });
  });

  describe('outputs', () => {
    it('publishes the endpoint the kubeconfig script reads, without a trailing slash', () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiEndpoint', 'RestApiId', 'StageName', 'AlarmTopicArn']));
      const parts = (outputs['ApiEndpoint']!.Value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      expect(parts[0]).toBe('https://');
      expect(refId(parts[1])).toBe(only(Object.keys(resources(template, 'AWS::ApiGateway::RestApi')), 'api'));
      expect(parts.at(-2)).toBe('/');
      expect(refId(parts.at(-1))).toBe(only(Object.keys(resources(template, 'AWS::ApiGateway::Stage')), 'stage'));
      expect(outputs['OidcIssuerUrl']).toBeUndefined();
    });
  });
});
