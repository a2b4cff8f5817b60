/**
 * RestRoutes on small, made-up route tables with inline functions (nothing to bundle): how
 * transfer modes follow families, which family the 405 `ANY` method gets, and the table
 * mistakes that stop a synth.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Code, Function as LambdaFunction, Runtime, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { RestRoutes, streamingFamilies } from '../../infra/constructs/rest-routes.js';
import type { Route, RouteFamily } from '../../shared/api/routes.js';
import { apiMethods, only, removeTestApps, testApp } from './template-helpers.js';

afterAll(removeTestApps);

const row = (method: Route['method'], path: string, family: RouteFamily, streaming = false): Route => ({
  kind: 'resource',
  method,
  path,
  family,
  verb: 'get',
  group: 'example.com',
  version: 'v1',
  resource: 'things',
  scope: 'namespace',
  ...(streaming ? { streaming: true } : {}),
});

function build(table: readonly Route[]) {
  const stack = new Stack(testApp(), 'Routes');
  const api = new RestApi(stack, 'Api');
  const fn = (id: string): LambdaFunction =>
    new LambdaFunction(stack, id, { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => ({})') });
  const handlers = { discovery: fn('Discovery'), imagestreams: fn('Things'), 'imagestreams-status': fn('Status'), watch: fn('Watch') };
  const routes = new RestRoutes(stack, 'R', { api, routes: table, handlers, catchAllFamily: 'discovery' });
  /** Family by function logical id. */
  const ids: Record<string, RouteFamily> = {};
  for (const [family, h] of Object.entries(handlers)) ids[stack.resolve(stack.getLogicalId(h.node.defaultChild as CfnFunction)) as string] = family as RouteFamily;
  return { routes, template: Template.fromStack(stack), ids };
}

const TABLE: readonly Route[] = [
  row('GET', '/things/{namespace}', 'watch', true),
  row('POST', '/things/{namespace}', 'imagestreams'),
  row('GET', '/watch/things', 'watch', true),
];

describe('RestRoutes', () => {
  const { routes, template, ids } = build(TABLE);
  const methods = apiMethods(template);

  it('streams every method of a streaming family, the ANY methods included', () => {
    expect([...routes.streamingFamilies]).toEqual(['watch']);
    for (const m of methods) {
      const streaming = ids[m.functionId!] === 'watch';
      expect(m.integration['ResponseTransferMode']).toBe(streaming ? 'STREAM' : undefined);
    }
    const anyWatch = only(methods.filter((m) => m.path === '/watch/things' && m.httpMethod === 'ANY'), 'ANY /watch/things');
    expect(ids[anyWatch.functionId!]).toBe('watch');
    expect(anyWatch.integration).toMatchObject({ ResponseTransferMode: 'STREAM', TimeoutInMillis: 900_000 });
  });

  it('gives ANY on a mixed path to its buffered family', () => {
    const any = only(methods.filter((m) => m.path === '/things/{namespace}' && m.httpMethod === 'ANY'), 'ANY');
    expect(ids[any.functionId!]).toBe('imagestreams');
  });

  it('adds ANY / and ANY /{proxy+} for the catch-all family and nothing else', () => {
    expect(methods.map((m) => `${m.httpMethod} ${m.path}`).sort()).toEqual(
      ['ANY /', 'ANY /{proxy+}', 'ANY /things/{namespace}', 'ANY /watch/things', 'GET /things/{namespace}', 'GET /watch/things', 'POST /things/{namespace}'].sort(),
    );
    expect(routes.methods).toHaveLength(methods.length);
  });

  it('refuses a family that mixes streaming and buffered rows', () => {
    expect(() => streamingFamilies([row('GET', '/a', 'watch', true), row('GET', '/b', 'watch')])).toThrow(/family watch has both/);
  });

  it('refuses the same method twice on a path', () => {
    expect(() => build([row('GET', '/a', 'imagestreams'), row('GET', '/a', 'discovery')])).toThrow(/GET \/a appears twice/);
  });
});
