/**
 * @module secure-queue
 * The SQS preset of the app: SSE-SQS encryption, a queue policy that denies anything but TLS,
 * and the longest retention (14 days) unless told otherwise. Used for the import queue and
 * for every dead-letter / on-failure queue (whose messages someone must have time to read).
 */
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** SQS's maximum retention. */
export const QUEUE_RETENTION = Duration.days(14);

export function secureQueue(scope: Construct, id: string, props: Omit<QueueProps, 'encryption' | 'encryptionMasterKey' | 'enforceSSL'> = {}): Queue {
  return new Queue(scope, id, {
    retentionPeriod: QUEUE_RETENTION,
    ...props,
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
}
