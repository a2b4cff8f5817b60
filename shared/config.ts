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
  // Authentication and authorization (shared/auth; docs/design.md "Authentication and authorization").
  /** OIDC issuer (`--oidc-issuer-url`): `https://…` (plain `http` only on loopback); unset: no OIDC. */
  OIDC_ISSUER_URL: optionalString,
  /** Accepted audience (`--oidc-client-id`). */
  OIDC_CLIENT_ID: optionalString,
  /** Further accepted audiences, comma-separated. */
  OIDC_AUDIENCE: optionalString,
  OIDC_USERNAME_CLAIM: text('sub'),
  /** Unset: claims other than `email` get `<issuer>#`; `-`: no prefix. */
  OIDC_USERNAME_PREFIX: optionalString,
  OIDC_GROUPS_CLAIM: optionalString,
  OIDC_GROUPS_PREFIX: optionalString,
  /** JWKS URL override (default: `jwks_uri` of the issuer's discovery document). */
  OIDC_JWKS_URL: optionalString,
  /** Tolerated clock difference for `exp`/`nbf`/`iat`, seconds. */
  OIDC_CLOCK_SKEW_SECONDS: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 30),
  /** Accepted signing algorithms, comma-separated (`--oidc-signing-algs`). */
  OIDC_SIGNING_ALGS: text('RS256'),
  /** How long stored RBAC policy (roles, bindings) is reused before it is read again, ms. */
  RBAC_CACHE_MS: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 2000),
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
  // Image import (shared/importer; docs/design.md "Image import").
  /** Interval of scheduled re-imports (`importPolicy.scheduled`), seconds. */
  IMPORT_SCHEDULE_SECONDS: positiveInt(900),
  /** Turns scheduled imports off (`imageImport.disableScheduledImport`). */
  IMPORT_DISABLE_SCHEDULED: flag(false),
  /** Global cap of scheduled stream imports per minute (`maxScheduledImageImportsPerMinute`). */
  IMPORT_SCHEDULED_MAX_PER_MINUTE: positiveInt(60),
  /** Cap of scheduled stream imports per minute against one registry. */
  IMPORT_REGISTRY_MAX_PER_MINUTE: positiveInt(30),
  /** Registries on loopback addresses may be imported from (the local stack sets it). */
  IMPORT_ALLOW_LOOPBACK: flag(false),
  /** CIDRs excepted from the default blocked ranges (link-local, metadata, …), comma-separated. */
  IMPORT_ALLOWED_CIDRS: optionalString,
  /** Extra blocked CIDRs (e.g. private ranges), comma-separated. */
  IMPORT_BLOCKED_CIDRS: optionalString,
  /**
   * `registrySources.allowedRegistries`: when set, the only registries imports may use
   * (`host[:port]` or `*.domain[:port]`, comma-separated). Exclusive with the blocked list.
   */
  IMPORT_ALLOWED_REGISTRIES: optionalString,
  /** `registrySources.blockedRegistries`: registries imports are refused from, same syntax. */
  IMPORT_BLOCKED_REGISTRIES: optionalString,
  /** Registry hosts always accessed insecurely (plain http / no TLS verification), comma-separated. */
  IMPORT_INSECURE_REGISTRIES: optionalString,
  /** A PEM bundle of extra CAs trusted for registries (`additionalTrustedCA`). */
  IMPORT_CA_FILE: optionalString,
  IMPORT_CONNECT_TIMEOUT_MS: positiveInt(5000),
  /** Socket idle timeout of registry requests. */
  IMPORT_READ_TIMEOUT_MS: positiveInt(15000),
  /** Upper bound of one registry request, redirects included. */
  IMPORT_REQUEST_TIMEOUT_MS: positiveInt(60000),
  IMPORT_MAX_MANIFEST_BYTES: positiveInt(4 * 1024 * 1024),
  IMPORT_MAX_CONFIG_BYTES: positiveInt(8 * 1024 * 1024),
  IMPORT_MAX_REDIRECTS: positiveInt(5),
  /** Requests in flight to one registry from one process. */
  IMPORT_REGISTRY_CONCURRENCY: positiveInt(4),
  /** Streams imported at once by one worker. */
  IMPORT_CONCURRENCY: positiveInt(8),
  /** Base of the jittered backoff between registry retries, ms. */
  IMPORT_RETRY_BASE_MS: positiveInt(1000),
  /** SQS queue of import jobs (AWS); unset: jobs run in the process that found them. */
  IMPORT_QUEUE_URL: optionalString,
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
  /** OIDC bearer tokens, when an issuer is configured. */
  readonly oidc: OidcConfig | undefined;
  readonly rbacCacheMs: number;
  readonly watchMaxSeconds: number;
  readonly watchPollMs: number;
  readonly connectionsTableName: string;
  readonly wsCallbackUrl: string | undefined;
  readonly wsStage: string;
  readonly watchPostConcurrency: number;
  readonly importer: ImporterConfig;
}

