/**
 * @module strategy
 * Secret rules for the generic registry (Kubernetes `pkg/registry/core/secret/strategy.go`
 * and `ValidateSecret`/`ValidateSecretUpdate`):
 *
 * - decoding: every `data` value must be base64 (a 400 with Go's message otherwise);
 *   `stringData` is merged into `data` (its values win) and is never stored or returned;
 *   `type` defaults to `Opaque`;
 * - validation: keys are config-map keys, the total size is at most 1 MiB, type-specific keys
 *   are required (`.dockerconfigjson` / `.dockercfg` holding JSON, TLS, basic-auth, SSH), a
 *   service-account token names its account;
 * - update: `type` is immutable; an `immutable` Secret keeps its data and stays immutable.
 *
 * Error messages never contain secret values (`<secret contents redacted>`, as upstream).
 */
import { fieldErrors, FieldPath, type FieldError } from '../../apimachinery/field-errors.js';
import { canonicalMeta, validateObjectMeta } from '../../apimachinery/meta.js';
import type { ResourceStrategy } from '../../apimachinery/registry/strategy.js';
import { badRequest } from '../../apimachinery/status.js';
import { isDNS1123Subdomain } from '../../apimachinery/validation.js';
import { deepEqual } from '../../apimachinery/equality.js';
import { SECRET_TYPES, type Secret } from './types.js';

/** `api.MaxSecretSize`. */
export const MAX_SECRET_SIZE = 1024 * 1024;
const REDACTED = '<secret contents redacted>';
const CONFIG_KEY_RE = /^[-._a-zA-Z0-9]+$/;
const CONFIG_KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/** Go's `base64.StdEncoding` acceptance (newlines ignored): the offset of the first bad byte, or -1. */
export function base64ErrorOffset(value: string): number {
  const s = value.replace(/[\r\n]/g, '');
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) break;
  }
  if (i === s.length) return s.length % 4 === 0 ? -1 : s.length - (s.length % 4 === 1 ? 1 : 0);
  // Padding: only at the end, completing a quantum.
  const pad = s.slice(i);
  if (!/^=={0,1}$/.test(pad) || (i + pad.length) % 4 !== 0 || i % 4 < 2) return i;
  return -1;
}

/** Base64 of a UTF-8 string. */
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

const sortedMap = (m: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The canonical stored form: data checked and merged with stringData, type defaulted. */
export function normalizeSecret(input: Secret): Secret {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.data ?? {})) {
    const value = v ?? '';
    const at = base64ErrorOffset(value);
    if (at >= 0) throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${at}`);
    data[k] = Buffer.from(value.replace(/[\r\n]/g, ''), 'base64').toString('base64');
  }
  for (const [k, v] of Object.entries(input.stringData ?? {})) data[k] = b64(v ?? '');
  const out: Secret = {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: canonicalMeta(input.metadata ?? {}),
    ...(input.immutable !== undefined && input.immutable !== null ? { immutable: input.immutable } : {}),
    ...(Object.keys(data).length > 0 ? { data: sortedMap(data) } : {}),
    type: input.type || SECRET_TYPES.opaque,
  };
  return out;
}

const dataPath = FieldPath.root('data');
const decoded = (s: Secret, key: string): Buffer | undefined => (s.data?.[key] === undefined ? undefined : Buffer.from(s.data[key]!, 'base64'));

function validateJsonKey(s: Secret, key: string): FieldError[] {
  const bytes = decoded(s, key);
  if (bytes === undefined) return [fieldErrors.required(dataPath.key(key))];
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return [fieldErrors.invalid(dataPath.key(key), REDACTED, 'json: cannot unmarshal into Go value of type map[string]interface {}')];
    }
  } catch (e) {
    return [fieldErrors.invalid(dataPath.key(key), REDACTED, e instanceof Error ? e.message.replace(/"[^"]*"/g, '') : 'invalid JSON')];
  }
  return [];
}

/** `ValidateSecret` (without the metadata rules the registry adds). */
export function validateSecret(s: Secret): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(s.data ?? {})) {
    if (key.length > 253) errs.push(fieldErrors.invalid(dataPath.key(key), key, 'must be no more than 253 characters'));
    if (!CONFIG_KEY_RE.test(key)) errs.push(fieldErrors.invalid(dataPath.key(key), key, CONFIG_KEY_MSG));
    if (key === '.') errs.push(fieldErrors.invalid(dataPath.key(key), key, "must not be '.'"));
    else if (key === '..') errs.push(fieldErrors.invalid(dataPath.key(key), key, "must not be '..'"));
    else if (key.startsWith('..')) errs.push(fieldErrors.invalid(dataPath.key(key), key, "must not start with '..'"));
    total += Buffer.byteLength(value, 'base64');
  }
  if (total > MAX_SECRET_SIZE) errs.push(fieldErrors.tooLong(dataPath, MAX_SECRET_SIZE));
  switch (s.type) {
    case SECRET_TYPES.serviceAccountToken:
      if (!s.metadata.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(fieldErrors.required(FieldPath.root('metadata').child('annotations').key('kubernetes.io/service-account.name')));
      }
      break;
    case SECRET_TYPES.dockercfg:
      errs.push(...validateJsonKey(s, '.dockercfg'));
      break;
    case SECRET_TYPES.dockerConfigJson:
      errs.push(...validateJsonKey(s, '.dockerconfigjson'));
      break;
    case SECRET_TYPES.basicAuth:
      if (s.data?.['username'] === undefined && s.data?.['password'] === undefined) {
        errs.push(fieldErrors.required(dataPath.key('username')), fieldErrors.required(dataPath.key('password')));
      }
      break;
    case SECRET_TYPES.sshAuth:
      if ((decoded(s, 'ssh-privatekey')?.length ?? 0) === 0) errs.push(fieldErrors.required(dataPath.key('ssh-privatekey')));
      break;
    case SECRET_TYPES.tls:
      if (s.data?.['tls.crt'] === undefined) errs.push(fieldErrors.required(dataPath.key('tls.crt')));
      if (s.data?.['tls.key'] === undefined) errs.push(fieldErrors.required(dataPath.key('tls.key')));
      break;
    default:
      break;
  }
  return errs;
}

export function validateSecretUpdate(next: Secret, old: Secret): FieldError[] {
  const errs = validateSecret(next);
  if ((next.type ?? '') !== (old.type ?? '')) errs.push(fieldErrors.invalid(FieldPath.root('type'), next.type ?? '', 'field is immutable'));
  if (old.immutable) {
    if (!next.immutable) errs.push(fieldErrors.forbidden(FieldPath.root('immutable'), 'field is immutable when `immutable` is set'));
    if (!deepEqual(next.data ?? {}, old.data ?? {})) errs.push(fieldErrors.forbidden(dataPath, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

const subdomain = (name: string, prefix: boolean): string[] => isDNS1123Subdomain(prefix ? `${name}a` : name);

export const secretStrategy: ResourceStrategy<Secret> = {
  namespaced: true,
  allowCreateOnUpdate: false,
  allowUnconditionalUpdate: true,
  normalize: normalizeSecret,
  prepareForCreate: (_ctx, obj) => obj,
  validate: (_ctx, obj) => {
    const meta = validateObjectMeta(obj.metadata, true, subdomain);
    return meta.length > 0 ? meta : validateSecret(obj);
  },
  prepareForUpdate: (_ctx, obj) => obj,
  validateUpdate: (_ctx, obj, old) => validateSecretUpdate(obj, old),
};
