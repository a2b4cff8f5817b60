import { describe, expect, it } from 'vitest';
import { applyImportResults, type TagImportResult } from '../../../shared/importer/import-images.js';
import type { ImportTarget } from '../../../shared/importer/planner.js';
import { phaseOf, scheduleCandidates, selectScheduled, type ScheduleCandidate } from '../../../shared/importer/scheduler.js';
import type { ImageStream } from '../../../shared/image/types.js';

const NOW = '2026-11-26T21:08:37Z';
const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const target = (tag: string, from = `q.io/x/y:${tag}`): ImportTarget => ({ tag, from, importPolicy: { importMode: 'Legacy' }, referencePolicy: { type: 'Source' } });
const ok = (digest: string, ref = `q.io/x/y@${digest}`): TagImportResult => ({ status: 'Success', image: { digest, dockerImageReference: ref } });
const fail = (reason: string, message: string): TagImportResult => ({ status: 'Failure', reason, message });
const base = (tags: object[], status: object[] = [], gen = 4): ImageStream =>
  ({
    metadata: { name: 's', namespace: 'ns', generation: gen, annotations: { 'openshift.io/image.dockerRepositoryCheck': '2026-01-01T00:00:00Z' } },
    spec: { tags },
    status: { dockerImageRepository: '', tags: status },
  }) as ImageStream;
const spec = (name: string, generation: number) => ({ name, generation, from: { kind: 'DockerImage', name: `q.io/x/y:${name}` }, importPolicy: { importMode: 'Legacy' }, referencePolicy: { type: 'Source' } });

describe('import-images', () => {
  describe('applyImportResults', () => {
    it('adds the first event and resets the spec tag to generation 0 (the write stamps the next generation)', () => {
      const { stream, write } = applyImportResults(base([spec('v1', 4)]), [target('v1')], [ok(A)], NOW);
      expect(write).toBe(true);
      expect(stream.status?.tags).toEqual([{ tag: 'v1', items: [{ created: NOW, dockerImageReference: `q.io/x/y@${A}`, image: A, generation: 5 }] }]);
      expect(stream.spec.tags?.[0]).toMatchObject({ name: 'v1', generation: 0, from: { kind: 'DockerImage', name: 'q.io/x/y:v1' } });
      expect(stream.metadata.annotations?.['openshift.io/image.dockerRepositoryCheck']).toBe(NOW);
    });

    it('prepends an event when the image moved, and keeps older history', () => {
      const old = { created: '2026-01-01T00:00:00Z', dockerImageReference: `q.io/x/y@${A}`, image: A, generation: 4 };
      const { stream } = applyImportResults(base([spec('v1', 4)], [{ tag: 'v1', items: [old] }]), [target('v1')], [ok(B)], NOW);
      expect(stream.status?.tags?.[0]?.items?.map((i) => i.image)).toEqual([B, A]);
    });

    it('writes nothing when the same image is imported at an observed generation', () => {
      const old = { created: '2026-01-01T00:00:00Z', dockerImageReference: `q.io/x/y@${A}`, image: A, generation: 4 };
      const s = base([spec('v1', 4)], [{ tag: 'v1', items: [old] }]);
      expect(applyImportResults(s, [target('v1')], [ok(A)], NOW)).toEqual({ stream: s, write: false });
    });

    it('updates the newest event in place for a re-import requested by a newer spec generation', () => {
      const old = { created: '2026-01-01T00:00:00Z', dockerImageReference: `q.io/x/y@${A}`, image: A, generation: 3 };
      const { stream } = applyImportResults(base([spec('v1', 4)], [{ tag: 'v1', items: [old] }]), [target('v1')], [ok(A)], NOW);
      expect(stream.status?.tags?.[0]?.items).toEqual([{ ...old, generation: 5 }]);
    });

    it('records a failure as one ImportSuccess=False condition, never touching history, once', () => {
      const old = { created: '2026-01-01T00:00:00Z', dockerImageReference: `q.io/x/y@${A}`, image: A, generation: 4 };
      const s = base([spec('v1', 4)], [{ tag: 'v1', items: [old] }]);
      const { stream } = applyImportResults(s, [target('v1')], [fail('NotFound', 'dockerimage.image.openshift.io "q.io/x/y:v1" not found')], NOW);
      expect(stream.status?.tags?.[0]).toEqual({
        tag: 'v1',
        items: [old],
        conditions: [{ type: 'ImportSuccess', status: 'False', lastTransitionTime: NOW, reason: 'NotFound', message: 'dockerimage.image.openshift.io "q.io/x/y:v1" not found', generation: 5 }],
      });
      expect(stream.spec.tags?.[0]?.generation).toBe(0);
      const again = applyImportResults({ ...stream, spec: { tags: [spec('v1', 5)] } }, [target('v1')], [fail('NotFound', 'dockerimage.image.openshift.io "q.io/x/y:v1" not found')], '2026-11-27T00:00:00Z');
      expect(again.write).toBe(false);
      const empty = applyImportResults(base([spec('v2', 4)]), [target('v2')], [fail('InternalError', '')], NOW).stream;
      expect(empty.status?.tags?.[0]).toMatchObject({ tag: 'v2', conditions: [{ message: 'unknown error prevented import' }] });
      expect(empty.status?.tags?.[0]?.items).toBeUndefined();
    });

    it('clears conditions on success', () => {
      const cond = { type: 'ImportSuccess', status: 'False', reason: 'NotFound', message: 'm', generation: 5 };
      const { stream } = applyImportResults(base([spec('v1', 5)], [{ tag: 'v1', conditions: [cond] }]), [target('v1')], [ok(A)], NOW);
      expect(stream.status?.tags?.[0]?.conditions).toBeUndefined();
    });
  });
});

