/**
 * `npm run prune` (scripts/prune.ts): arguments, the kubeconfig's target, the printed report,
 * and a run against the in-process app behind a plain HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { queryFromSearchParams } from '../../../shared/api/http.js';
import { formatReport, parseArgs, PruneCliError, runPrune, targetFromKubeconfig } from '../../../scripts/prune.js';
import { kubeconfigYaml } from '../../../infra/local/stack.js';
import { imageStream, NS_URL, testApp, TOKEN, type TestApp } from '../../helpers/app.js';

const D = (n: number): string => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;

describe('prune CLI', () => {
  describe('parseArgs', () => {
    it.each([
      { argv: [], want: { confirm: false, output: 'report' } },
      { argv: ['--keep-tag-revisions=5', '--keep-younger-than', '2h', '--confirm'], want: { confirm: true, output: 'report', keepTagRevisions: 5, keepYoungerThan: '2h' } },
      { argv: ['--namespace=demo', '-o', 'json', '--kubeconfig', 'k.yaml'], want: { confirm: false, output: 'json', namespace: 'demo', kubeconfig: 'k.yaml' } },
      { argv: ['--confirm=false'], want: { confirm: false, output: 'report' } },
    ])('parses $argv', ({ argv, want }) => {
      expect(parseArgs(argv)).toEqual(want);
    });

    it.each([
      { argv: ['--keep-tag-revisions=three'], message: '--keep-tag-revisions must be an integer, got "three"' },
      { argv: ['--all'], message: 'unknown flag --all' },
      { argv: ['--namespace'], message: 'flag --namespace needs a value' },
      { argv: ['prune'], message: 'unexpected argument "prune"' },
      { argv: ['-o', 'yaml'], message: '-o must be json, got "yaml"' },
    ])('rejects $argv with exit status 2', ({ argv, message }) => {
      expect(() => parseArgs(argv)).toThrow(new PruneCliError(message, 2));
    });
  });

  describe('targetFromKubeconfig', () => {
    it('reads the server, token and TLS setting of the current context (the local stack\'s kubeconfig)', () => {
      expect(targetFromKubeconfig(kubeconfigYaml('https://127.0.0.1:8443/', 'secret'))).toEqual({ server: 'https://127.0.0.1:8443', token: 'secret', insecure: true });
    });

    it('fails on a kubeconfig without the current context', () => {
      expect(() => targetFromKubeconfig('apiVersion: v1\nkind: Config\ncurrent-context: x\n')).toThrow(/no context "x"/);
    });
  });

  describe('formatReport', () => {
    it('prints the dry-run banner, one row per removed item and the summary', () => {
      const text = formatReport({
        dryRun: true,
        deletedItemCount: 2,
        updatedStreamCount: 1,
        streams: [
          {
            namespace: 'demo',
            name: 'app',
            deletedItems: [
              { tag: 'v1', revision: 3, image: D(1), dockerImageReference: 'x' },
              { tag: 'old', revision: 0, image: '', dockerImageReference: 'quay.io/a/b:old' },
            ],
            deletedTags: ['old'],
          },
        ],
        failures: [],
      });
      expect(text).toBe(
        [
          'Dry run enabled - no modifications will be made. Add --confirm to remove images',
          '',
          'Deleting references from image streams to images ...',
          'STREAM     TAG   REVISION   IMAGE',
          `demo/app   v1    3          ${D(1)}`,
          'demo/app   old   0          quay.io/a/b:old',
          '',
          'Status tags left without history (removed): demo/app:old',
          '',
          'Summary: deleted 2 image stream tag item(s), updated 1 image stream(s)',
          '',
        ].join('\n'),
      );
    });
  });

  describe('runPrune', () => {
    let server: Server | undefined;
    afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

    /** The in-process app behind http://127.0.0.1:<port>. */
    async function serve(t: TestApp): Promise<string> {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const url = new URL(req.url ?? '/', 'http://local');
          const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
          void t.app
            .handle({ method: req.method ?? 'GET', path: url.pathname, params: {}, query: queryFromSearchParams(url.searchParams), headers, body: Buffer.concat(chunks) })
            .then((out) => {
              res.writeHead(out.statusCode, out.headers);
              res.end(typeof out.body === 'string' || Buffer.isBuffer(out.body) ? out.body : '');
            });
        });
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    }

    async function withHistory(t: TestApp): Promise<void> {
      const created = (await t.call('POST', NS_URL, { body: imageStream('app') })).json;
      const items = Array.from({ length: 5 }, (_, i) => ({ created: `2026-11-2${i}T00:00:00Z`, dockerImageReference: `quay.io/a@${D(i)}`, image: D(i), generation: 1 }));
      await t.call('PUT', `${NS_URL}/app/status`, { body: { ...created, status: { tags: [{ tag: 'v1', items: items.reverse() }] } } });
      await t.store.guaranteedUpdate({ namespace: 'demo', name: 'app' }, (cur) => ({ ...cur, metadata: { ...cur.metadata, creationTimestamp: '2026-01-01T00:00:00Z' } }));
    }

    it('runs a dry run, then a confirmed prune, as the kubeconfig user', async () => {
      const t = testApp();
      await withHistory(t);
      const target = { server: await serve(t), token: TOKEN, insecure: false };
      const dry = await runPrune(parseArgs(['--keep-tag-revisions=3']), target);
      expect(dry.exitCode).toBe(0);
      expect(dry.output).toMatch(/^Dry run enabled/);
      expect(dry.output).toContain('Summary: deleted 2 image stream tag item(s), updated 1 image stream(s)');
      const done = await runPrune(parseArgs(['--keep-tag-revisions=3', '--confirm', '-o', 'json']), target);
      expect(JSON.parse(done.output).status).toMatchObject({ dryRun: false, deletedItemCount: 2 });
      expect((await t.call('GET', `${NS_URL}/app`)).json.status.tags[0].items.map((e: any) => e.image)).toEqual([D(4), D(3), D(2)]);
    });

    it('reports the server\'s refusal', async () => {
      const t = testApp();
      const target = { server: await serve(t), token: 'wrong', insecure: false };
      await expect(runPrune(parseArgs([]), target)).rejects.toThrow(new PruneCliError('Error from server (Unauthorized): Unauthorized', 1));
      await expect(runPrune(parseArgs(['--keep-younger-than=1d']), { ...target, token: TOKEN })).rejects.toThrow(/Error from server \(Invalid\): .*time: invalid duration "1d"/);
    });
  });
});
