/**
 * @module queue
 * Between the trigger (which decides which streams need an import) and the worker (which
 * imports): a port with two implementations.
 *
 * - AWS: an SQS queue (`sqs-queue.ts`); the worker Lambda consumes it with bounded
 *   concurrency, partial batch responses and a dead-letter queue, so a slow or failing
 *   registry never blocks the table's stream (whose event-log records all share one
 *   partition key, hence one shard).
 * - Local stack and tests: this in-process queue — the same jobs, run by the same worker
 *   function, `concurrency` at a time, with the same de-duplication SQS gives us through
 *   idempotent jobs: a job for a stream that is already waiting is merged into it, and a job
 *   for a stream being imported runs again once that import ends.
 */
import type { ImportJob } from './worker.js';

export interface ImportQueue {
  enqueue(jobs: readonly ImportJob[]): Promise<void>;
}

export interface InProcessQueueOptions {
  readonly concurrency: number;
  readonly onError?: (job: ImportJob, error: unknown) => void;
}

const keyOf = (j: ImportJob): string => `${j.namespace}/${j.name}`;

/** Merges two jobs for the same stream: the newer uid, scheduled only if both are. */
const merge = (a: ImportJob, b: ImportJob): ImportJob => ({
  namespace: b.namespace,
  name: b.name,
  ...(b.uid ?? a.uid ? { uid: b.uid ?? a.uid } : {}),
  ...(a.scheduled && b.scheduled ? { scheduled: true } : {}),
});

export class InProcessImportQueue implements ImportQueue {
  readonly #run: (job: ImportJob) => Promise<unknown>;
  readonly #o: InProcessQueueOptions;
  readonly #waiting = new Map<string, ImportJob>();
  readonly #running = new Set<string>();
  readonly #again = new Map<string, ImportJob>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #idle: (() => void)[] = [];

  constructor(run: (job: ImportJob) => Promise<unknown>, opts: InProcessQueueOptions) {
    this.#run = run;
    this.#o = opts;
  }

  async enqueue(jobs: readonly ImportJob[]): Promise<void> {
    for (const job of jobs) {
      if (job.delaySeconds && job.delaySeconds > 0) {
        const { delaySeconds: _d, ...rest } = job;
        const t = setTimeout(() => {
          this.#timers.delete(t);
          this.#add(rest);
        }, job.delaySeconds * 1000);
        t.unref();
        this.#timers.add(t);
      } else {
        this.#add(job);
      }
    }
  }

  #add(job: ImportJob): void {
    const key = keyOf(job);
    if (this.#running.has(key)) {
      const pending = this.#again.get(key);
      this.#again.set(key, pending ? merge(pending, job) : job);
      return;
    }
    const waiting = this.#waiting.get(key);
    this.#waiting.set(key, waiting ? merge(waiting, job) : job);
    this.#pump();
  }

  #pump(): void {
    while (this.#running.size < this.#o.concurrency && this.#waiting.size > 0) {
      const [key, job] = this.#waiting.entries().next().value as [string, ImportJob];
      this.#waiting.delete(key);
      this.#running.add(key);
      void this.#run(job)
        .catch((e: unknown) => this.#o.onError?.(job, e))
        .finally(() => {
          this.#running.delete(key);
          const again = this.#again.get(key);
          if (again) {
            this.#again.delete(key);
            this.#add(again);
          }
          this.#pump();
          if (this.#running.size === 0 && this.#waiting.size === 0) this.#idle.splice(0).forEach((r) => r());
        });
    }
  }

  /** Jobs waiting or running (delayed ones not counted). */
  get pending(): number {
    return this.#waiting.size + this.#running.size;
  }

  /** Resolves when nothing is waiting or running. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Drops delayed and waiting jobs and waits for running ones (the queue stays usable). */
  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#waiting.clear();
    this.#again.clear();
    await this.whenIdle();
  }
}
