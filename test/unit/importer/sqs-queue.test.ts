/**
 * The SQS import queue: jobs become SendMessageBatch entries (ten at most per request, delays
 * clamped to SQS's range, bodies the worker can parse back), refused entries fail the enqueue,
 * and the real SDK client signs and sends the AWS JSON protocol request (checked against a
 * loopback endpoint, no AWS involved).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { jobFromMessage, messageEntry, SqsImportQueue } from '../../../shared/importer/sqs-queue.js';
import type { ImportJob } from '../../../shared/importer/worker.js';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/imports';
const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const jobs = (n: number): ImportJob[] => Array.from({ length: n }, (_, i) => ({ namespace: 'ns', name: `s${i}`, ...(i === 0 ? { delaySeconds: 17, scheduled: true } : {}) }));

describe('SqsImportQueue', () => {
  it('sends SendMessageBatch requests of at most ten jobs to the queue, with delays', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await new SqsImportQueue({ queueUrl: QUEUE_URL, region: 'eu-west-1', client: new SQSClient({ region: 'eu-west-1' }) }).enqueue(jobs(12));
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    const [first, second] = calls.map((c) => c.args[0].input);
    expect(first?.QueueUrl).toBe(QUEUE_URL);
    expect(first?.Entries).toHaveLength(10);
    expect(second?.Entries?.map((e) => e.Id)).toEqual(['0', '1']);
    expect(first?.Entries?.[0]).toEqual({ Id: '0', MessageBody: '{"namespace":"ns","name":"s0","scheduled":true}', DelaySeconds: 17 });
    expect(first?.Entries?.[1]).toEqual({ Id: '1', MessageBody: '{"namespace":"ns","name":"s1"}' });
    // The worker reads back exactly what the trigger or the schedule sent.
    expect(jobFromMessage(first!.Entries![0]!.MessageBody!)).toEqual({ namespace: 'ns', name: 's0', scheduled: true });
  });

  it('sends nothing for no jobs', async () => {
    await new SqsImportQueue({ queueUrl: QUEUE_URL, region: 'eu-west-1' }).enqueue([]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('clamps delays to what SQS accepts (0–900 s, whole seconds)', () => {
    const delay = (delaySeconds: number) => messageEntry({ namespace: 'n', name: 'x', delaySeconds }, 0).DelaySeconds;
    expect(delay(2000)).toBe(900);
    expect(delay(12.6)).toBe(13);
    expect(delay(0.4)).toBeUndefined();
    expect(delay(-5)).toBeUndefined();
  });

  it('fails the enqueue when SQS refuses an entry, so the stream batch or the schedule is retried', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '3', Code: 'InternalError', SenderFault: false }] });
    await expect(new SqsImportQueue({ queueUrl: QUEUE_URL, region: 'eu-west-1' }).enqueue(jobs(5))).rejects.toThrow(/failed for 1 of 5 jobs \(InternalError\)/);
  });

  it('passes SDK errors on', async () => {
    sqs.on(SendMessageBatchCommand).rejects(new Error('AccessDenied'));
    await expect(new SqsImportQueue({ queueUrl: QUEUE_URL, region: 'eu-west-1' }).enqueue(jobs(1))).rejects.toThrow('AccessDenied');
  });
});

describe('SqsImportQueue with the real SDK client', () => {
  it('sends a SigV4-signed AWS JSON request (no hand-written signing)', async () => {
    sqs.restore();
    const seen: { headers: IncomingHttpHeaders; body: { QueueUrl: string; Entries: { Id: string; MessageBody: string }[] } }[] = [];
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as (typeof seen)[number]['body'];
        seen.push({ headers: req.headers, body });
        const md5 = (s: string) => createHash('md5').update(s).digest('hex');
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ Successful: body.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new SQSClient({
        region: 'eu-west-1',
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'tok' },
      });
      await new SqsImportQueue({ queueUrl: QUEUE_URL, region: 'eu-west-1', client }).enqueue(jobs(3));
      client.destroy();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(seen).toHaveLength(1);
    const { headers, body } = seen[0]!;
    expect(headers['x-amz-target']).toBe('AmazonSQS.SendMessageBatch');
    expect(headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(headers['x-amz-security-token']).toBe('tok');
    expect(headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/sqs\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    expect(body.QueueUrl).toBe(QUEUE_URL);
    expect(body.Entries.map((e) => e.Id)).toEqual(['0', '1', '2']);
  });
});

describe('jobFromMessage', () => {
  it('reads a job and rejects anything else', () => {
    expect(jobFromMessage('{"namespace":"ns","name":"s","uid":"u","scheduled":true,"extra":1}')).toEqual({ namespace: 'ns', name: 's', uid: 'u', scheduled: true });
    expect(jobFromMessage('{"name":1}')).toBeUndefined();
    expect(jobFromMessage('{"namespace":"","name":"s"}')).toBeUndefined();
    expect(jobFromMessage('not json')).toBeUndefined();
  });
});
