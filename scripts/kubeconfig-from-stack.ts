/**
 * Writes a kubeconfig for a deployed API stack from its CloudFormation outputs. No AWS call is
 * made: the outputs come from the file `cdk deploy --outputs-file` wrote, or from
 * `aws cloudformation describe-stacks` JSON on stdin.
 *
 * Usage:
 * ```sh
 * npx cdk deploy --all --outputs-file cdk.out/outputs.json
 * npm run kubeconfig -- ImageStream-dev-Api --token-env IMAGESTREAM_TOKEN
 * aws cloudformation describe-stacks --stack-name ImageStream-dev-Api | npm run kubeconfig -- ImageStream-dev-Api
 * ```
 *
 * Options:
 * - `--outputs <file|->`  outputs JSON (default: stdin when it is a pipe, else
 *                         `cdk.out/outputs.json`; `-` always reads stdin)
 * - `--out <file|->`      where to write (default `.local/<stack>.kubeconfig`, mode 0600; `-` prints)
 * - `--token-env <VAR>`   bearer token from an environment variable
 * - `--token-file <file>` bearer token from a file
 * - `--namespace <ns>`    namespace of the context (default `default`)
 *
 * Without a token the user is an OIDC exec plugin (`kubectl oidc-login`) when the stack has
 * OIDC outputs, else a user without credentials (only `/version` answers anonymously).
 *
 * When the outputs also hold the stage's watch stack (`ImageStream-<stage>-Watch`, as in the
 * file `cdk deploy --all --outputs-file` writes), the script prints the WebSocket watch URL
 * form: `wss://<api-id>.execute-api.<region>.amazonaws.com/<stage>?path=<watch path>&watch=true`.
 */
import { chmodSync, fstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

export type StackOutputs = Readonly<Record<string, string>>;

export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every stack's outputs in either input format, by stack name. */
export function parseOutputsDocument(text: string): Map<string, StackOutputs> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new KubeconfigError(`outputs are not JSON: ${(e as Error).message}`);
  }
  const stacks = new Map<string, StackOutputs>();
  if (isRecord(doc) && Array.isArray(doc['Stacks'])) {
    // aws cloudformation describe-stacks: {"Stacks":[{"StackName","Outputs":[{"OutputKey","OutputValue"}]}]}
    for (const s of doc['Stacks']) {
      if (!isRecord(s) || typeof s['StackName'] !== 'string') continue;
      const outputs: Record<string, string> = {};
      for (const o of Array.isArray(s['Outputs']) ? s['Outputs'] : []) {
        if (isRecord(o) && typeof o['OutputKey'] === 'string' && typeof o['OutputValue'] === 'string') outputs[o['OutputKey']] = o['OutputValue'];
      }
      stacks.set(s['StackName'], outputs);
    }
    return stacks;
  }
  if (isRecord(doc)) {
    // cdk deploy --outputs-file: {"<stack>": {"<key>": "<value>"}}
    for (const [name, outputs] of Object.entries(doc)) {
      if (!isRecord(outputs)) continue;
      stacks.set(name, Object.fromEntries(Object.entries(outputs).filter((e): e is [string, string] => typeof e[1] === 'string')));
    }
    return stacks;
  }
  throw new KubeconfigError('outputs JSON is neither a describe-stacks answer nor a cdk outputs file');
}

/** The outputs of `stack`, or of the only stack with an ApiEndpoint when no name is given. */
export function selectStack(stacks: Map<string, StackOutputs>, stack: string | undefined): { name: string; outputs: StackOutputs } {
  if (stack !== undefined) {
    const outputs = stacks.get(stack);
    if (!outputs) throw new KubeconfigError(`stack ${stack} is not in the outputs (found: ${[...stacks.keys()].join(', ') || 'none'})`);
    return { name: stack, outputs };
  }
  const apis = [...stacks].filter(([, o]) => o['ApiEndpoint'] !== undefined);
  const only = apis[0];
  if (apis.length !== 1 || !only) throw new KubeconfigError(`name the stack: ${apis.length} stacks have an ApiEndpoint output`);
  return { name: only[0], outputs: only[1] };
}

export interface KubeconfigOptions {
  readonly token?: string;
  readonly namespace?: string;
}

/** The kubeconfig object for a stack's outputs. */
export function kubeconfigFor(stackName: string, outputs: StackOutputs, opts: KubeconfigOptions = {}): Record<string, unknown> {
  const server = outputs['ApiEndpoint'];
  if (!server) throw new KubeconfigError(`stack ${stackName} has no ApiEndpoint output (is it the -Api stack?)`);
  if (!/^https:\/\/\S+$/.test(server)) throw new KubeconfigError(`ApiEndpoint is not an https URL: ${server}`);
  const name = stackName;
  const issuer = outputs['OidcIssuerUrl'];
  let user: Record<string, unknown> = {};
  if (opts.token !== undefined) {
    user = { token: opts.token };
  } else if (issuer) {
    const args = ['oidc-login', 'get-token', `--oidc-issuer-url=${issuer}`];
    // The client id tokens are issued for; else the first of the further audiences.
    const clientId = outputs['OidcClientId'] ?? outputs['OidcAudience']?.split(',')[0];
    if (clientId) args.push(`--oidc-client-id=${clientId}`);
    user = { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubectl', args, interactiveMode: 'IfAvailable' } };
  }
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: server.replace(/\/+$/, '') } }],
    users: [{ name: `${name}-user`, user }],
    contexts: [{ name, context: { cluster: name, user: `${name}-user`, namespace: opts.namespace ?? 'default' } }],
    'current-context': name,
  };
}

