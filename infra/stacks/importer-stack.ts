/**
 * @module importer-stack
 * Image import (docs/design.md, "Image import"): the three functions of `IMPORTER_ENTRIES`
 * and their queues.
 *
 * - ImportTrigger: an event source mapping of the main table's stream (`IMPORT_STREAM_FILTER`:
 *   ImageStream event-log INSERTs) enqueues a job per stream that needs an import.
 * - ImportQueue → ImportWorker: imports from the registries and writes the results (bounded
 *   concurrency, partial batch failures; five receives, then ImportDLQ).
 * - ImportSchedule: once a minute, enqueues the scheduled re-imports that are due, spread with
 *   per-message delays. Reserved concurrency 1: two runs never overlap.
 *
 * The worker is the only function here that writes the table. None of them authenticates
 * anybody, so none gets the auth settings; none ever gets `IMPORT_ALLOW_LOOPBACK`.
 */
import { CfnOutput, CrossStackReferences, Duration, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, MetricType, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { IMPORTER_ENTRIES, type ImporterEntry } from '../../shared/importer/entries.js';
import { IMPORT_STREAM_FILTER } from '../../shared/importer/trigger.js';
import { ApiFunction } from '../constructs/api-function.js';
import { acknowledge } from '../constructs/nag.js';
import { OperationalAlarms } from '../constructs/operational-alarms.js';
import { secureQueue } from '../constructs/secure-queue.js';
import { grantStreamKey, grantTableAccess } from '../constructs/table-access.js';
import { baseEnvironment, importEnvironment } from './environment.js';
import { IMPORT_SCHEDULE_SETTINGS, type DeploySettings } from './settings.js';

export const TRIGGER_TIMEOUT = Duration.seconds(30);
/** A worker batch: up to 10 streams, several registry round trips each. */
export const WORKER_TIMEOUT = Duration.minutes(5);
export const WORKER_BATCH_SIZE = 10;
/** Worker invocations in flight at most (the SQS event source's maximum concurrency). */
export const WORKER_MAX_CONCURRENCY = 10;
/** AWS's advice for SQS event sources: at least six times the function timeout. */
export const IMPORT_QUEUE_VISIBILITY = Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6);
/** A job failing this often goes to ImportDLQ. */
export const IMPORT_MAX_RECEIVES = 5;
export const SCHEDULE_TIMEOUT = Duration.seconds(50);
export const IMPORT_SCHEDULE = 'rate(1 minute)';

export interface ImporterStackProps extends StackProps {
  readonly settings: DeploySettings;
  readonly table: ITableV2;
  readonly tableKey?: IKey | undefined;
  readonly alarmTopic: ITopic;
}

export class ImporterStack extends Stack {
  readonly importQueue: Queue;
  readonly importDlq: Queue;
  /** On-failure destination of the trigger's event source mapping. */
  readonly triggerDlq: Queue;
  readonly functions: Readonly<Record<ImporterEntry, ApiFunction>>;
  readonly triggerEventSource: DynamoEventSource;
  readonly workerEventSource: SqsEventSource;
  readonly scheduleRule: Rule;
  readonly alarms: OperationalAlarms;

