/**
 * @module prune-schedule
 * The optional scheduled history prune (context `pruneSchedule`): an EventBridge rule that
 * invokes `functions/scheduled/prune.ts` — one confirmed run of the prune of semantics §11
 * over every image stream — with read-write access to the table and up to 15 minutes per run.
 * No retries: a failed run leaves every stream consistent (each write is conditional) and
 * the next run picks up where it stopped.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiFunction } from './api-function.js';
import { grantTableAccess } from './table-access.js';

export const PRUNE_ENTRY = 'functions/scheduled/prune.ts';
/** Lambda's maximum: a run over many streams writes one stream at a time. */
export const PRUNE_TIMEOUT = Duration.minutes(15);

export interface PruneScheduleProps {
  /** EventBridge schedule expression: `rate(1 day)`, `cron(0 3 * * ? *)`. */
  readonly schedule: string;
  readonly keepTagRevisions?: number | undefined;
  readonly keepYoungerThan?: string | undefined;
  readonly table: ITableV2;
  readonly tableKey?: IKey | undefined;
  /** The environment the HTTP functions share (registry hostnames, log level, …). */
  readonly environment: Readonly<Record<string, string>>;
  readonly projectRoot: string;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly description?: string;
}

export class PruneSchedule extends Construct {
  readonly function: ApiFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: PruneScheduleProps) {
    super(scope, id);
    this.function = new ApiFunction(this, 'Prune', {
      entry: PRUNE_ENTRY,
      projectRoot: props.projectRoot,
      description: props.description ?? 'ImageStream API: scheduled image stream history prune',
      environment: {
        ...props.environment,
        TABLE_NAME: props.table.tableName,
        ...(props.keepTagRevisions !== undefined ? { PRUNE_KEEP_TAG_REVISIONS: String(props.keepTagRevisions) } : {}),
        ...(props.keepYoungerThan !== undefined ? { PRUNE_KEEP_YOUNGER_THAN: props.keepYoungerThan } : {}),
      },
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      timeout: PRUNE_TIMEOUT,
    });
    grantTableAccess(this.function.function, props.table, 'read-write', props.tableKey);
    this.rule = new Rule(this, 'Rule', {
      description: 'Prunes image stream history',
      schedule: Schedule.expression(props.schedule),
      targets: [new LambdaFunction(this.function.function, { retryAttempts: 0 })],
    });
  }
}
