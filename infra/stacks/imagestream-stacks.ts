/**
 * @module imagestream-stacks
 * Creates the four stacks of one stage, environment-agnostic (no `env`, no lookups): `cdk
 * deploy` picks the account and region from the caller's credentials. Used by `infra/app.ts`
 * and by the infra tests.
 *
 * | stack | holds | uses |
 * |---|---|---|
 * | `ImageStream-<stage>-Data` | the table and its KMS key | – |
 * | `ImageStream-<stage>-Api` | the REST API, the HTTP functions, the alarm topic | Data |
 * | `ImageStream-<stage>-Watch` | watch over WebSocket | Data, Api (alarm topic, API Gateway logging role) |
 * | `ImageStream-<stage>-Importer` | image import | Data, Api (alarm topic) |
 *
 * Watch and import live in their own stacks to keep the API stack well below CloudFormation's
 * 500 resources as the route table grows (each route row is an API Gateway method).
 */
import { Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Route } from '../../shared/api/routes.js';
import { ApiStack } from './api-stack.js';
import { DataStack } from './data-stack.js';
import { ImporterStack } from './importer-stack.js';
import { WatchStack } from './watch-stack.js';
import type { DeploySettings } from './settings.js';

export interface ImageStreamStacks {
  readonly data: DataStack;
  readonly api: ApiStack;
  readonly watch: WatchStack;
  readonly importer: ImporterStack;
}

export function createImageStreamStacks(scope: Construct, settings: DeploySettings, routes?: readonly Route[]): ImageStreamStacks {
  const data = new DataStack(scope, `${settings.stackPrefix}-Data`, {
    settings,
    description: `ImageStream API ${settings.stage}: DynamoDB table and its key`,
  });
  const api = new ApiStack(scope, `${settings.stackPrefix}-Api`, {
    settings,
    table: data.table,
    tableKey: data.tableKey,
    ...(routes ? { routes } : {}),
    description: `ImageStream API ${settings.stage}: REST API and functions`,
  });
  const shared = { settings, table: data.table, tableKey: data.tableKey, alarmTopic: api.alarmTopic };
  const watch = new WatchStack(scope, `${settings.stackPrefix}-Watch`, {
    ...shared,
    description: `ImageStream API ${settings.stage}: watch over WebSocket`,
  });
  // The stage's access logs need the account's API Gateway logging role (set by the API stack).
  watch.addStackDependency(api, 'API Gateway account logging role');
  const importer = new ImporterStack(scope, `${settings.stackPrefix}-Importer`, {
    ...shared,
    description: `ImageStream API ${settings.stage}: image import`,
  });
  for (const stack of [data, api, watch, importer]) {
    Tags.of(stack).add('app', 'imagestream-api');
    Tags.of(stack).add('stage', settings.stage);
  }
  return { data, api, watch, importer };
}
