/**
 * @module config
 * The process configuration, read from the environment once and validated. Entry points call
 * `loadConfig()` at module scope and pass the typed result down; nothing else reads env.
 */
import { z } from 'zod';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const schema = z.object({
  TABLE_NAME: z.string().min(3).default('imagestreams'),
  /** DynamoDB endpoint override (DynamoDB Local); unset on AWS. */
  DYNAMODB_ENDPOINT: optionalString,
  AWS_REGION: z.string().default('us-east-1'),
  /** How long change events stay in the event log (watch resume window). */
  EVENT_RETENTION_SECONDS: z.coerce.number().int().positive().default(3600),
  INTERNAL_REGISTRY_HOSTNAME: optionalString,
  PUBLIC_REGISTRY_HOSTNAME: optionalString,
  DEFAULT_IMPORT_MODE: z.enum(['Legacy', 'PreserveOriginal']).default('Legacy'),
  /**
   * OpenShift's `allowedRegistriesForImport`: comma-separated `host[:port]` globs, each
   * optionally `=insecure`, e.g. `quay.io,*.example.com,registry.local:5000=insecure`.
   * Empty: every registry is allowed.
   */
  ALLOWED_REGISTRIES_FOR_IMPORT: optionalString,
  /** Kubernetes static token file (`token,user,uid,"group1,group2"`). */
  TOKENS_FILE: optionalString,
  /** The same CSV content inline (e.g. injected from a secret). */
  STATIC_TOKENS: optionalString,
  /** Longest lifetime of a watch stream (Lambda response streams end at 15 minutes). */
  WATCH_MAX_SECONDS: z.coerce.number().int().positive().default(3600),
  /** How often a watch polls the event log for changes made by other processes. */
  WATCH_POLL_MS: z.coerce.number().int().positive().default(500),
});

export interface Config {
  readonly tableName: string;
  readonly dynamodbEndpoint: string | undefined;
  readonly region: string;
  readonly eventRetentionSeconds: number;
  readonly internalRegistryHostname: string | undefined;
  readonly publicRegistryHostname: string | undefined;
  readonly defaultImportMode: 'Legacy' | 'PreserveOriginal';
  readonly allowedRegistriesForImport: readonly { domainName: string; insecure: boolean }[];
  readonly tokensFile: string | undefined;
  readonly staticTokens: string | undefined;
  readonly watchMaxSeconds: number;
  readonly watchPollMs: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${detail}`);
  }
  const e = parsed.data;
  return {
    tableName: e.TABLE_NAME,
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    region: e.AWS_REGION,
    eventRetentionSeconds: e.EVENT_RETENTION_SECONDS,
    internalRegistryHostname: e.INTERNAL_REGISTRY_HOSTNAME,
    publicRegistryHostname: e.PUBLIC_REGISTRY_HOSTNAME,
    defaultImportMode: e.DEFAULT_IMPORT_MODE,
    allowedRegistriesForImport: (e.ALLOWED_REGISTRIES_FOR_IMPORT ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry) => {
        const [domainName = '', flag] = entry.split('=');
        return { domainName: domainName.trim(), insecure: flag?.trim() === 'insecure' };
      }),
    tokensFile: e.TOKENS_FILE,
    staticTokens: e.STATIC_TOKENS,
    watchMaxSeconds: e.WATCH_MAX_SECONDS,
    watchPollMs: e.WATCH_POLL_MS,
  };
}
