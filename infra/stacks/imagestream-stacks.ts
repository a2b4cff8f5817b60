/**
 * @module imagestream-stacks
 * Creates the two stacks of one stage, `ImageStream-<stage>-Data` and `ImageStream-<stage>-Api`,
 * environment-agnostic (no `env`, no lookups): `cdk deploy` picks the account and region from
 * the caller's credentials. Used by `infra/app.ts` and by the infra tests.
 */
import { Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Route } from '../../shared/api/routes.js';
import { ApiStack } from './api-stack.js';
import { DataStack } from './data-stack.js';
import type { DeploySettings } from './settings.js';

export interface ImageStreamStacks {
  readonly data: DataStack;
  readonly api: ApiStack;
}

export function createImageStreamStacks(scope: Construct, settings: DeploySettings, routes?: readonly Route[]): ImageStreamStacks {
  const data = new DataStack(scope, `${settings.stackPrefix}-Data`, {
    settings,
    description: `ImageStream API ${settings.stage}: DynamoDB table`,
  });
  const api = new ApiStack(scope, `${settings.stackPrefix}-Api`, {
    settings,
    table: data.table,
    tableKey: data.tableKey,
    ...(routes ? { routes } : {}),
    description: `ImageStream API ${settings.stage}: REST API and functions`,
  });
  for (const stack of [data, api]) {
    Tags.of(stack).add('app', 'imagestream-api');
    Tags.of(stack).add('stage', settings.stage);
  }
  return { data, api };
}
