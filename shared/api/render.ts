/**
 * @module render
 * Turns results into HTTP responses: objects and lists as JSON (or YAML, or a Table when the
 * resource has a printer), Status errors with their code, and `Warning` headers.
 */
import { stringify as toYaml } from 'yaml';
import { negotiateOutput, type OutputFormat } from '../apimachinery/negotiation.js';
import { internalError, isStatusError, type Status } from '../apimachinery/status.js';
import { parseIncludeObject } from '../apimachinery/table.js';
import type { ApiResponse } from './http.js';

const JSON_TYPE = 'application/json';

/** `Warning: 299 - "<text>"` values (quotes and backslashes escaped), duplicates dropped. */
export function warningHeaders(warnings: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of warnings) {
    if (seen.has(w)) continue;
    seen.add(w);
    out.push(`299 - "${w.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
  }
  return out;
}

export function jsonResponse(statusCode: number, body: unknown, opts: { pretty?: boolean; warnings?: readonly string[]; contentType?: string } = {}): ApiResponse {
  const headers: Record<string, string | string[]> = { 'Content-Type': opts.contentType ?? JSON_TYPE };
  const warnings = warningHeaders(opts.warnings ?? []);
  if (warnings.length > 0) headers['Warning'] = warnings;
  return { statusCode, headers, body: (opts.pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body)) + '\n' };
}

export function formattedResponse(
  format: OutputFormat,
  statusCode: number,
  body: unknown,
  opts: { pretty?: boolean; warnings?: readonly string[] } = {},
): ApiResponse {
  if (format.kind === 'yaml') {
    const res = jsonResponse(statusCode, body, opts);
    return { ...res, headers: { ...res.headers, 'Content-Type': 'application/yaml' }, body: toYaml(body) };
  }
  return jsonResponse(statusCode, body, opts);
}

export function statusResponse(status: Status, headers: Record<string, string> = {}): ApiResponse {
  const res = jsonResponse(status.code ?? 200, status);
  return { ...res, headers: { ...res.headers, ...headers } };
}

/** Any thrown value → a Status response; unknown errors are a generic 500 (and logged by the caller). */
export function errorResponse(err: unknown): ApiResponse {
  if (isStatusError(err)) return statusResponse(err.status, err.headers);
  const fallback = internalError('an unexpected error occurred while processing the request');
  return statusResponse(fallback.status);
}

/** `404 page not found` in text/plain, as Go's default mux answers unknown paths. */
export function pageNotFound(): ApiResponse {
  return { statusCode: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: '404 page not found\n' };
}

export { negotiateOutput };

const WRITE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/**
 * A write answered as a Table checks its Table options before anything is written: upstream
 * parses `includeObject` only when it renders, after the write, so a bad value would change
 * the object and still fail. Reads keep upstream's order (a missing object is still a 404).
 */
export function checkTableOptionsBeforeWrite(verb: string, format: OutputFormat, includeObject: string | undefined): void {
  if (format.kind === 'table' && WRITE_VERBS.has(verb)) parseIncludeObject(includeObject);
}