  constructor(scope: Construct, id: string, props: ImporterStackProps) {
    super(scope, id, props);
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const { settings, table, tableKey } = props;

    this.importDlq = secureQueue(this, 'ImportDlq');
    this.importQueue = secureQueue(this, 'ImportQueue', {
      visibilityTimeout: IMPORT_QUEUE_VISIBILITY,
      deadLetterQueue: { queue: this.importDlq, maxReceiveCount: IMPORT_MAX_RECEIVES },
    });
    this.triggerDlq = secureQueue(this, 'TriggerDlq');
    acknowledge(this.triggerDlq, 'AwsSolutions-SQS3', 'This queue is itself the on-failure destination (dead-letter queue) of the import trigger event source mapping.');

    const env = { ...baseEnvironment(settings), TABLE_NAME: table.tableName };
    const fn = (entry: ImporterEntry, name: string, extra: Partial<ConstructorParameters<typeof ApiFunction>[2]>): ApiFunction =>
      new ApiFunction(this, `${name}Function`, {
        entry: IMPORTER_ENTRIES[entry],
        projectRoot: settings.projectRoot,
        description: `ImageStream API ${settings.stage}: image import ${entry}`,
        environment: env,
        logRetention: settings.logRetention,
        removalPolicy: settings.removalPolicy,
        ...extra,
      });
    const sendJobs = new PolicyStatement({ sid: 'ImportQueueSend', actions: ['sqs:SendMessage'], resources: [this.importQueue.queueArn] });

    // Trigger: stream → jobs. It reads no item itself (the records carry the streams).
    const trigger = fn('trigger', 'Trigger', {
      timeout: TRIGGER_TIMEOUT,
      environment: { ...env, IMPORT_QUEUE_URL: this.importQueue.queueUrl },
    });
    trigger.function.addToRolePolicy(sendJobs);
    grantStreamKey(trigger.function, table, tableKey);
    this.triggerEventSource = new DynamoEventSource(table, {
      startingPosition: StartingPosition.LATEST,
      batchSize: 100,
      bisectBatchOnError: true,
      retryAttempts: 5,
      // Bounded: a change not turned into a job within an hour goes to the DLQ (the scheduled
      // import, or the next change, imports the stream anyway).
      maxRecordAge: Duration.hours(1),
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(this.triggerDlq),
      metricsConfig: { metrics: [MetricType.EVENT_COUNT] },
      filters: [FilterCriteria.filter(IMPORT_STREAM_FILTER)],
    });
    trigger.function.addEventSource(this.triggerEventSource);

    // Worker: jobs → registry → table (read-write, like the API's writers).
    const worker = fn('worker', 'Worker', {
      timeout: WORKER_TIMEOUT,
      environment: { ...env, ...importEnvironment(settings) },
    });
    grantTableAccess(worker.function, table, 'read-write', tableKey);
    this.workerEventSource = new SqsEventSource(this.importQueue, {
      batchSize: WORKER_BATCH_SIZE,
      reportBatchItemFailures: true,
      maxConcurrency: WORKER_MAX_CONCURRENCY,
    });
    worker.function.addEventSource(this.workerEventSource);

    // Schedule: lists the streams, enqueues what is due; never two at once, never retried.
    const schedule = fn('schedule', 'Schedule', {
      timeout: SCHEDULE_TIMEOUT,
      reservedConcurrentExecutions: 1,
      environment: { ...env, ...importEnvironment(settings, IMPORT_SCHEDULE_SETTINGS), IMPORT_QUEUE_URL: this.importQueue.queueUrl },
    });
    grantTableAccess(schedule.function, table, 'read', tableKey);
    schedule.function.addToRolePolicy(sendJobs);
    this.scheduleRule = new Rule(this, 'ScheduleRule', {
      description: `ImageStream API ${settings.stage}: scheduled image imports`,
      schedule: Schedule.expression(IMPORT_SCHEDULE),
      enabled: settings.importer.importDisableScheduled !== 'true',
      targets: [new LambdaFunction(schedule.function, { retryAttempts: 0 })],
    });
    schedule.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });

    this.functions = { trigger, worker, schedule };

    this.alarms = new OperationalAlarms(this, 'Alarms', { topic: props.alarmTopic, label: id });
    this.alarms.streamIteratorAge('ImportTrigger', trigger.function);
    this.alarms.eventSourceFailures('ImportTrigger', this.triggerEventSource.eventSourceMappingId);
    this.alarms.queueDepth('ImportDlq', this.importDlq);
    this.alarms.queueDepth('TriggerDlq', this.triggerDlq);
    for (const [name, f] of [
      ['ImportTrigger', trigger],
      ['ImportWorker', worker],
      ['ImportSchedule', schedule],
    ] as const) {
      this.alarms.functionHealth(name, f.function);
    }

    new CfnOutput(this, 'ImportQueueUrl', { value: this.importQueue.queueUrl, description: 'import jobs (IMPORT_QUEUE_URL)' });
    new CfnOutput(this, 'ImportDlqUrl', { value: this.importDlq.queueUrl, description: 'import jobs that failed 5 times' });
    new CfnOutput(this, 'TriggerDlqUrl', { value: this.triggerDlq.queueUrl, description: 'on-failure queue of the import trigger event source mapping' });
  }
}