/** `ImageStream-dev-Api` → `ImageStream-dev-Watch` (undefined for a name without `-Api`). */
export function watchStackName(apiStack: string): string | undefined {
  return apiStack.endsWith('-Api') ? `${apiStack.slice(0, -'-Api'.length)}-Watch` : undefined;
}

/**
 * The WebSocket URL of a watch: the stage URL (`WebSocketUrl` output) with the Kubernetes watch
 * path in the `path` query parameter, `watch=true` and any further list options. The path keeps
 * its slashes (they are legal in a query string).
 */
export function webSocketWatchUrl(stageUrl: string, watchPath: string, options: Readonly<Record<string, string>> = {}): string {
  if (!/^wss:\/\/\S+$/.test(stageUrl)) throw new KubeconfigError(`WebSocketUrl is not a wss URL: ${stageUrl}`);
  const q = (v: string) => encodeURIComponent(v).replace(/%2F/g, '/');
  const query = [`path=${q(watchPath)}`, 'watch=true', ...Object.entries(options).map(([k, v]) => `${q(k)}=${q(v)}`)].join('&');
  return `${stageUrl.replace(/\/+$/, '')}?${query}`;
}

export interface CliArgs {
  readonly stack?: string;
  readonly outputs?: string;
  readonly out?: string;
  readonly tokenEnv?: string;
  readonly tokenFile?: string;
  readonly namespace?: string;
}

const FLAGS: Record<string, keyof CliArgs> = {
  '--outputs': 'outputs',
  '--out': 'out',
  '--token-env': 'tokenEnv',
  '--token-file': 'tokenFile',
  '--namespace': 'namespace',
};

export function parseArgs(argv: readonly string[]): CliArgs {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const key = FLAGS[flag];
    if (key) {
      const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new KubeconfigError(`${flag} needs a value`);
      args[key] = value;
    } else if (a.startsWith('-') && a !== '-') {
      throw new KubeconfigError(`unknown option ${a}`);
    } else if (args['stack'] === undefined) {
      args['stack'] = a;
    } else {
      throw new KubeconfigError(`unexpected argument ${a}`);
    }
  }
  return args;
}

function readToken(args: CliArgs, env: NodeJS.ProcessEnv): string | undefined {
  if (args.tokenEnv !== undefined) {
    const t = env[args.tokenEnv]?.trim();
    if (!t) throw new KubeconfigError(`environment variable ${args.tokenEnv} is empty`);
    return t;
  }
  if (args.tokenFile !== undefined) {
    const t = readFileSync(args.tokenFile, 'utf8').trim();
    if (!t) throw new KubeconfigError(`${args.tokenFile} is empty`);
    return t;
  }
  return undefined;
}

export interface CliIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stdin is a pipe or a redirected file (then it is read when --outputs is absent). */
  readonly stdinPiped: boolean;
  readonly stdin: () => string;
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

export const DEFAULT_OUTPUTS_FILE = 'cdk.out/outputs.json';

function readOutputs(args: CliArgs, io: CliIo): string {
  if (args.outputs === '-') return io.stdin();
  if (args.outputs === undefined && io.stdinPiped) {
    const piped = io.stdin();
    if (piped.trim() !== '') return piped;
  }
  return readFileSync(resolve(io.cwd, args.outputs ?? DEFAULT_OUTPUTS_FILE), 'utf8');
}

/** Runs the command; returns the exit code. Messages go to stderr, the kubeconfig to its file. */
export function run(argv: readonly string[], io: CliIo): number {
  try {
    const args = parseArgs(argv);
    const text = readOutputs(args, io);
    const stacks = parseOutputsDocument(text);
    const { name, outputs } = selectStack(stacks, args.stack);
    const token = readToken(args, io.env);
    const config = kubeconfigFor(name, outputs, { ...(token !== undefined ? { token } : {}), ...(args.namespace ? { namespace: args.namespace } : {}) });
    const yaml = stringify(config);
    if (token === undefined && !outputs['OidcIssuerUrl']) {
      io.stderr('note: no --token-env/--token-file and no OIDC outputs: the user has no credentials\n');
    }
    const watchStack = watchStackName(name);
    const stageUrl = watchStack === undefined ? undefined : stacks.get(watchStack)?.['WebSocketUrl'];
    if (stageUrl) {
      const example = webSocketWatchUrl(stageUrl, `/apis/image.openshift.io/v1/namespaces/${args.namespace ?? 'default'}/imagestreams`);
      io.stderr(`watch over WebSocket: ${example}\n  (bearer token in the Authorization header or the base64url.bearer.authorization.k8s.io.<token> subprotocol)\n`);
    }
    if (args.out === '-') {
      io.stdout(yaml);
      return 0;
    }
    const out = resolve(io.cwd, args.out ?? `.local/${name}.kubeconfig`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, yaml, { mode: 0o600 });
    chmodSync(out, 0o600);
    io.stderr(`wrote ${out} (server ${outputs['ApiEndpoint']})\nuse: export KUBECONFIG=${out}\n`);
    return 0;
  } catch (e) {
    io.stderr(`kubeconfig-from-stack: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof KubeconfigError || (e as NodeJS.ErrnoException).code === 'ENOENT' ? 2 : 1;
  }
}

function stdinIsPiped(): boolean {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isFile();
  } catch {
    return false;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = run(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    stdinPiped: stdinIsPiped(),
    stdin: () => readFileSync(0, 'utf8'),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  });
}
