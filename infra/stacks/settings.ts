/**
 * @module settings
 * The deployment settings, read once from CDK context (`cdk.json`, `cdk.context.json` or
 * `-c key=value`) and validated. Stacks receive the typed result and never read context
 * themselves, so the same settings object drives `cdk synth` and the infra tests.
 *
 * Values given with `-c` arrive as strings; booleans and numbers are accepted in both forms.
 * No setting triggers a context lookup: the app stays environment-agnostic.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

/** The repository root (where package.json, package-lock.json and cdk.json live). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** kube-apiserver's `--oidc-signing-algs` values. */
export const OIDC_SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'] as const;

type ImportSettingKind = 'positiveInt' | 'flag' | 'cidrs' | 'hosts';

/**
 * The importer's `IMPORT_*` settings (shared/config.ts has their defaults) by context key. Each
 * is optional and passed on only when given. `IMPORT_ALLOW_LOOPBACK` (local stack only),
 * `IMPORT_CA_FILE` (a file in the bundle) and `IMPORT_QUEUE_URL` (the stack's own queue) are
 * deliberately not settings.
 */
export const IMPORT_SETTINGS = {
  importScheduleSeconds: { env: 'IMPORT_SCHEDULE_SECONDS', kind: 'positiveInt', doc: 'interval of scheduled re-imports (importPolicy.scheduled), seconds (default 900)' },
  importDisableScheduled: { env: 'IMPORT_DISABLE_SCHEDULED', kind: 'flag', doc: 'turn scheduled imports off; also disables the schedule rule (default false)' },
  importScheduledMaxPerMinute: { env: 'IMPORT_SCHEDULED_MAX_PER_MINUTE', kind: 'positiveInt', doc: 'scheduled stream imports per minute, in total (default 60)' },
  importRegistryMaxPerMinute: { env: 'IMPORT_REGISTRY_MAX_PER_MINUTE', kind: 'positiveInt', doc: 'scheduled stream imports per minute against one registry (default 30)' },
  importAllowedCidrs: { env: 'IMPORT_ALLOWED_CIDRS', kind: 'cidrs', doc: 'CIDRs excepted from the blocked ranges (link-local, metadata, …), comma-separated' },
  importBlockedCidrs: { env: 'IMPORT_BLOCKED_CIDRS', kind: 'cidrs', doc: 'extra blocked CIDRs (e.g. private ranges), comma-separated' },
  importAllowedRegistries: {
    env: 'IMPORT_ALLOWED_REGISTRIES',
    kind: 'hosts',
    doc: 'when set, the only registries imports may use (registrySources.allowedRegistries), comma-separated; not with importBlockedRegistries',
  },
  importBlockedRegistries: { env: 'IMPORT_BLOCKED_REGISTRIES', kind: 'hosts', doc: 'registries imports are refused from (registrySources.blockedRegistries), comma-separated' },
  importInsecureRegistries: { env: 'IMPORT_INSECURE_REGISTRIES', kind: 'hosts', doc: 'registry hosts always accessed insecurely (http / no TLS verification), comma-separated' },
  importConnectTimeoutMs: { env: 'IMPORT_CONNECT_TIMEOUT_MS', kind: 'positiveInt', doc: 'registry connect timeout, ms (default 5000)' },
  importReadTimeoutMs: { env: 'IMPORT_READ_TIMEOUT_MS', kind: 'positiveInt', doc: 'registry socket idle timeout, ms (default 15000)' },
  importRequestTimeoutMs: { env: 'IMPORT_REQUEST_TIMEOUT_MS', kind: 'positiveInt', doc: 'upper bound of one registry request, ms (default 60000)' },
  importMaxManifestBytes: { env: 'IMPORT_MAX_MANIFEST_BYTES', kind: 'positiveInt', doc: 'largest manifest accepted, bytes (default 4 MiB)' },
  importMaxConfigBytes: { env: 'IMPORT_MAX_CONFIG_BYTES', kind: 'positiveInt', doc: 'largest image config accepted, bytes (default 8 MiB)' },
  importMaxRedirects: { env: 'IMPORT_MAX_REDIRECTS', kind: 'positiveInt', doc: 'redirects followed per registry request (default 5)' },
  importRegistryConcurrency: { env: 'IMPORT_REGISTRY_CONCURRENCY', kind: 'positiveInt', doc: 'requests in flight to one registry from one worker (default 4)' },
  importConcurrency: { env: 'IMPORT_CONCURRENCY', kind: 'positiveInt', doc: 'streams imported at once by one worker invocation (default 8)' },
  importRetryBaseMs: { env: 'IMPORT_RETRY_BASE_MS', kind: 'positiveInt', doc: 'base of the jittered backoff between registry retries, ms (default 1000)' },
} as const satisfies Record<string, { env: `IMPORT_${string}`; kind: ImportSettingKind; doc: string }>;

