/**
 * The suite's vocabulary: a section returns rows (one figure each, with its baseline from the
 * same run, the ratio and the target), free-form notes and optional detail tables.
 */
import type { StackProcess } from './stack-process.js';

/** A target on the figure itself (`value`) or on figure ÷ baseline (`ratio`). */
export interface Target {
  readonly on: 'value' | 'ratio';
  readonly max?: number;
  readonly min?: number;
  /** Shown instead of the generated text. */
  readonly text?: string;
}

export interface Row {
  readonly metric: string;
  readonly value: number | null;
  readonly unit: string;
  /** The same-run baseline (same unit), or null when the section has none for this figure. */
  readonly baseline: number | null;
  /** value ÷ baseline. */
  readonly ratio: number | null;
  readonly target: string;
  /** Whether the target is met; null when the figure has no target. */
  readonly ok: boolean | null;
}

export interface DetailTable {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface SectionResult {
  readonly id: string;
  readonly title: string;
  /** What the baseline column means in this section. */
  readonly baseline: string;
  readonly rows: Row[];
  readonly notes: string[];
  readonly tables: DetailTable[];
  /** Raw data for latest.json (distributions, per-run samples). */
  readonly data: Record<string, unknown>;
  seconds?: number;
  error?: string;
}

export interface BenchContext {
  readonly root: string;
  readonly quick: boolean;
  /** Scratch directory of this run (removed at the end). */
  readonly tmp: string;
  readonly dynamodbEndpoint: string;
  /** The shared local stack (a child process), started on first use. */
  stack(): Promise<StackProcess>;
  /**
   * Another local stack process with its own table (stopped by the runner at the end). The
   * bench's stacks park the watch pipeline's stream pollers (it shares the handlers' process
   * locally; on AWS it is other functions); `{ streamPollMs: undefined }` keeps the stack default.
   */
  startStack(name: string, opts?: StackOptions): Promise<StackProcess>;
  /**
   * A DynamoDB Local of its own (stopped by the runner at the end, or earlier by the caller):
   * DynamoDB Local keeps every table and stream in one store and slows down as it fills, so a
   * section that writes tens of thousands of items, or measures the stream pipeline, starts
   * from an empty one.
   */
  startDynamoDb(name: string): Promise<{ readonly endpoint: string; stop(): Promise<void> }>;
  /** Progress line on stderr. */
  log(line: string): void;
  /** `full` normally, `quick` under BENCH_QUICK=1. */
  n(full: number, quick: number): number;
  /** What is left of the run's time budget (BENCH_BUDGET_S; 540 s, quick 240 s), in ms. */
  remainingMs(): number;
  /** The sections finished so far in this run (a later section may take a baseline from them). */
  readonly results: readonly SectionResult[];
}

export interface StackOptions {
  /** Stream poll interval of the watch pipeline; `undefined` keeps the stack default (default: parked). */
  readonly streamPollMs?: number | undefined;
  /** Another DynamoDB (from `startDynamoDb`) instead of the run's shared one. */
  readonly dynamodbEndpoint?: string;
}

export type SectionRunner = (ctx: BenchContext) => Promise<SectionResult>;
