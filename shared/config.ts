/**
 * @module config
 * The process configuration, read from the environment once and validated. Entry points call
 * `loadConfig()` at module scope and pass the typed result down; nothing else reads env.
 */
import * as z from 'zod/mini';

// Field builders (zod/mini keeps the Lambda bundles small): use these for new settings.
/** A trimmed string; empty or unset is undefined. */
export const optionalString = z.pipe(
  z.optional(z.string()),
  z.transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
);
/** A string with a default (at least `min` characters). */
export const text = (fallback: string, min = 1) => z._default(z.string().check(z.minLength(min)), fallback);
/** A positive integer with a default (from its decimal text). */
export const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);
/** A boolean with a default (`true`/`false`, `1`/`0`). */
export const flag = (fallback: boolean) =>
  z.pipe(
    z.optional(z.enum(['true', 'false', '1', '0'])),
    z.transform((v) => (v === undefined ? fallback : v === 'true' || v === '1')),
  );
/** One of `values`, with a default. */
export const oneOf = <const V extends readonly [string, ...string[]]>(values: V, fallback: V[number]) => z._default(z.enum(values), fallback);

const schema = z.object({
  TABLE_NAME: text('imagestreams', 3),
  /** DynamoDB endpoint override (DynamoDB Local); unset on AWS. */
  DYNAMODB_ENDPOINT: optionalString,
  AWS_REGION: text('us-east-1'),
  /** How long change events stay in the event log (watch resume window). */
  EVENT_RETENTION_SECONDS: positiveInt(3600),
  INTERNAL_REGISTRY_HOSTNAME: optionalString,
  PUBLIC_REGISTRY_HOSTNAME: optionalString,
  DEFAULT_IMPORT_MODE: oneOf(['Legacy', 'PreserveOriginal'], 'Legacy'),
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
  WATCH_MAX_SECONDS: positiveInt(3600),
  /** How often a watch polls the event log for changes made by other processes. */
  WATCH_POLL_MS: positiveInt(500),
  /** WebSocket watch: the table of connections and subscriptions (default `<TABLE_NAME>-connections`). */
  CONNECTIONS_TABLE_NAME: optionalString,
  /**
   * WebSocket watch: the `@connections` management endpoint, `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`
   * on AWS (CDK `WebSocketStage.callbackUrl`), `http://127.0.0.1:<port>/<stage>` locally.
   */
  WS_CALLBACK_URL: optionalString,
  /** WebSocket watch: the stage name (the local gateway serves `/<stage>` and `/<stage>/@connections`). */
  WS_STAGE: text('local'),
  /** WebSocket watch: posts in flight at once while fanning one event out. */
  WATCH_POST_CONCURRENCY: positiveInt(64),
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
  readonly connectionsTableName: string;
  readonly wsCallbackUrl: string | undefined;
  readonly wsStage: string;
  readonly watchPostConcurrency: number;
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
    connectionsTableName: e.CONNECTIONS_TABLE_NAME ?? `${e.TABLE_NAME}-connections`,
    wsCallbackUrl: e.WS_CALLBACK_URL,
    wsStage: e.WS_STAGE,
    watchPostConcurrency: e.WATCH_POST_CONCURRENCY,
  };
}
