/**
 * `scripts/kubeconfig-from-stack.ts`: both input formats, stack selection, the three kinds of
 * user (token, OIDC exec plugin, none), and one real run of the script under tsx.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../infra/stacks/settings.js';
import {
  KubeconfigError,
  kubeconfigFor,
  parseArgs,
  parseOutputsDocument,
  run,
  selectStack,
  watchStackName,
  webSocketWatchUrl,
  type CliIo,
} from '../../scripts/kubeconfig-from-stack.js';

const ENDPOINT = 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev';
const CDK_OUTPUTS = {
  'ImageStream-dev-Data': { TableName: 'ImageStream-dev-Data-TableCD117FA1-XYZ' },
  'ImageStream-dev-Api': { ApiEndpoint: ENDPOINT, RestApiId: 'abc123', StageName: 'dev' },
};
const DESCRIBE_STACKS = {
  Stacks: [
    {
      StackName: 'ImageStream-dev-Api',
      Outputs: [
        { OutputKey: 'ApiEndpoint', OutputValue: ENDPOINT },
        { OutputKey: 'OidcIssuerUrl', OutputValue: 'https://issuer.example.com' },
        { OutputKey: 'OidcAudience', OutputValue: 'imagestreams' },
      ],
    },
  ],
};

const dir = mkdtempSync(path.join(tmpdir(), 'kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(overrides: Partial<CliIo> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    cwd: dir,
    env: {},
    stdinPiped: false,
    stdin: () => '',
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    ...overrides,
    out,
    err,
  };
}

describe('kubeconfig-from-stack', () => {
  describe('parseOutputsDocument', () => {
    it('reads a cdk --outputs-file document', () => {
      const stacks = parseOutputsDocument(JSON.stringify(CDK_OUTPUTS));
      expect(stacks.get('ImageStream-dev-Api')).toEqual(CDK_OUTPUTS['ImageStream-dev-Api']);
      expect(stacks.size).toBe(2);
    });

    it('reads aws cloudformation describe-stacks JSON', () => {
      const stacks = parseOutputsDocument(JSON.stringify(DESCRIBE_STACKS));
      expect(stacks.get('ImageStream-dev-Api')).toEqual({
        ApiEndpoint: ENDPOINT,
        OidcIssuerUrl: 'https://issuer.example.com',
        OidcAudience: 'imagestreams',
      });
    });

    it('rejects what is not JSON', () => {
      expect(() => parseOutputsDocument('Stacks:')).toThrow(KubeconfigError);
    });
  });

  describe('selectStack', () => {
    const stacks = parseOutputsDocument(JSON.stringify(CDK_OUTPUTS));

    it('takes the named stack, or the only one with an ApiEndpoint', () => {
      expect(selectStack(stacks, 'ImageStream-dev-Api').name).toBe('ImageStream-dev-Api');
      expect(selectStack(stacks, undefined).name).toBe('ImageStream-dev-Api');
    });

    it('says which stacks exist when the name is wrong', () => {
      expect(() => selectStack(stacks, 'ImageStream-prod-Api')).toThrow(/found: ImageStream-dev-Data, ImageStream-dev-Api/);
    });
  });

  describe('kubeconfigFor', () => {
    it('points a context at the endpoint with a bearer token', () => {
      expect(kubeconfigFor('ImageStream-dev-Api', { ApiEndpoint: `${ENDPOINT}/` }, { token: 's3cret', namespace: 'team-a' })).toEqual({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'ImageStream-dev-Api', cluster: { server: ENDPOINT } }],
        users: [{ name: 'ImageStream-dev-Api-user', user: { token: 's3cret' } }],
        contexts: [{ name: 'ImageStream-dev-Api', context: { cluster: 'ImageStream-dev-Api', user: 'ImageStream-dev-Api-user', namespace: 'team-a' } }],
        'current-context': 'ImageStream-dev-Api',
      });
    });

    it('uses the OIDC exec plugin when the stack has OIDC outputs and no token is given', () => {
      const cfg = kubeconfigFor('s', { ApiEndpoint: ENDPOINT, OidcIssuerUrl: 'https://issuer.example.com', OidcAudience: 'imagestreams' });
      expect((cfg['users'] as { user: unknown }[])[0]!.user).toEqual({
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'kubectl',
          args: ['oidc-login', 'get-token', '--oidc-issuer-url=https://issuer.example.com', '--oidc-client-id=imagestreams'],
          interactiveMode: 'IfAvailable',
        },
      });
    });

    it('prefers the OIDC client id over further audiences for the exec plugin', () => {
      const cfg = kubeconfigFor('s', { ApiEndpoint: ENDPOINT, OidcIssuerUrl: 'https://issuer.example.com', OidcClientId: 'kubernetes', OidcAudience: 'a,b' });
      expect(JSON.stringify(cfg['users'])).toContain('--oidc-client-id=kubernetes');
      const only = kubeconfigFor('s', { ApiEndpoint: ENDPOINT, OidcIssuerUrl: 'https://issuer.example.com', OidcAudience: 'a,b' });
      expect(JSON.stringify(only['users'])).toContain('--oidc-client-id=a"');
    });

    it('refuses a stack without an https ApiEndpoint', () => {
      expect(() => kubeconfigFor('ImageStream-dev-Data', { TableName: 't' })).toThrow(/no ApiEndpoint output/);
      expect(() => kubeconfigFor('s', { ApiEndpoint: 'http://x' })).toThrow(/not an https URL/);
    });
  });

  describe('parseArgs', () => {
    it('reads the stack and both option spellings', () => {
      expect(parseArgs(['S', '--outputs', 'o.json', '--token-env=T', '--out', '-'])).toEqual({ stack: 'S', outputs: 'o.json', tokenEnv: 'T', out: '-' });
    });

    it('rejects unknown options and missing values', () => {
      expect(() => parseArgs(['--token', 'x'])).toThrow(/unknown option --token/);
      expect(() => parseArgs(['S', '--out'])).toThrow(/--out needs a value/);
    });
  });

  describe('WebSocket watch URL', () => {
    const WSS = 'wss://ws123.execute-api.eu-west-1.amazonaws.com/dev';

    it('puts the watch path in the path parameter, with watch=true and further options', () => {
      expect(webSocketWatchUrl(WSS, '/apis/image.openshift.io/v1/namespaces/team-a/imagestreams')).toBe(
        `${WSS}?path=/apis/image.openshift.io/v1/namespaces/team-a/imagestreams&watch=true`,
      );
      expect(webSocketWatchUrl(`${WSS}/`, '/api/v1/namespaces/a/secrets', { labelSelector: 'app=x,tier in (a b)', allowWatchBookmarks: 'true' })).toBe(
        `${WSS}?path=/api/v1/namespaces/a/secrets&watch=true&labelSelector=app%3Dx%2Ctier%20in%20(a%20b)&allowWatchBookmarks=true`,
      );
      expect(() => webSocketWatchUrl('https://x/dev', '/')).toThrow(KubeconfigError);
    });

    it('finds the watch stack of an API stack', () => {
      expect(watchStackName('ImageStream-prod-Api')).toBe('ImageStream-prod-Watch');
      expect(watchStackName('Other')).toBeUndefined();
    });

    it('prints the WebSocket URL when the outputs hold the watch stack', () => {
      const outputs = { ...CDK_OUTPUTS, 'ImageStream-dev-Watch': { WebSocketUrl: WSS } };
      const t = io({ stdin: () => JSON.stringify(outputs), env: { TOKEN: 't' } });
      expect(run(['ImageStream-dev-Api', '--outputs', '-', '--out', '-', '--token-env', 'TOKEN', '--namespace', 'team-a'], t)).toBe(0);
      expect(t.err.join('')).toContain(`watch over WebSocket: ${WSS}?path=/apis/image.openshift.io/v1/namespaces/team-a/imagestreams&watch=true`);
    });
  });

  describe('run', () => {
    it('writes a private kubeconfig from the default outputs file', () => {
      mkdirSync(path.join(dir, 'cdk.out'), { recursive: true });
      writeFileSync(path.join(dir, 'cdk.out', 'outputs.json'), JSON.stringify(CDK_OUTPUTS));
      const t = io({ env: { TOKEN: ' abc ' } });
      expect(run(['ImageStream-dev-Api', '--token-env', 'TOKEN'], t)).toBe(0);
      const file = path.join(dir, '.local', 'ImageStream-dev-Api.kubeconfig');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const cfg = parse(readFileSync(file, 'utf8')) as { users: { user: { token: string } }[]; clusters: { cluster: { server: string } }[] };
      expect(cfg.users[0]!.user.token).toBe('abc');
      expect(cfg.clusters[0]!.cluster.server).toBe(ENDPOINT);
      expect(t.err.join('')).toContain('export KUBECONFIG=');
    });

    it('reads describe-stacks JSON piped on stdin and prints with --out -', () => {
      const t = io({ stdinPiped: true, stdin: () => JSON.stringify(DESCRIBE_STACKS) });
      expect(run(['--out', '-'], t)).toBe(0);
      expect(parse(t.out.join(''))).toMatchObject({ clusters: [{ cluster: { server: ENDPOINT } }] });
    });

    it('warns when the user ends up without credentials', () => {
      const t = io({ stdin: () => JSON.stringify(CDK_OUTPUTS) });
      expect(run(['ImageStream-dev-Api', '--outputs', '-', '--out', '-'], t)).toBe(0);
      expect(t.err.join('')).toMatch(/no credentials/);
    });

    it('exits 2 with a message for a missing outputs file', () => {
      const t = io();
      expect(run(['X', '--outputs', 'nope.json'], t)).toBe(2);
      expect(t.err.join('')).toMatch(/^kubeconfig-from-stack: .*nope\.json/);
    });
  });

  it('runs as a script under tsx (npm run kubeconfig)', async () => {
    const file = path.join(dir, 'describe.json');
    writeFileSync(file, JSON.stringify(DESCRIBE_STACKS));
    const { stdout } = await promisify(execFile)(
      path.join(REPO_ROOT, 'node_modules/.bin/tsx'),
      [path.join(REPO_ROOT, 'scripts/kubeconfig-from-stack.ts'), 'ImageStream-dev-Api', '--outputs', file, '--out', '-'],
      { cwd: dir },
    );
    expect(parse(stdout)).toMatchObject({ 'current-context': 'ImageStream-dev-Api', clusters: [{ cluster: { server: ENDPOINT } }] });
  });
});
