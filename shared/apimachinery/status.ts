/**
 * @module status
 * The Kubernetes `Status` object and `StatusError`, with one constructor per reason
 * (as apimachinery's `errors` package). Every failure a client sees is one of these.
 */
import { aggregateMessage, errorBody, type FieldError } from './field-errors.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string; remainingItemCount?: number };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** `imagestreams.image.openshift.io` (or just the resource for the core group). */
export const qualifiedResource = (gr: GroupResource): string =>
  gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;

/** `ImageStream.image.openshift.io` (or just the kind for the core group). */
export const qualifiedKind = (gk: GroupKind): string => (gk.group === '' ? gk.kind : `${gk.kind}.${gk.group}`);

/** An error that renders as a Kubernetes Status with its HTTP code. */
export class StatusError extends Error {
  readonly status: Status;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(status: Status, headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? 'error');
    this.name = 'StatusError';
    this.status = status;
    this.headers = headers;
  }

  get code(): number {
    return this.status.code ?? 500;
  }

  get reason(): string {
    return this.status.reason ?? '';
  }
}

export const isStatusError = (e: unknown): e is StatusError => e instanceof StatusError;

function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
  if (details !== undefined) status.details = details;
  status.code = code;
  const headers: Record<string, string> = {};
  if (details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(details.retryAfterSeconds);
  return new StatusError(status, headers);
}

const resDetails = (gr: GroupResource, name: string): StatusDetails => ({
  name,
  group: gr.group,
  kind: gr.resource,
});

export const notFound = (gr: GroupResource, name: string): StatusError =>
  failure(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, resDetails(gr, name));

export const alreadyExists = (gr: GroupResource, name: string): StatusError =>
  failure(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, resDetails(gr, name));

export const generateNameConflict = (gr: GroupResource, name: string, retryAfterSeconds: number): StatusError =>
  failure(
    409,
    'AlreadyExists',
    `${qualifiedResource(gr)} "${name}" already exists, the server was not able to generate a unique name for the object`,
    { ...resDetails(gr, name), retryAfterSeconds },
  );

export const OPTIMISTIC_LOCK_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

export const conflict = (gr: GroupResource, name: string, message: string): StatusError =>
  failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${message}`, resDetails(gr, name));

/** 409 Conflict whose subject is a kind (delete preconditions use GroupKind). */
export const conflictKind = (gk: GroupKind, name: string, message: string): StatusError =>
  failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedKind(gk)} "${name}": ${message}`, {
    name,
    group: gk.group,
    kind: gk.kind,
  });

function causesOf(errors: readonly FieldError[]): StatusCause[] {
  return errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
}

/** 422 Invalid for a GroupKind: `<Kind>.<group> "<name>" is invalid: <aggregate>`. */
export const invalid = (gk: GroupKind, name: string, errors: readonly FieldError[]): StatusError =>
  failure(422, 'Invalid', `${qualifiedKind(gk)} "${name}" is invalid: ${aggregateMessage(errors)}`, {
    name,
    group: gk.group,
    kind: gk.kind,
    causes: causesOf(errors),
  });

/** 422 Invalid keyed by a resource (used for the "must be specified for an update" case). */
export const invalidResource = (gr: GroupResource, name: string, errors: readonly FieldError[]): StatusError =>
  failure(422, 'Invalid', `${qualifiedResource(gr)} "${name}" is invalid: ${aggregateMessage(errors)}`, {
    ...resDetails(gr, name),
    causes: causesOf(errors),
  });

export const badRequest = (message: string): StatusError => failure(400, 'BadRequest', message);

export const unauthorized = (message = 'Unauthorized'): StatusError => failure(401, 'Unauthorized', message);

export const forbidden = (gr: GroupResource, name: string, message: string): StatusError => {
  const subject = name === '' ? qualifiedResource(gr) : `${qualifiedResource(gr)} "${name}"`;
  const details: StatusDetails = { group: gr.group, kind: gr.resource };
  if (name !== '') details.name = name;
  return failure(403, 'Forbidden', `${subject} is forbidden: ${message}`, details);
};

export const methodNotSupported = (gr: GroupResource, action: string): StatusError =>
  failure(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${qualifiedResource(gr)}"`, {
    group: gr.group,
    kind: gr.resource,
  });

export const methodNotAllowed = (): StatusError =>
  failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

export const notAcceptable = (accepted: readonly string[]): StatusError =>
  failure(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);

export const unsupportedMediaType = (accepted: readonly string[]): StatusError =>
  failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

export const requestEntityTooLarge = (message: string): StatusError =>
  failure(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);

export const resourceExpired = (message: string): StatusError => failure(410, 'Expired', message);

export const gone = (message: string): StatusError => failure(410, 'Gone', message);

export const tooManyRequests = (message: string, retryAfterSeconds: number): StatusError =>
  failure(429, 'TooManyRequests', `Too many requests: ${message}`, { retryAfterSeconds });

export const serverTimeout = (gr: GroupResource, operation: string, retryAfterSeconds: number): StatusError =>
  failure(
    500,
    'ServerTimeout',
    `The ${operation} operation against ${qualifiedResource(gr)} could not be completed at this time, please try again.`,
    { name: operation, group: gr.group, kind: gr.resource, retryAfterSeconds },
  );

export const timeout = (message: string, retryAfterSeconds: number, causes?: StatusCause[]): StatusError =>
  failure(504, 'Timeout', `Timeout: ${message}`, causes ? { causes, retryAfterSeconds } : { retryAfterSeconds });

/** 500 InternalError. The detail must never contain stack traces or secrets. */
export const internalError = (detail: string): StatusError =>
  failure(500, 'InternalError', `Internal error occurred: ${detail}`, { causes: [{ message: detail }] });

/** A generic 404 used for unknown URLs by the Status-aware handlers. */
export const notFoundGeneric = (): StatusError =>
  failure(404, 'NotFound', 'the server could not find the requested resource', {});

/** The Success Status returned by an immediate DELETE. */
export function successStatus(details: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
