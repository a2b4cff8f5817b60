/**
 * The alarm extension points the stream consumers use (stream iterator age, dead-letter queue
 * depth, event source mapping failures), on a bare stack with an inline function: no bundling.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { OperationalAlarms } from '../../infra/constructs/operational-alarms.js';
import { removeTestApps, testApp } from './template-helpers.js';

afterAll(removeTestApps);

function fixture() {
  const stack = new Stack(testApp(), 'Alarms');
  const topic = new Topic(stack, 'Topic');
  const fn = new LambdaFunction(stack, 'Fanout', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => {}') });
  const queue = new Queue(stack, 'Dlq');
  const alarms = new OperationalAlarms(stack, 'Alarms', { topic, label: 'test' });
  return { stack, topic, fn, queue, alarms };
}

describe('OperationalAlarms', () => {
  it('alarms when a stream consumer falls behind (IteratorAge, Maximum, in ms)', () => {
    const { stack, fn, alarms } = fixture();
    alarms.streamIteratorAge('Fanout', fn, Duration.minutes(2));
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 120_000,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on any message in a dead-letter queue', () => {
    const { stack, queue, alarms } = fixture();
    alarms.queueDepth('FanoutDlq', queue);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
  });

  it('alarms on records an event source mapping sent to its on-failure destination (ESM metrics)', () => {
    const { stack, alarms } = fixture();
    alarms.eventSourceFailures('FanoutLog', 'esm-uuid');
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'OnFailureDestinationDeliveredEventCount',
      Dimensions: [{ Name: 'EventSourceMappingUUID', Value: 'esm-uuid' }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it('sends every alarm it makes to its topic', () => {
    const { stack, fn, queue, alarms } = fixture();
    alarms.streamIteratorAge('Fanout', fn);
    alarms.queueDepth('FanoutDlq', queue);
    alarms.functionHealth('Fanout', fn);
    expect(alarms.alarms).toHaveLength(4);
    const t = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const topicId = Object.entries(t.Resources).find(([, r]) => r.Type === 'AWS::SNS::Topic')![0];
    for (const r of Object.values(t.Resources).filter((x) => x.Type === 'AWS::CloudWatch::Alarm')) {
      expect(r.Properties['AlarmActions']).toEqual([{ Ref: topicId }]);
      expect(String(r.Properties['AlarmDescription'])).toMatch(/^test: /);
    }
  });
});
