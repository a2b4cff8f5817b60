/**
 * @module list-options
 * `ListOptions` from the query string with the validation of §5.4/§6.1 of the conventions:
 * selector syntax, limit/continue, resourceVersion and resourceVersionMatch combinations,
 * and the watch parameters.
 */
import { decodeContinue, type ContinuePosition } from './continue-token.js';
import { fieldErrors, type FieldError } from './field-errors.js';
import { FieldSelectorError, parseFieldSelector, type FieldSelector } from './field-selector.js';
import { parseLabelSelector, SelectorParseError, type LabelSelector } from './label-selector.js';
import { parseBool, parseInt64, type Query } from './options.js';
import { badRequest, invalid } from './status.js';

export type ResourceVersionMatch = '' | 'Exact' | 'NotOlderThan';

export interface ListOptions {
  readonly labelSelector: LabelSelector;
  readonly fieldSelector: FieldSelector;
  /** Raw selector strings, for messages. */
  readonly labelSelectorText: string;
  readonly fieldSelectorText: string;
  readonly limit: number | undefined;
  readonly continue: ContinuePosition | undefined;
  readonly resourceVersion: string | undefined;
  readonly resourceVersionMatch: ResourceVersionMatch;
  readonly watch: boolean;
  readonly allowWatchBookmarks: boolean;
  readonly timeoutSeconds: number | undefined;
  readonly sendInitialEvents: boolean | undefined;
}

const first = (q: Query, name: string): string | undefined => q.get(name)?.[0];

/** Validates `resourceVersion`: empty, or a decimal unsigned integer. */
export function parseResourceVersion(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw badRequest(`invalid resource version: strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  return String(Number(value));
}

export function parseListOptions(q: Query, opts: { namespace: string | undefined; fieldKeys: readonly string[] }): ListOptions {
  const labelSelectorText = first(q, 'labelSelector') ?? '';
  const fieldSelectorText = first(q, 'fieldSelector') ?? '';
  let labelSelector: LabelSelector;
  let fieldSelector: FieldSelector;
  try {
    labelSelector = parseLabelSelector(labelSelectorText);
  } catch (e) {
    if (e instanceof SelectorParseError) throw badRequest(e.message);
    throw e;
  }
  try {
    fieldSelector = parseFieldSelector(fieldSelectorText);
  } catch (e) {
    if (e instanceof FieldSelectorError) throw badRequest(e.message);
    throw e;
  }
  for (const r of fieldSelector) {
    if (!opts.fieldKeys.includes(r.key)) {
      throw badRequest(`${JSON.stringify(r.key)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
  }
  const watch = parseBool('watch', first(q, 'watch')) ?? false;
  const allowWatchBookmarks = parseBool('allowWatchBookmarks', first(q, 'allowWatchBookmarks')) ?? false;
  const sendInitialEvents = parseBool('sendInitialEvents', first(q, 'sendInitialEvents'));
  const timeoutSeconds = parseInt64('timeoutSeconds', first(q, 'timeoutSeconds'));
  const limitRaw = parseInt64('limit', first(q, 'limit'));
  const limit = limitRaw !== undefined && limitRaw > 0 ? limitRaw : undefined;
  const rvText = first(q, 'resourceVersion');
  const rvm = first(q, 'resourceVersionMatch') ?? '';
  const continueText = first(q, 'continue') ?? '';

  const errs: FieldError[] = [];
  if (rvm !== '' && rvm !== 'Exact' && rvm !== 'NotOlderThan') {
    errs.push(fieldErrors.notSupported('resourceVersionMatch', rvm, watch ? ['NotOlderThan'] : ['Exact', 'NotOlderThan', '']));
  }
  if (watch) {
    if (rvm !== '' && sendInitialEvents === undefined) {
      errs.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    }
    if (sendInitialEvents !== undefined && rvm !== 'NotOlderThan') {
      errs.push(fieldErrors.forbidden('sendInitialEvents', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
  } else {
    if (sendInitialEvents !== undefined) errs.push(fieldErrors.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
    if (rvm !== '' && continueText !== '') {
      errs.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    } else if (rvm !== '' && (rvText === undefined || rvText === '')) {
      errs.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    } else if (rvm === 'Exact' && rvText === '0') {
      errs.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
  }
  if (errs.length > 0) throw invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errs);

  const resourceVersion = parseResourceVersion(rvText);
  let cont: ContinuePosition | undefined;
  if (continueText !== '' && !watch) {
    if (resourceVersion !== undefined && resourceVersion !== '0') {
      throw badRequest('specifying resource version is not allowed when using continue');
    }
    cont = decodeContinue(continueText, opts.namespace);
  }
  return {
    labelSelector,
    fieldSelector,
    labelSelectorText,
    fieldSelectorText,
    limit,
    continue: cont,
    resourceVersion,
    resourceVersionMatch: rvm as ResourceVersionMatch,
    watch,
    allowWatchBookmarks,
    timeoutSeconds,
    sendInitialEvents,
  };
}