describe('scheduler', () => {
  const cand = (i: number, registries = ['q.io']): ScheduleCandidate => ({ namespace: 'ns', name: `s${i}`, uid: `uid-${i}`, registries });

  describe('phaseOf', () => {
    it('spreads uids over the interval deterministically', () => {
      const phases = Array.from({ length: 400 }, (_, i) => phaseOf(`uid-${i}`, 900_000));
      expect(phases.every((p) => p >= 0 && p < 900_000)).toBe(true);
      expect(phaseOf('uid-1', 900_000)).toBe(phaseOf('uid-1', 900_000));
      const quarters = [0, 1, 2, 3].map((q) => phases.filter((p) => Math.floor(p / 225_000) === q).length);
      expect(Math.min(...quarters)).toBeGreaterThan(60);
    });
  });

  describe('selectScheduled', () => {
    const w = { intervalSeconds: 900, maxPerMinute: 60, registryMaxPerMinute: 30, random: () => 0.5 };
    it('visits every stream exactly once per interval over consecutive windows', () => {
      const cands = Array.from({ length: 50 }, (_, i) => cand(i, [`r${i % 5}`]));
      const seen: string[] = [];
      for (let t = 0; t < 900_000; t += 60_000) seen.push(...selectScheduled(cands, { ...w, from: t, to: t + 60_000 }).jobs.map((j) => j.name));
      expect(seen.sort()).toEqual(cands.map((c) => c.name).sort());
    });
    it('caps per registry and overall, spreads start delays inside the window, and skips rate-limited streams', () => {
      const cands = Array.from({ length: 100 }, (_, i) => cand(i));
      const sel = selectScheduled(cands, { ...w, registryMaxPerMinute: 10, from: 0, to: 900_000 });
      // A 15-minute window allows 150 for the registry: all 100 go.
      expect(sel.jobs).toHaveLength(100);
      const minute = selectScheduled(cands, { ...w, intervalSeconds: 60, registryMaxPerMinute: 10, from: 0, to: 60_000 });
      expect(minute.jobs).toHaveLength(10);
      expect(minute.deferred).toBe(90);
      expect(new Set(minute.jobs.map((j) => j.delaySeconds)).size).toBe(10);
      expect(minute.jobs.every((j) => j.scheduled && (j.delaySeconds ?? 0) < 60)).toBe(true);
      const limited = selectScheduled([{ ...cand(1), notBefore: 10_000_000 }], { ...w, intervalSeconds: 60, from: 0, to: 60_000 });
      expect(limited).toMatchObject({ jobs: [], backedOff: 1 });
    });
  });

  describe('scheduleCandidates', () => {
    it('keeps streams with scheduled tags and reads a rate-limit condition as a back-off', () => {
      const s = {
        metadata: { name: 's', namespace: 'ns', uid: 'u', generation: 2 },
        spec: { tags: [{ name: 'a', generation: 2, from: { kind: 'DockerImage', name: 'q.io/x/y:a' }, importPolicy: { scheduled: true } }] },
        status: { tags: [{ tag: 'a', conditions: [{ type: 'ImportSuccess', status: 'False', lastTransitionTime: NOW, message: 'Internal error occurred: q.io/x/y:a: toomanyrequests: x; the registry asked to retry after 120s', generation: 2 }] }] },
      } as ImageStream;
      expect(scheduleCandidates([s])).toEqual([{ namespace: 'ns', name: 's', uid: 'u', registries: ['q.io'], notBefore: Date.parse(NOW) + 120_000 }]);
      expect(scheduleCandidates([{ ...s, spec: { tags: [{ ...s.spec.tags![0]!, importPolicy: {} }] } }])).toEqual([]);
    });
  });
});
