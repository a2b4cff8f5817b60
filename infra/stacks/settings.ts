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
export type TableEncryption = 'aws-managed' | 'customer-managed';

export interface DeploySettings {
  /** Stage name: API Gateway stage and part of every stack name. */
  readonly stage: string;
  /** `ImageStream-<stage>`: prefix of the stack names. */
  readonly stackPrefix: string;
  readonly internalRegistryHostname: string | undefined;
  readonly publicRegistryHostname: string | undefined;
  /** Plumbed to the functions as OIDC_ISSUER_URL / OIDC_AUDIENCE (not enforced yet). */
  readonly oidcIssuerUrl: string | undefined;
  readonly oidcAudience: string | undefined;
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
  readonly defaultImportMode: 'Legacy' | 'PreserveOriginal' | undefined;
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
  /** Where NodejsFunction finds the entry files and package-lock.json. */
  readonly projectRoot: string;
}

/** Every context key the app reads, with its meaning (docs/deploy.md lists the same). */
export const CONTEXT_KEYS = {
  stage: 'stage name (default dev); stacks are ImageStream-<stage>-Data and ImageStream-<stage>-Api',
  internalRegistryHostname: 'INTERNAL_REGISTRY_HOSTNAME of the functions',
  publicRegistryHostname: 'PUBLIC_REGISTRY_HOSTNAME of the functions',
  oidcIssuerUrl: 'OIDC_ISSUER_URL of the functions (https URL)',
  oidcAudience: 'OIDC_AUDIENCE of the functions (needs oidcIssuerUrl)',
  removalPolicy: 'retain (default) or destroy: table, KMS key and log groups',
  deletionProtection: 'table deletion protection (default true)',
  logRetentionDays: 'log group retention in days (default 30; a CloudWatch Logs value)',
  logLevel: 'POWERTOOLS_LOG_LEVEL: DEBUG, INFO (default), WARN or ERROR',
  tableEncryption: 'aws-managed (default) or customer-managed (a new KMS key with rotation)',
  tableKmsKeyArn: 'existing KMS key ARN for the table (implies customer-managed)',
  eventRetentionSeconds: 'EVENT_RETENTION_SECONDS of the functions',
  defaultImportMode: 'DEFAULT_IMPORT_MODE of the functions: Legacy or PreserveOriginal',
  allowedRegistriesForImport: 'ALLOWED_REGISTRIES_FOR_IMPORT of the functions (comma-separated host globs, =insecure)',
  staticTokensSecret: 'Secrets Manager secret name/ARN holding the static token CSV (STATIC_TOKENS)',
  alarmEmail: 'e-mail address subscribed to the alarm topic',
  apiGatewayCloudWatchRole: 'create the account-level API Gateway logging role (default true)',
  accessLogs: 'API Gateway access logs (default true)',
  pruneSchedule: 'EventBridge schedule expression of the image stream history prune, e.g. rate(1 day) (default: no schedule)',
  pruneKeepTagRevisions: 'revisions per tag the scheduled prune keeps (default 3)',
  pruneKeepYoungerThan: 'Go duration: history younger than this survives the scheduled prune (default 60m)',
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

const schema = z
  .object({
    stage: z
      .string()
      .trim()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,23}$/, 'must start with a letter and hold at most 24 letters, digits or hyphens')
      .default('dev'),
    internalRegistryHostname: hostname,
    publicRegistryHostname: hostname,
    oidcIssuerUrl: optionalText.refine((v) => v === undefined || /^https:\/\/[^\s/]+(\/\S*)?$/.test(v), 'must be an https URL'),
    oidcAudience: optionalText,
    removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
    deletionProtection: bool(true),
    logRetentionDays: z.coerce
      .number()
      .int()
      .refine((v) => RETENTION_DAYS.has(v), `must be one of ${[...RETENTION_DAYS].join(', ')}`)
      .default(30),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    tableEncryption: z.enum(['aws-managed', 'customer-managed']).default('aws-managed'),
    tableKmsKeyArn: optionalText.refine((v) => v === undefined || /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(v), 'must be a KMS key ARN'),
    eventRetentionSeconds: z.coerce.number().int().positive().optional(),
    defaultImportMode: z.enum(['Legacy', 'PreserveOriginal']).optional(),
    allowedRegistriesForImport: optionalText.refine((v) => v === undefined || !/\s/.test(v), 'must be comma-separated host globs without spaces'),
    staticTokensSecret: optionalText,
    alarmEmail: optionalText.refine((v) => v === undefined || /^[^\s@]+@[^\s@]+$/.test(v), 'must be an e-mail address'),
    apiGatewayCloudWatchRole: bool(true),
    accessLogs: bool(true),
    pruneSchedule: optionalText.refine((v) => v === undefined || /^(rate|cron)\(.+\)$/.test(v), 'must be an EventBridge schedule expression: rate(...) or cron(...)'),
    pruneKeepTagRevisions: z.coerce.number().int().min(0).optional(),
    pruneKeepYoungerThan: optionalText.refine((v) => v === undefined || /^(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$|^0$/.test(v), 'must be a Go duration such as 60m or 24h'),
  })
  .refine((s) => s.oidcAudience === undefined || s.oidcIssuerUrl !== undefined, {
    message: 'oidcAudience needs oidcIssuerUrl',
    path: ['oidcAudience'],
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
    oidcAudience: s.oidcAudience,
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
    projectRoot,
  };
}
