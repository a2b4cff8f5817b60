/** Percentiles, rows with targets, number formatting. */
import type { DetailTable, Row, SectionResult, Target } from './types.js';

/** Nearest-rank percentile (q in 0..1) of unsorted samples; NaN when empty. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export const median = (samples: readonly number[]): number => percentile(samples, 0.5);
export const min = (samples: readonly number[]): number => (samples.length === 0 ? Number.NaN : Math.min(...samples));
export const mean = (samples: readonly number[]): number =>
  samples.length === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / samples.length;

export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    n: samples.length,
    p50: r(percentile(samples, 0.5)),
    p90: r(percentile(samples, 0.9)),
    p99: r(percentile(samples, 0.99)),
    min: r(min(samples)),
    max: r(samples.length === 0 ? Number.NaN : Math.max(...samples)),
    mean: r(mean(samples)),
  };
}

function targetText(t: Target, unit: string): string {
  if (t.text) return t.text;
  const u = t.on === 'ratio' ? '×' : unit === '' ? '' : ` ${unit}`;
  if (t.max !== undefined && t.min !== undefined) return `${t.min}–${t.max}${u}`;
  if (t.max !== undefined) return `≤ ${t.max}${u}`;
  if (t.min !== undefined) return `≥ ${t.min}${u}`;
  return '';
}

const finite = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);

/** A figure with its baseline; the ratio is value ÷ baseline. */
export function row(metric: string, value: number | null, unit: string, baseline: number | null = null, target?: Target): Row {
  const ratio = finite(value) && finite(baseline) && baseline !== 0 ? value / baseline : null;
  let ok: boolean | null = null;
  if (target) {
    const x = target.on === 'ratio' ? ratio : value;
    ok = finite(x) && (target.max === undefined || x <= target.max) && (target.min === undefined || x >= target.min);
  }
  return { metric, value: finite(value) ? value : null, unit, baseline: finite(baseline) ? baseline : null, ratio, target: target ? targetText(target, unit) : '', ok };
}

export function fmt(x: number | null, unit = ''): string {
  if (x === null || !Number.isFinite(x)) return '—';
  const abs = Math.abs(x);
  const digits = abs === 0 || Number.isInteger(x) ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const n = x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === '' ? n : `${n} ${unit}`;
}

export const fmtRatio = (x: number | null): string => (x === null ? '—' : `${x.toFixed(x >= 10 ? 1 : 2)}×`);

export function emptySection(id: string, title: string, baseline: string): SectionResult {
  return { id, title, baseline, rows: [], notes: [], tables: [], data: {} };
}

export function table(title: string, header: readonly string[], rows: readonly (readonly string[])[]): DetailTable {
  return { title, header, rows };
}

export const ms = (from: number): number => performance.now() - from;
export const sleep = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n));
export const MiB = 1024 * 1024;