export type ImportSettingKey = keyof typeof IMPORT_SETTINGS;

/** The scheduled-import subset (the schedule function's environment). */
export const IMPORT_SCHEDULE_SETTINGS = ['importScheduleSeconds', 'importDisableScheduled', 'importScheduledMaxPerMinute', 'importRegistryMaxPerMinute'] as const satisfies readonly ImportSettingKey[];

export type TableEncryption = 'aws-managed' | 'customer-managed';

export interface DeploySettings {
  /** Stage name: API Gateway stage and part of every stack name. */
  readonly stage: string;
  /** `ImageStream-<stage>`: prefix of the stack names. */
  readonly stackPrefix: string;
  readonly internalRegistryHostname: string | undefined;
  readonly publicRegistryHostname: string | undefined;
  /**
   * OIDC bearer tokens (kube-apiserver's `--oidc-*` flags), enforced by the functions that
   * authenticate. An issuer needs an audience (`oidcClientId` and/or `oidcAudience`).
   */
  readonly oidcIssuerUrl: string | undefined;
  /** OIDC_CLIENT_ID: the accepted audience (`--oidc-client-id`). */
  readonly oidcClientId: string | undefined;
  /** OIDC_AUDIENCE: further accepted audiences, comma-separated. */
  readonly oidcAudience: string | undefined;
  readonly oidcUsernameClaim: string | undefined;
  readonly oidcUsernamePrefix: string | undefined;
  readonly oidcGroupsClaim: string | undefined;
  readonly oidcGroupsPrefix: string | undefined;
  readonly oidcJwksUrl: string | undefined;
  readonly oidcClockSkewSeconds: number | undefined;
  readonly oidcSigningAlgs: string | undefined;
  /** RBAC_CACHE_MS: how long stored RBAC policy is reused before it is read again. */
  readonly rbacCacheMs: number | undefined;
  /** For the table, its key and the log groups. */
  readonly removalPolicy: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  readonly deletionProtection: boolean;
  readonly logRetention: RetentionDays;
  /** POWERTOOLS_LOG_LEVEL of the functions. */
  readonly logLevel: LogLevel;
  readonly tableEncryption: TableEncryption;
  /** An existing KMS key for the table (implies customer-managed encryption). */
  readonly tableKmsKeyArn: string | undefined;
  readonly eventRetentionSeconds: number | undefined;
  /** DEFAULT_IMPORT_MODE of every function (OpenShift's default, Legacy, unless set). */
  readonly defaultImportMode: 'Legacy' | 'PreserveOriginal';
  /** OpenShift's allowedRegistriesForImport, as ALLOWED_REGISTRIES_FOR_IMPORT (`quay.io,*.example.com=insecure`). */
  readonly allowedRegistriesForImport: string | undefined;
  /** Secrets Manager secret (name or ARN) whose string is the static token CSV (STATIC_TOKENS). */
  readonly staticTokensSecret: string | undefined;
  /** Subscribed to the alarm topic when set. */
  readonly alarmEmail: string | undefined;
  /** Let the stack set the account's API Gateway CloudWatch Logs role (needed for access logs). */
  readonly apiGatewayCloudWatchRole: boolean;
  readonly accessLogs: boolean;
  /** EventBridge schedule of the history prune (`rate(1 day)`); none when unset. */
  readonly pruneSchedule: string | undefined;
  readonly pruneKeepTagRevisions: number | undefined;
  readonly pruneKeepYoungerThan: string | undefined;
  /** WATCH_POST_CONCURRENCY of the WebSocket fan-out and tick: `@connections` posts in flight. */
  readonly watchPostConcurrency: number;
  /** The `IMPORT_*` settings that were given, as environment values (`IMPORT_SETTINGS` maps them). */
  readonly importer: Readonly<Partial<Record<ImportSettingKey, string>>>;
  /** Where NodejsFunction finds the entry files and package-lock.json. */
  readonly projectRoot: string;
}

