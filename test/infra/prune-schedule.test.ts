/**
 * The optional scheduled prune: the settings that turn it on, and the construct — an
 * EventBridge rule invoking the prune function, with the table grant and a 15-minute timeout.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { PruneSchedule } from '../../infra/constructs/prune-schedule.js';
import { TABLE_READ_ACTIONS, TABLE_TRANSACT_WRITE_ACTIONS } from '../../infra/constructs/table-access.js';
import { functionEnvironment } from '../../infra/stacks/api-stack.js';
import { SettingsError } from '../../infra/stacks/settings.js';
import { actionsOf, only, refId, removeTestApps, resources, roleStatements, settingsFrom, testApp } from './template-helpers.js';

afterAll(removeTestApps);

describe('prune-schedule', () => {
  describe('settings', () => {
    it('is off by default and takes a schedule with the keep settings', () => {
      expect(settingsFrom()).toMatchObject({ pruneSchedule: undefined, pruneKeepTagRevisions: undefined, pruneKeepYoungerThan: undefined });
      expect(settingsFrom({ pruneSchedule: 'rate(1 day)', pruneKeepTagRevisions: '5', pruneKeepYoungerThan: '24h' })).toMatchObject({
        pruneSchedule: 'rate(1 day)',
        pruneKeepTagRevisions: 5,
        pruneKeepYoungerThan: '24h',
      });
    });

    it.each([
      ['pruneSchedule', 'daily'],
      ['pruneKeepTagRevisions', '-1'],
      ['pruneKeepYoungerThan', '1d'],
    ] as const)('rejects %s=%s', (key, value) => {
      expect(() => settingsFrom({ [key]: value })).toThrow(SettingsError);
    });
  });

  describe('PruneSchedule', () => {
    const stack = new Stack(testApp(), 'Prune');
    const table = new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING }, sortKey: { name: 'sk', type: AttributeType.STRING } });
    const settings = settingsFrom({ logLevel: 'WARN' });
    const schedule = new PruneSchedule(stack, 'PruneSchedule', {
      schedule: 'cron(0 3 * * ? *)',
      keepTagRevisions: 5,
      keepYoungerThan: '24h',
      table,
      environment: functionEnvironment(settings),
      projectRoot: settings.projectRoot,
      logRetention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    const template = Template.fromStack(stack);
    const functionId = stack.resolve(stack.getLogicalId(schedule.function.function.node.defaultChild as CfnFunction)) as string;

    it('invokes the prune function on the schedule, without retries', () => {
      const rule = only(Object.values(resources(template, 'AWS::Events::Rule')), 'rule');
      expect(rule.Properties?.['ScheduleExpression']).toBe('cron(0 3 * * ? *)');
      const target = (rule.Properties?.['Targets'] as Record<string, unknown>[])[0]!;
      expect(refId(target['Arn'])).toBe(functionId);
      expect(target['RetryPolicy']).toEqual({ MaximumRetryAttempts: 0 });
    });

    it('runs for up to 15 minutes with the keep settings and the table', () => {
      const fn = resources(template, 'AWS::Lambda::Function')[functionId]!;
      expect(fn.Properties?.['Timeout']).toBe(900);
      const env = (fn.Properties?.['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(env).toMatchObject({ PRUNE_KEEP_TAG_REVISIONS: '5', PRUNE_KEEP_YOUNGER_THAN: '24h', POWERTOOLS_LOG_LEVEL: 'WARN' });
      expect(refId(env['TABLE_NAME'])).toBe(stack.resolve(stack.getLogicalId(table.node.defaultChild as never)));
    });

    it('may read and write the table', () => {
      const roleId = stack.resolve(stack.getLogicalId(schedule.function.role.node.defaultChild as never)) as string;
      const actions = roleStatements(template, roleId).flatMap(actionsOf);
      expect(actions).toEqual(expect.arrayContaining([...TABLE_READ_ACTIONS, ...TABLE_TRANSACT_WRITE_ACTIONS]));
    });
  });
});