/** Settings of the image importer (`IMPORT_*`). */
export interface ImporterConfig {
  readonly scheduleSeconds: number;
  readonly disableScheduled: boolean;
  readonly scheduledMaxPerMinute: number;
  readonly registryMaxPerMinute: number;
  readonly allowLoopback: boolean;
  readonly allowedCidrs: readonly string[];
  readonly blockedCidrs: readonly string[];
  readonly allowedRegistries: readonly string[];
  readonly blockedRegistries: readonly string[];
  readonly insecureRegistries: readonly string[];
  readonly caFile: string | undefined;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxManifestBytes: number;
  readonly maxConfigBytes: number;
  readonly maxRedirects: number;
  readonly registryConcurrency: number;
  readonly concurrency: number;
  readonly retryBaseMs: number;
  readonly queueUrl: string | undefined;
}

const commaList = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** OIDC settings (the `--oidc-*` flags of kube-apiserver). */
export interface OidcConfig {
  readonly issuerUrl: string;
  readonly audiences: readonly string[];
  readonly usernameClaim: string;
  readonly usernamePrefix?: string;
  readonly groupsClaim?: string;
  readonly groupsPrefix?: string;
  readonly jwksUrl?: string;
  readonly clockSkewSeconds: number;
  readonly algorithms: readonly string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function oidcConfig(e: z.infer<typeof schema>): OidcConfig | undefined {
  const issuer = e.OIDC_ISSUER_URL;
  if (issuer === undefined) return undefined;
  const url = URL.canParse(issuer) ? new URL(issuer) : undefined;
  if (url === undefined || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))) {
    throw new ConfigError('invalid configuration: OIDC_ISSUER_URL must be an https URL');
  }
  const audiences = [...new Set([...commaList(e.OIDC_CLIENT_ID), ...commaList(e.OIDC_AUDIENCE)])];
  if (audiences.length === 0) throw new ConfigError('invalid configuration: OIDC_ISSUER_URL needs OIDC_CLIENT_ID or OIDC_AUDIENCE');
  return {
    issuerUrl: issuer,
    audiences,
    usernameClaim: e.OIDC_USERNAME_CLAIM,
    ...(e.OIDC_USERNAME_PREFIX !== undefined ? { usernamePrefix: e.OIDC_USERNAME_PREFIX } : {}),
    ...(e.OIDC_GROUPS_CLAIM !== undefined ? { groupsClaim: e.OIDC_GROUPS_CLAIM } : {}),
    ...(e.OIDC_GROUPS_PREFIX !== undefined ? { groupsPrefix: e.OIDC_GROUPS_PREFIX } : {}),
    ...(e.OIDC_JWKS_URL !== undefined ? { jwksUrl: e.OIDC_JWKS_URL } : {}),
    clockSkewSeconds: e.OIDC_CLOCK_SKEW_SECONDS,
    algorithms: commaList(e.OIDC_SIGNING_ALGS),
  };
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${detail}`);
  }
  const e = parsed.data;
  if (e.IMPORT_ALLOWED_REGISTRIES && e.IMPORT_BLOCKED_REGISTRIES) {
    throw new ConfigError('invalid configuration: set IMPORT_ALLOWED_REGISTRIES or IMPORT_BLOCKED_REGISTRIES, not both');
  }
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
    oidc: oidcConfig(e),
    rbacCacheMs: e.RBAC_CACHE_MS,
    watchMaxSeconds: e.WATCH_MAX_SECONDS,
    watchPollMs: e.WATCH_POLL_MS,
    connectionsTableName: e.CONNECTIONS_TABLE_NAME ?? `${e.TABLE_NAME}-connections`,
    wsCallbackUrl: e.WS_CALLBACK_URL,
    wsStage: e.WS_STAGE,
    watchPostConcurrency: e.WATCH_POST_CONCURRENCY,
    importer: {
      scheduleSeconds: e.IMPORT_SCHEDULE_SECONDS,
      disableScheduled: e.IMPORT_DISABLE_SCHEDULED,
      scheduledMaxPerMinute: e.IMPORT_SCHEDULED_MAX_PER_MINUTE,
      registryMaxPerMinute: e.IMPORT_REGISTRY_MAX_PER_MINUTE,
      allowLoopback: e.IMPORT_ALLOW_LOOPBACK,
      allowedCidrs: commaList(e.IMPORT_ALLOWED_CIDRS),
      blockedCidrs: commaList(e.IMPORT_BLOCKED_CIDRS),
      allowedRegistries: commaList(e.IMPORT_ALLOWED_REGISTRIES),
      blockedRegistries: commaList(e.IMPORT_BLOCKED_REGISTRIES),
      insecureRegistries: commaList(e.IMPORT_INSECURE_REGISTRIES),
      caFile: e.IMPORT_CA_FILE,
      connectTimeoutMs: e.IMPORT_CONNECT_TIMEOUT_MS,
      readTimeoutMs: e.IMPORT_READ_TIMEOUT_MS,
      requestTimeoutMs: e.IMPORT_REQUEST_TIMEOUT_MS,
      maxManifestBytes: e.IMPORT_MAX_MANIFEST_BYTES,
      maxConfigBytes: e.IMPORT_MAX_CONFIG_BYTES,
      maxRedirects: e.IMPORT_MAX_REDIRECTS,
      registryConcurrency: e.IMPORT_REGISTRY_CONCURRENCY,
      concurrency: e.IMPORT_CONCURRENCY,
      retryBaseMs: e.IMPORT_RETRY_BASE_MS,
      queueUrl: e.IMPORT_QUEUE_URL,
    },
  };
}
