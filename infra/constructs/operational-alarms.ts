/**
 * @module operational-alarms
 * CloudWatch alarms, all sending to one SNS topic. The API stack adds the API Gateway 5xx,
 * Lambda error/throttle and DynamoDB throttle alarms. The watch fan-out adds its own through
 * the same construct (this is the extension point):
 *
 * ```ts
 * alarms.streamIteratorAge('Fanout', fanoutFunction); // the stream consumer falls behind
 * alarms.queueDepth('FanoutDlq', deadLetterQueue);    // anything in the on-failure queue
 * alarms.functionHealth('Fanout', fanoutFunction);    // errors and throttles
 * alarms.eventSourceFailures('FanoutLog', mapping);   // batches the ESM gave up on
 * ```
 */
import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const PERIOD = Duration.minutes(5);

export interface AlarmThreshold {
  /** Alarm when the statistic reaches this value (>=). */
  readonly threshold: number;
  /** Consecutive periods (default 1). */
  readonly evaluationPeriods?: number;
}

export interface OperationalAlarmsProps {
  readonly topic: ITopic;
  /** Prefixes every alarm description (e.g. the stack name). */
  readonly label: string;
}

export class OperationalAlarms extends Construct {
  readonly topic: ITopic;
  readonly #label: string;
  readonly #alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    this.topic = props.topic;
    this.#label = props.label;
  }

  get alarms(): readonly Alarm[] {
    return this.#alarms;
  }

  /** Any alarm on a metric, sent to the topic; missing data counts as fine. */
  add(id: string, metric: IMetric, description: string, t: AlarmThreshold): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: t.threshold,
      evaluationPeriods: t.evaluationPeriods ?? 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `${this.#label}: ${description}`,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.#alarms.push(alarm);
    return alarm;
  }

  /** 5xx answers of the API stage (the handlers' own 500s and API Gateway's). */
  apiServerErrors(stage: Stage, t: AlarmThreshold = { threshold: 5 }): Alarm {
    return this.add('Api5xx', stage.metricServerError({ period: PERIOD, statistic: 'Sum' }), `API Gateway 5xx responses >= ${t.threshold} in 5 min`, t);
  }

  /** Crashed/timed-out invocations and throttles of one function. */
  functionHealth(name: string, fn: IFunction, errors: AlarmThreshold = { threshold: 5 }, throttles: AlarmThreshold = { threshold: 1 }): Alarm[] {
    return [
      this.add(`${name}Errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), `${name} function errors >= ${errors.threshold} in 5 min`, errors),
      this.add(`${name}Throttles`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), `${name} function throttles >= ${throttles.threshold} in 5 min`, throttles),
    ];
  }

  /** Read and write throttle events of a table. */
  tableThrottles(table: ITableV2, t: AlarmThreshold = { threshold: 1 }): Alarm {
    const metric = new MathExpression({
      expression: 'r + w',
      usingMetrics: {
        r: table.metric('ReadThrottleEvents', { period: PERIOD, statistic: 'Sum' }),
        w: table.metric('WriteThrottleEvents', { period: PERIOD, statistic: 'Sum' }),
      },
      period: PERIOD,
      label: 'ReadThrottleEvents + WriteThrottleEvents',
    });
    return this.add('TableThrottles', metric, `DynamoDB throttle events >= ${t.threshold} in 5 min`, t);
  }

  /** For stream consumers: the oldest record's age (IteratorAge, Maximum), in milliseconds. */
  streamIteratorAge(name: string, fn: IFunction, maxAge: Duration = Duration.minutes(1), evaluationPeriods = 3): Alarm {
    const metric = fn.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' });
    return this.add(`${name}IteratorAge`, metric, `${name} stream iterator age >= ${maxAge.toHumanString()}`, {
      threshold: maxAge.toMilliseconds(),
      evaluationPeriods,
    });
  }

  /**
   * For stream event source mappings with `metricsConfig` (EventCount): records the mapping
   * gave up on and sent to its on-failure destination (OnFailureDestinationDeliveredEventCount,
   * by EventSourceMappingUUID).
   */
  eventSourceFailures(name: string, eventSourceMappingId: string, t: AlarmThreshold = { threshold: 1 }): Alarm {
    const metric = new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'OnFailureDestinationDeliveredEventCount',
      dimensionsMap: { EventSourceMappingUUID: eventSourceMappingId },
      period: PERIOD,
      statistic: 'Sum',
    });
    return this.add(`${name}OnFailure`, metric, `${name} event source mapping sent >= ${t.threshold} records to its on-failure destination in 5 min`, t);
  }

  /** For dead-letter / on-failure queues: any visible message. */
  queueDepth(name: string, queue: IQueue, t: AlarmThreshold = { threshold: 1 }): Alarm {
    const metric = queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' });
    return this.add(`${name}Depth`, metric, `${name} holds >= ${t.threshold} messages`, t);
  }
}
