/**
 * @module options
 * Query/body options of writes and lists (`CreateOptions`, `UpdateOptions`, `PatchOptions`,
 * `DeleteOptions`, `ListOptions`), parsed and validated with upstream messages.
 */
import { fieldErrors, type FieldError } from './field-errors.js';
import type { FieldValidation } from './decode.js';
import { badRequest, invalid, type StatusError } from './status.js';

export type Query = ReadonlyMap<string, readonly string[]>;

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go `strconv.ParseBool`; a malformed value is a 400. */
export function parseBool(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw badRequest(`invalid value for ${name}: strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}

/** A non-negative int64 query parameter; a malformed value is a 400. */
export function parseInt64(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) {
    throw badRequest(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  return Number(value);
}

const first = (q: Query, name: string): string | undefined => q.get(name)?.[0];

const optionsInvalid = (kind: string, errs: FieldError[]): StatusError => invalid({ group: 'meta.k8s.io', kind }, '', errs);

export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

export interface WriteOptions {
  readonly dryRun: boolean;
  readonly fieldManager: string | undefined;
  readonly fieldValidation: FieldValidation;
  readonly force: boolean | undefined;
}

export function validateDryRun(values: readonly string[], errs: FieldError[]): boolean {
  if (values.length === 0) return false;
  if (values.some((v) => v !== 'All')) errs.push(fieldErrors.notSupported('dryRun', values, ['All']));
  return true;
}

function validateFieldManager(manager: string | undefined, errs: FieldError[]): void {
  if (manager === undefined) return;
  if (manager.length > 128) errs.push(fieldErrors.tooLong('fieldManager', 128));
   
  if (/[^\x20-\x7e\u00a0-\uffff]/.test(manager)) {
    errs.push(fieldErrors.invalid('fieldManager', manager, 'must only contain printable characters'));
  }
}

/** Options of POST/PUT/PATCH. `isApply` enables the server-side apply rules. */
export function parseWriteOptions(kind: OptionsKind, q: Query, opts: { isApply?: boolean } = {}): WriteOptions {
  const errs: FieldError[] = [];
  const dryRun = validateDryRun(q.get('dryRun') ?? [], errs);
  const fieldManager = first(q, 'fieldManager');
  validateFieldManager(fieldManager, errs);
  const fv = first(q, 'fieldValidation') ?? '';
  if (!['', 'Ignore', 'Warn', 'Strict'].includes(fv)) {
    errs.push(fieldErrors.notSupported('fieldValidation', fv, ['', 'Ignore', 'Strict', 'Warn']));
  }
  const force = parseBool('force', first(q, 'force'));
  if (kind === 'PatchOptions') {
    if (opts.isApply && !fieldManager) errs.push(fieldErrors.required('fieldManager', 'is required for apply patch'));
    if (!opts.isApply && force !== undefined) errs.push(fieldErrors.forbidden('force', 'may not be specified for non-apply patch'));
  }
  if (errs.length > 0) throw optionsInvalid(kind, errs);
  return {
    dryRun,
    fieldManager,
    fieldValidation: fv === '' ? 'Warn' : (fv as FieldValidation),
    force,
  };
}

export interface DeleteOptions {
  readonly dryRun: boolean;
  readonly preconditions?: { uid?: string; resourceVersion?: string };
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: string;
}

const PROPAGATION = ['Foreground', 'Background', 'Orphan'];

/** DeleteOptions from a non-empty JSON body, else from the query (as upstream). */
export function parseDeleteOptions(q: Query, body: Buffer | undefined): DeleteOptions {
  let raw: Record<string, unknown> = {};
  const text = body?.toString('utf8').trim() ?? '';
  if (text.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw badRequest(`the body of the request could not be decoded as DeleteOptions: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw badRequest('the body of the request could not be decoded as DeleteOptions');
    }
    raw = parsed as Record<string, unknown>;
    const kind = raw['kind'];
    if (kind !== undefined && kind !== 'DeleteOptions') {
      throw badRequest(`expected DeleteOptions, got ${String(kind)}`);
    }
  } else {
    const dry = q.get('dryRun');
    if (dry) raw['dryRun'] = [...dry];
    const gp = parseInt64('gracePeriodSeconds', first(q, 'gracePeriodSeconds'));
    if (gp !== undefined) raw['gracePeriodSeconds'] = gp;
    const pp = first(q, 'propagationPolicy');
    if (pp !== undefined) raw['propagationPolicy'] = pp;
    const od = parseBool('orphanDependents', first(q, 'orphanDependents'));
    if (od !== undefined) raw['orphanDependents'] = od;
  }
  const errs: FieldError[] = [];
  const dryRunRaw = raw['dryRun'];
  const dryRunValues = Array.isArray(dryRunRaw) ? dryRunRaw.map(String) : dryRunRaw === undefined || dryRunRaw === null ? [] : [String(dryRunRaw)];
  const dryRun = validateDryRun(dryRunValues, errs);
  const pp = raw['propagationPolicy'];
  if (pp !== undefined && pp !== null && (typeof pp !== 'string' || !PROPAGATION.includes(pp))) {
    errs.push(fieldErrors.notSupported('propagationPolicy', String(pp), PROPAGATION));
  }
  if (raw['orphanDependents'] !== undefined && raw['orphanDependents'] !== null && pp !== undefined && pp !== null) {
    errs.push(fieldErrors.invalid('propagationPolicy', String(pp), 'orphanDependents and deletionPropagation cannot be both set'));
  }
  const gp = raw['gracePeriodSeconds'];
  if (gp !== undefined && gp !== null && (typeof gp !== 'number' || !Number.isInteger(gp))) {
    throw badRequest('the body of the request could not be decoded as DeleteOptions: gracePeriodSeconds must be an integer');
  }
  if (errs.length > 0) throw optionsInvalid('DeleteOptions', errs);
  const pre = raw['preconditions'];
  let preconditions: DeleteOptions['preconditions'];
  if (pre !== undefined && pre !== null) {
    if (typeof pre !== 'object' || Array.isArray(pre)) throw badRequest('preconditions must be an object');
    const p = pre as Record<string, unknown>;
    preconditions = {
      ...(typeof p['uid'] === 'string' ? { uid: p['uid'] } : {}),
      ...(typeof p['resourceVersion'] === 'string' ? { resourceVersion: p['resourceVersion'] } : {}),
    };
  }
  return {
    dryRun,
    ...(preconditions ? { preconditions } : {}),
    ...(typeof gp === 'number' ? { gracePeriodSeconds: gp } : {}),
    ...(typeof pp === 'string' ? { propagationPolicy: pp } : {}),
  };
}

/** The default field manager: the User-Agent up to its first `/`, printable, at most 128 characters. */
export function fieldManagerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0] ?? '';
  // eslint-disable-next-line no-control-regex
  return prefix.replace(/[\x00-\x1f\x7f]/g, '').slice(0, 128);
}
