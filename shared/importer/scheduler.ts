/**
 * @module scheduler
 * Scheduled re-imports (semantics §7.2), as pure functions run by a periodic tick (an
 * EventBridge schedule on AWS, a timer in the local stack).
 *
 * Stateless spreading: every scheduled stream has a phase in `[0, interval)` derived from its
 * uid, so it is due once per interval, streams are spread evenly over the interval (the
 * jitter between streams), and no schedule state has to be stored. A tick covering the time
 * window `[from, to)` selects the streams whose phase falls into it, then bounds them:
 * at most `maxPerMinute` streams overall and `registryMaxPerMinute` per registry per minute of
 * window (the rest are deferred to their next interval), each given a start delay inside the
 * window — spaced per registry, plus random jitter — so the imports of one tick trickle out
 * instead of arriving together.
 *
 * No retry storm: a stream is visited once per interval whatever its imports did, and a
 * stream whose scheduled tags were last rate-limited by their registry is skipped until the
 * registry's `Retry-After` has passed.
 */
import { createHash } from 'node:crypto';
import { dockerClientDefaults, tryParseImageReference } from '../image/image-reference.js';
import type { ImageStream } from '../image/types.js';
import { hasScheduledTags, IMPORT_SUCCESS, isScheduledTag } from './planner.js';
import type { ImportJob } from './worker.js';

export interface ScheduleCandidate {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** Registries of its scheduled tags (defaulted hosts). */
  readonly registries: readonly string[];
  /** Epoch ms before which the stream is not visited (a registry's rate limit). */
  readonly notBefore?: number;
}

const RETRY_AFTER_RE = /retry after (\d+)s/;

/** The end of the latest registry rate limit recorded on the stream's scheduled tags, if any. */
export function rateLimitedUntil(stream: ImageStream): number | undefined {
  let until: number | undefined;
  for (const tag of stream.spec.tags ?? []) {
    if (!isScheduledTag(stream, tag)) continue;
    const c = stream.status?.tags?.find((t) => t.tag === tag.name)?.conditions?.find((x) => x.type === IMPORT_SUCCESS);
    const m = c?.message ? RETRY_AFTER_RE.exec(c.message) : null;
    if (!m || !c?.lastTransitionTime) continue;
    const end = Date.parse(c.lastTransitionTime) + Number(m[1]) * 1000;
    if (!Number.isNaN(end)) until = Math.max(until ?? 0, end);
  }
  return until;
}

/** The streams the scheduled controller keeps visiting. */
export function scheduleCandidates(streams: readonly ImageStream[]): ScheduleCandidate[] {
  const out: ScheduleCandidate[] = [];
  for (const s of streams) {
    if (!hasScheduledTags(s) || s.metadata.deletionTimestamp) continue;
    const registries = new Set<string>();
    for (const t of s.spec.tags ?? []) {
      if (!isScheduledTag(s, t)) continue;
      const ref = tryParseImageReference(t.from?.name ?? '');
      registries.add(ref ? dockerClientDefaults(ref).registry : '');
    }
    const notBefore = rateLimitedUntil(s);
    out.push({
      namespace: s.metadata.namespace ?? '',
      name: s.metadata.name ?? '',
      uid: s.metadata.uid ?? `${s.metadata.namespace}/${s.metadata.name}`,
      registries: [...registries].sort(),
      ...(notBefore !== undefined ? { notBefore } : {}),
    });
  }
  return out;
}

/** A stream's phase in `[0, intervalMs)`, from its uid. */
export function phaseOf(uid: string, intervalMs: number): number {
  const h = createHash('sha256').update(uid).digest();
  return Number(h.readBigUInt64BE(0) % BigInt(Math.max(1, Math.round(intervalMs))));
}

/** Whether `phase` lies in the window `[from, to)` taken modulo the interval. */
function inWindow(phase: number, from: number, to: number, interval: number): boolean {
  if (to - from >= interval) return true;
  const a = ((from % interval) + interval) % interval;
  const b = ((to % interval) + interval) % interval;
  return a <= b ? phase >= a && phase < b : phase >= a || phase < b;
}

export interface ScheduleWindow {
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
  readonly intervalSeconds: number;
  readonly maxPerMinute: number;
  readonly registryMaxPerMinute: number;
  readonly random?: () => number;
}

export interface ScheduleSelection {
  readonly jobs: ImportJob[];
  /** Due but over a rate cap: they come again next interval. */
  readonly deferred: number;
  /** Due but their registry asked us to wait. */
  readonly backedOff: number;
}

/** The scheduled imports of one tick. */
export function selectScheduled(candidates: readonly ScheduleCandidate[], w: ScheduleWindow): ScheduleSelection {
  const interval = w.intervalSeconds * 1000;
  const windowMs = Math.max(1, w.to - w.from);
  const minutes = windowMs / 60_000;
  const globalCap = Math.max(1, Math.floor(w.maxPerMinute * minutes));
  const registryCap = Math.max(1, Math.floor(w.registryMaxPerMinute * minutes));
  const random = w.random ?? Math.random;
  const due = candidates
    .map((c) => ({ c, phase: phaseOf(c.uid, interval) }))
    .filter(({ phase }) => inWindow(phase, w.from, w.to, interval))
    .sort((a, b) => a.phase - b.phase);
  const perRegistry = new Map<string, number>();
  const jobs: ImportJob[] = [];
  let deferred = 0;
  let backedOff = 0;
  for (const { c } of due) {
    if (c.notBefore !== undefined && c.notBefore > w.to) {
      backedOff++;
      continue;
    }
    const counts = c.registries.map((r) => perRegistry.get(r) ?? 0);
    if (jobs.length >= globalCap || counts.some((n) => n >= registryCap)) {
      deferred++;
      continue;
    }
    c.registries.forEach((r, i) => perRegistry.set(r, counts[i]! + 1));
    // Spaced per registry across the window, plus jitter within the slot.
    const slot = windowMs / registryCap;
    const index = Math.max(0, ...counts);
    const delayMs = Math.min(windowMs - 1, index * slot + random() * slot);
    jobs.push({ namespace: c.namespace, name: c.name, uid: c.uid, scheduled: true, delaySeconds: Math.floor(delayMs / 1000) });
  }
  return { jobs, deferred, backedOff };
}