/** Every context key the app reads, with its meaning (docs/deploy.md lists the same). */
export const CONTEXT_KEYS = {
  stage: 'stage name (default dev); stacks are ImageStream-<stage>-Data and ImageStream-<stage>-Api',
  internalRegistryHostname: 'INTERNAL_REGISTRY_HOSTNAME of the functions',
  publicRegistryHostname: 'PUBLIC_REGISTRY_HOSTNAME of the functions',
  oidcIssuerUrl: 'OIDC_ISSUER_URL: OIDC issuer whose ID tokens are accepted (https URL; needs oidcClientId or oidcAudience)',
  oidcClientId: 'OIDC_CLIENT_ID: the accepted audience (--oidc-client-id; needs oidcIssuerUrl)',
  oidcAudience: 'OIDC_AUDIENCE: further accepted audiences, comma-separated (needs oidcIssuerUrl)',
  oidcUsernameClaim: 'OIDC_USERNAME_CLAIM: claim holding the user name (default sub)',
  oidcUsernamePrefix: 'OIDC_USERNAME_PREFIX: prepended to user names; - for none (default: <issuer># except for email)',
  oidcGroupsClaim: 'OIDC_GROUPS_CLAIM: claim holding the groups (default: no groups)',
  oidcGroupsPrefix: 'OIDC_GROUPS_PREFIX: prepended to group names',
  oidcJwksUrl: "OIDC_JWKS_URL: JWKS URL (default: the issuer discovery document's jwks_uri)",
  oidcClockSkewSeconds: 'OIDC_CLOCK_SKEW_SECONDS: tolerated clock difference, seconds (default 30)',
  oidcSigningAlgs: `OIDC_SIGNING_ALGS: accepted algorithms, comma-separated, of ${OIDC_SIGNING_ALGS.join(', ')} (default RS256)`,
  rbacCacheMs: 'RBAC_CACHE_MS: how long stored RBAC policy is reused, ms (default 2000)',
  removalPolicy: 'retain (default) or destroy: table, KMS key and log groups',
  deletionProtection: 'table deletion protection (default true)',
  logRetentionDays: 'log group retention in days (default 30; a CloudWatch Logs value)',
  logLevel: 'POWERTOOLS_LOG_LEVEL: DEBUG, INFO (default), WARN or ERROR',
  tableEncryption: 'customer-managed (default: a new KMS key with rotation) or aws-managed (the aws/dynamodb key)',
  tableKmsKeyArn: 'existing KMS key ARN for the table (implies customer-managed)',
  eventRetentionSeconds: 'EVENT_RETENTION_SECONDS of the functions',
  defaultImportMode: 'DEFAULT_IMPORT_MODE of the functions: Legacy (default) or PreserveOriginal',
  allowedRegistriesForImport: 'ALLOWED_REGISTRIES_FOR_IMPORT of the functions (comma-separated host globs, =insecure)',
  staticTokensSecret: 'Secrets Manager secret name/ARN holding the static token CSV (STATIC_TOKENS)',
  alarmEmail: 'e-mail address subscribed to the alarm topic',
  apiGatewayCloudWatchRole: 'create the account-level API Gateway logging role (default true)',
  accessLogs: 'API Gateway access logs (default true)',
  pruneSchedule: 'EventBridge schedule expression of the image stream history prune, e.g. rate(1 day) (default: no schedule)',
  pruneKeepTagRevisions: 'revisions per tag the scheduled prune keeps (default 3)',
  pruneKeepYoungerThan: 'Go duration: history younger than this survives the scheduled prune (default 60m)',
  watchPostConcurrency: 'WATCH_POST_CONCURRENCY: @connections posts in flight per fan-out/tick invocation (default 64)',
  ...(Object.fromEntries(Object.entries(IMPORT_SETTINGS).map(([k, v]) => [k, `${v.env}: ${v.doc}`])) as Record<ImportSettingKey, string>),
} as const;

export type ContextKey = keyof typeof CONTEXT_KEYS;

const RETENTION_DAYS = new Set<number>(
  Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'),
);

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const bool = (fallback: boolean) =>
  z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === true || v === 'true'));

const hostname = optionalText.refine(
  (v) => v === undefined || /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$/.test(v),
  'must be a host name with an optional :port',
);

