/**
 * @module sqs-queue
 * The AWS implementation of the import queue: `SendMessageBatch` over SQS's JSON protocol,
 * signed with Signature Version 4 using the Lambda's role credentials from the environment
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`). Written against
 * `node:https` and `node:crypto` because the project does not ship `@aws-sdk/client-sqs`
 * (see docs/design.md; swapping this for the SDK client is a drop-in change).
 *
 * Jobs go ten to a request (the SQS limit); a job's `delaySeconds` (0–900) becomes the
 * message's `DelaySeconds`, which is how scheduled imports are spread over time.
 */
import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:https';
import type { ImportQueue } from './queue.js';
import type { ImportJob } from './worker.js';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignedRequest {
  readonly headers: Record<string, string>;
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** SigV4 headers for a POST of `body` to `url` (path `/`, no query). */
export function signV4(opts: {
  readonly url: URL;
  readonly region: string;
  readonly service: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly credentials: AwsCredentials;
  readonly now: Date;
}): Record<string, string> {
  const amzDate = opts.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...opts.headers,
    host: opts.url.host,
    'x-amz-date': amzDate,
    ...(opts.credentials.sessionToken ? { 'x-amz-security-token': opts.credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers)
    .map((k) => k.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')]));
  const canonicalHeaders = names.map((n) => `${n}:${lower[n]}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = ['POST', opts.url.pathname || '/', '', canonicalHeaders, signedHeaders, sha256Hex(opts.body)].join('\n');
  const scope = `${date}/${opts.region}/${opts.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${opts.credentials.secretAccessKey}`, date), opts.region), opts.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${opts.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

export function credentialsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): AwsCredentials {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey) throw new Error('no AWS credentials in the environment');
  return { accessKeyId, secretAccessKey, ...(env['AWS_SESSION_TOKEN'] ? { sessionToken: env['AWS_SESSION_TOKEN'] } : {}) };
}

export interface SqsQueueOptions {
  readonly queueUrl: string;
  readonly region: string;
  readonly credentials?: () => AwsCredentials;
  readonly now?: () => Date;
  /** Sends one signed request (tests inject a loopback endpoint). */
  readonly post?: (url: URL, headers: Record<string, string>, body: string) => Promise<{ status: number; body: string }>;
}

function httpsPost(url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: 10_000 }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('SQS request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

export class SqsImportQueue implements ImportQueue {
  readonly #o: SqsQueueOptions;

  constructor(opts: SqsQueueOptions) {
    this.#o = opts;
  }

  async enqueue(jobs: readonly ImportJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += 10) await this.#send(jobs.slice(i, i + 10));
  }

  async #send(batch: readonly ImportJob[]): Promise<void> {
    const endpoint = new URL('/', this.#o.queueUrl);
    const body = JSON.stringify({
      QueueUrl: this.#o.queueUrl,
      Entries: batch.map((job, i) => {
        const { delaySeconds, ...rest } = job;
        return { Id: String(i), MessageBody: JSON.stringify(rest), ...(delaySeconds ? { DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))) } : {}) };
      }),
    });
    const headers = signV4({
      url: endpoint,
      region: this.#o.region,
      service: 'sqs',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessageBatch' },
      body,
      credentials: (this.#o.credentials ?? credentialsFromEnv)(),
      now: (this.#o.now ?? (() => new Date()))(),
    });
    const res = await (this.#o.post ?? httpsPost)(endpoint, headers, body);
    if (res.status !== 200) throw new Error(`SQS SendMessageBatch failed with HTTP ${res.status}`);
    const parsed = JSON.parse(res.body) as { Failed?: { Id?: string; Code?: string }[] };
    if (parsed.Failed && parsed.Failed.length > 0) {
      throw new Error(`SQS SendMessageBatch failed for ${parsed.Failed.length} of ${batch.length} jobs (${parsed.Failed[0]?.Code ?? 'unknown'})`);
    }
  }
}

/** Parses an SQS message body into a job (the worker's input); undefined when malformed. */
export function jobFromMessage(body: string): ImportJob | undefined {
  try {
    const j = JSON.parse(body) as Partial<ImportJob>;
    if (typeof j.namespace !== 'string' || typeof j.name !== 'string' || j.namespace === '' || j.name === '') return undefined;
    return {
      namespace: j.namespace,
      name: j.name,
      ...(typeof j.uid === 'string' ? { uid: j.uid } : {}),
      ...(j.scheduled === true ? { scheduled: true } : {}),
    };
  } catch {
    return undefined;
  }
}
