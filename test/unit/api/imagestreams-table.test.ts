/**
 * Server-side printing: the `oc get is` columns, includeObject, empty tables.
 */
import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../../shared/apimachinery/table.js';
import { tagsUpToWidth } from '../../../shared/image/table-printer.js';
import { imageStream, NS_URL, testApp } from '../../helpers/app.js';

const TABLE = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' };
const item = (created: string) => ({ created, dockerImageReference: 'r', image: 'i', generation: 1 });

describe('table output', () => {
  it('lists streams as a v1 Table with the oc columns and PartialObjectMetadata rows', async () => {
    const t = testApp({ INTERNAL_REGISTRY_HOSTNAME: 'registry:5000' });
    await t.call('POST', NS_URL, { body: imageStream('app') });
    const res = await t.call('GET', NS_URL, { headers: TABLE });
    expect(res.headers['Content-Type']).toBe('application/json');
    expect(res.json.kind).toBe('Table');
    expect(res.json.apiVersion).toBe('meta.k8s.io/v1');
    expect(res.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Image Repository', 'Tags', 'Updated']);
    expect(res.json.rows[0].cells).toEqual(['app', 'registry:5000/demo/app', '', '']);
    expect(res.json.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'app', labels: { app: 'demo' } } });
    expect(res.json.metadata.resourceVersion).toBe('1');
  });

  it('answers rows: [] for an empty namespace and honours includeObject', async () => {
    const t = testApp();
    expect((await t.call('GET', NS_URL, { headers: TABLE })).json.rows).toEqual([]);
    await t.call('POST', NS_URL, { body: imageStream('app') });
    expect((await t.call('GET', `${NS_URL}?includeObject=None`, { headers: TABLE })).json.rows[0].object).toBeUndefined();
    expect((await t.call('GET', `${NS_URL}?includeObject=Object`, { headers: TABLE })).json.rows[0].object.kind).toBe('ImageStream');
    const bad = await t.call('GET', `${NS_URL}?includeObject=All`, { headers: TABLE });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe(`Unable to convert to Table as requested: includeObject: Invalid value: "All": must be 'Metadata', 'Object', 'None', or empty`);
  });

  it('prints one object as a one-row Table, v1beta1 when asked', async () => {
    const t = testApp();
    await t.call('POST', NS_URL, { body: imageStream('app') });
    const res = await t.call('GET', `${NS_URL}/app`, { headers: { accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' } });
    expect(res.json.apiVersion).toBe('meta.k8s.io/v1beta1');
    expect(res.json.rows).toHaveLength(1);
  });

  it('fills Tags and Updated from the status history', async () => {
    const t = testApp();
    const cur = (await t.call('POST', NS_URL, { body: imageStream('app') })).json;
    const status = { dockerImageRepository: '', tags: [{ tag: 'latest', items: [item('2026-11-26T19:08:37Z')] }, { tag: 'v1', items: [item('2026-11-26T21:00:00Z')] }] };
    await t.call('PUT', `${NS_URL}/app/status`, { body: { ...cur, status } });
    const res = await t.call('GET', NS_URL, { headers: TABLE });
    expect(res.json.rows[0].cells.slice(2)).toEqual(['v1,latest', '8 minutes ago']);
  });

  describe('tagsUpToWidth', () => {
    const tags = (names: string[]) => names.map((n, i) => ({ tag: n, items: [item(new Date(Date.UTC(2026, 0, 1, 0, 0, 100 - i)).toISOString())] }));
    it.each([
      ['all tags that fit', ['a', 'b', 'c'], 'a,b,c'],
      ['at least one tag', ['x'.repeat(60)], 'x'.repeat(60)],
      ['a count of the hidden tags', Array.from({ length: 12 }, (_, i) => `tag-${i}`), 'tag-0,tag-1,tag-2,tag-3,tag-4,tag-5 + 6 more...'],
    ])('prints %s', (_name, names, expected) => {
      expect(tagsUpToWidth(tags(names), 40)).toBe(expected);
    });
  });

  describe('humanDuration', () => {
    it.each([
      [500, 'Less than a second'],
      [1000, '1 second'],
      [59_000, '59 seconds'],
      [60_000, 'About a minute'],
      [3_000_000, '50 minutes'],
      [3_600_000, 'About an hour'],
      [47 * 3_600_000, '47 hours'],
      [3 * 86_400_000, '3 days'],
      [20 * 86_400_000, '2 weeks'],
      [90 * 86_400_000, '3 months'],
      [800 * 86_400_000, '2 years'],
    ])('renders %d ms as %s', (ms, text) => {
      expect(humanDuration(ms)).toBe(text);
    });
  });
});