const httpsUrl = optionalText.refine((v) => v === undefined || /^https:\/\/[^\s/]+(\/\S*)?$/.test(v), 'must be an https URL');
const noSpaces = (what: string) => optionalText.refine((v) => v === undefined || !/\s/.test(v), `must be ${what} without spaces`);
const nonNegativeInt = z.coerce.number().int().min(0).optional();

const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9A-Fa-f:]+\/\d{1,3})$/;
/** `host[:port]`, `[v6][:port]` or `*.domain[:port]`. */
const HOST = /^((\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$/;
const listOf = (re: RegExp, what: string) =>
  optionalText.refine((v) => v === undefined || v.split(',').every((x) => re.test(x)), `must be comma-separated ${what} without spaces`);

/** The validator of each import setting, by kind; every result is the environment value. */
function importSetting(kind: ImportSettingKind): z.ZodType<string | undefined, unknown> {
  switch (kind) {
    case 'positiveInt':
      return z.coerce.number().int().positive().optional().transform((v) => (v === undefined ? undefined : String(v)));
    case 'flag':
      return z
        .union([z.boolean(), z.enum(['true', 'false'])])
        .optional()
        .transform((v) => (v === undefined ? undefined : String(v === true || v === 'true')));
    case 'cidrs':
      return listOf(CIDR, 'CIDRs (10.0.0.0/8)');
    case 'hosts':
      return listOf(HOST, 'host[:port] or *.domain[:port] names');
  }
}

const importSchema = Object.fromEntries(Object.entries(IMPORT_SETTINGS).map(([k, v]) => [k, importSetting(v.kind)])) as Record<
  ImportSettingKey,
  z.ZodType<string | undefined, unknown>
>;

/** Settings that only mean something with an OIDC issuer. */
const OIDC_DEPENDENT = [
  'oidcClientId',
  'oidcAudience',
  'oidcUsernameClaim',
  'oidcUsernamePrefix',
  'oidcGroupsClaim',
  'oidcGroupsPrefix',
  'oidcJwksUrl',
  'oidcClockSkewSeconds',
  'oidcSigningAlgs',
] as const;

const schema = z
  .object({
    stage: z
      .string()
      .trim()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,23}$/, 'must start with a letter and hold at most 24 letters, digits or hyphens')
      .default('dev'),
    internalRegistryHostname: hostname,
    publicRegistryHostname: hostname,
    oidcIssuerUrl: httpsUrl,
    oidcClientId: noSpaces('a client id'),
    oidcAudience: noSpaces('comma-separated audiences'),
    oidcUsernameClaim: noSpaces('a claim name'),
    oidcUsernamePrefix: noSpaces('a prefix'),
    oidcGroupsClaim: noSpaces('a claim name'),
    oidcGroupsPrefix: noSpaces('a prefix'),
    oidcJwksUrl: httpsUrl,
    oidcClockSkewSeconds: nonNegativeInt,
    oidcSigningAlgs: optionalText.refine(
      (v) => v === undefined || v.split(',').every((a) => (OIDC_SIGNING_ALGS as readonly string[]).includes(a)),
      `must be comma-separated algorithms of ${OIDC_SIGNING_ALGS.join(', ')}`,
    ),
    rbacCacheMs: nonNegativeInt,
    removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
    deletionProtection: bool(true),
    logRetentionDays: z.coerce
      .number()
      .int()
      .refine((v) => RETENTION_DAYS.has(v), `must be one of ${[...RETENTION_DAYS].join(', ')}`)
      .default(30),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    tableEncryption: z.enum(['aws-managed', 'customer-managed']).default('customer-managed'),
    tableKmsKeyArn: optionalText.refine((v) => v === undefined || /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(v), 'must be a KMS key ARN'),
    eventRetentionSeconds: z.coerce.number().int().positive().optional(),
    defaultImportMode: z.enum(['Legacy', 'PreserveOriginal']).default('Legacy'),
    allowedRegistriesForImport: optionalText.refine((v) => v === undefined || !/\s/.test(v), 'must be comma-separated host globs without spaces'),
    staticTokensSecret: optionalText,
    alarmEmail: optionalText.refine((v) => v === undefined || /^[^\s@]+@[^\s@]+$/.test(v), 'must be an e-mail address'),
    apiGatewayCloudWatchRole: bool(true),
    accessLogs: bool(true),
    pruneSchedule: optionalText.refine((v) => v === undefined || /^(rate|cron)\(.+\)$/.test(v), 'must be an EventBridge schedule expression: rate(...) or cron(...)'),
    pruneKeepTagRevisions: z.coerce.number().int().min(0).optional(),
    pruneKeepYoungerThan: optionalText.refine((v) => v === undefined || /^(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$|^0$/.test(v), 'must be a Go duration such as 60m or 24h'),
    watchPostConcurrency: z.coerce.number().int().min(1).max(1000).default(64),
    ...importSchema,
  })
  .superRefine((s, ctx) => {
    if (s.importAllowedRegistries !== undefined && s.importBlockedRegistries !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['importAllowedRegistries'], message: 'set importAllowedRegistries or importBlockedRegistries, not both' });
    }
    if (s.oidcIssuerUrl === undefined) {
      for (const key of OIDC_DEPENDENT) {
        if (s[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} needs oidcIssuerUrl` });
      }
    } else if (s.oidcClientId === undefined && s.oidcAudience === undefined) {
      // The functions would refuse to start (OIDC_ISSUER_URL needs OIDC_CLIENT_ID or OIDC_AUDIENCE):
      // a token is only accepted when it was issued for this API.
      ctx.addIssue({
        code: 'custom',
        path: ['oidcIssuerUrl'],
        message: 'oidcIssuerUrl needs an audience: set oidcClientId (the client id tokens are issued for) or oidcAudience',
      });
    }
  });

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/**
 * Reads and validates the settings. `context` is usually `(k) => app.node.tryGetContext(k)`.
 * Throws a SettingsError naming every invalid key.
 */
export function readSettings(context: (key: ContextKey) => unknown, projectRoot = REPO_ROOT): DeploySettings {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(CONTEXT_KEYS) as ContextKey[]) {
    const value = context(key);
    if (value !== undefined && value !== null) raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(context)'}: ${i.message}`).join('; ');
    throw new SettingsError(`invalid CDK context: ${detail}`);
  }
  const s = parsed.data;
  return {
    stage: s.stage,
    stackPrefix: `ImageStream-${s.stage}`,
    internalRegistryHostname: s.internalRegistryHostname,
    publicRegistryHostname: s.publicRegistryHostname,
    oidcIssuerUrl: s.oidcIssuerUrl,
    oidcClientId: s.oidcClientId,
    oidcAudience: s.oidcAudience,
    oidcUsernameClaim: s.oidcUsernameClaim,
    oidcUsernamePrefix: s.oidcUsernamePrefix,
    oidcGroupsClaim: s.oidcGroupsClaim,
    oidcGroupsPrefix: s.oidcGroupsPrefix,
    oidcJwksUrl: s.oidcJwksUrl,
    oidcClockSkewSeconds: s.oidcClockSkewSeconds,
    oidcSigningAlgs: s.oidcSigningAlgs,
    rbacCacheMs: s.rbacCacheMs,
    removalPolicy: s.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    deletionProtection: s.deletionProtection,
    logRetention: s.logRetentionDays as RetentionDays,
    logLevel: s.logLevel,
    tableEncryption: s.tableKmsKeyArn !== undefined ? 'customer-managed' : s.tableEncryption,
    tableKmsKeyArn: s.tableKmsKeyArn,
    eventRetentionSeconds: s.eventRetentionSeconds,
    defaultImportMode: s.defaultImportMode,
    allowedRegistriesForImport: s.allowedRegistriesForImport,
    staticTokensSecret: s.staticTokensSecret,
    alarmEmail: s.alarmEmail,
    apiGatewayCloudWatchRole: s.apiGatewayCloudWatchRole,
    accessLogs: s.accessLogs,
    pruneSchedule: s.pruneSchedule,
    pruneKeepTagRevisions: s.pruneKeepTagRevisions,
    pruneKeepYoungerThan: s.pruneKeepYoungerThan,
    watchPostConcurrency: s.watchPostConcurrency,
    importer: Object.fromEntries(
      (Object.keys(IMPORT_SETTINGS) as ImportSettingKey[]).flatMap((k) => (s[k] === undefined ? [] : [[k, s[k]]])),
    ) as Partial<Record<ImportSettingKey, string>>,
    projectRoot,
  };
}
