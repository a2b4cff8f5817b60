/**
 * @module environment
 * The Lambda environments built from the settings (shared/config.ts reads them). Three parts,
 * so a function receives only what it uses:
 *
 * - `baseEnvironment`: logging, registry hostnames, import mode, allowed registries, event
 *   retention — every function;
 * - `authEnvironment`: OIDC, RBAC cache and the static-token secret reference — only the
 *   functions that authenticate requests (the HTTP families and the WebSocket `$connect`);
 * - `importEnvironment`: the `IMPORT_*` settings that were given — the importer functions.
 *
 * `functionEnvironment` (base + auth) is what every HTTP function gets.
 */
import { SecretValue } from 'aws-cdk-lib';
import { IMPORT_SETTINGS, type DeploySettings, type ImportSettingKey } from './settings.js';

export const SERVICE_NAME = 'imagestream-api';

type Env = Record<string, string>;

function defined(values: Readonly<Record<string, string | number | undefined>>): Env {
  const env: Env = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) env[k] = String(v);
  return env;
}

/** What every function gets. */
export function baseEnvironment(settings: DeploySettings): Env {
  return {
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_LOG_LEVEL: settings.logLevel,
    DEFAULT_IMPORT_MODE: settings.defaultImportMode,
    ...defined({
      INTERNAL_REGISTRY_HOSTNAME: settings.internalRegistryHostname,
      PUBLIC_REGISTRY_HOSTNAME: settings.publicRegistryHostname,
      ALLOWED_REGISTRIES_FOR_IMPORT: settings.allowedRegistriesForImport,
      EVENT_RETENTION_SECONDS: settings.eventRetentionSeconds,
    }),
  };
}

/** Authentication and authorization settings, for the functions that authenticate. */
export function authEnvironment(settings: DeploySettings): Env {
  const env = defined({
    OIDC_ISSUER_URL: settings.oidcIssuerUrl,
    OIDC_CLIENT_ID: settings.oidcClientId,
    OIDC_AUDIENCE: settings.oidcAudience,
    OIDC_USERNAME_CLAIM: settings.oidcUsernameClaim,
    OIDC_USERNAME_PREFIX: settings.oidcUsernamePrefix,
    OIDC_GROUPS_CLAIM: settings.oidcGroupsClaim,
    OIDC_GROUPS_PREFIX: settings.oidcGroupsPrefix,
    OIDC_JWKS_URL: settings.oidcJwksUrl,
    OIDC_CLOCK_SKEW_SECONDS: settings.oidcClockSkewSeconds,
    OIDC_SIGNING_ALGS: settings.oidcSigningAlgs,
    RBAC_CACHE_MS: settings.rbacCacheMs,
  });
  if (settings.staticTokensSecret) {
    // A CloudFormation dynamic reference: resolved at deploy time, never written to the template.
    env['STATIC_TOKENS'] = SecretValue.secretsManager(settings.staticTokensSecret).unsafeUnwrap();
  }
  return env;
}

/** The environment every HTTP function shares: base + auth. */
export function functionEnvironment(settings: DeploySettings): Env {
  return { ...baseEnvironment(settings), ...authEnvironment(settings) };
}

/** The given `IMPORT_*` settings (all of them, or those of `keys`). */
export function importEnvironment(settings: DeploySettings, keys: readonly ImportSettingKey[] = Object.keys(IMPORT_SETTINGS) as ImportSettingKey[]): Env {
  const env: Env = {};
  for (const key of keys) {
    const value = settings.importer[key];
    if (value !== undefined) env[IMPORT_SETTINGS[key].env] = value;
  }
  return env;
}
