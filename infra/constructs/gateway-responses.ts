/**
 * @module gateway-responses
 * What API Gateway answers by itself (body too large, throttled, integration timeout, its
 * own 4xx/5xx) rendered the way a Kubernetes API server would: a `Status` JSON body with the
 * matching reason, so kubectl and client-go print a useful error instead of
 * `{"message": "..."}`. An unknown path API Gateway cannot route (`MISSING_AUTHENTICATION_TOKEN`,
 * normally a 403) becomes the apiserver's plain `404 page not found`.
 *
 * Bodies are built with the same Status constructors the handlers use.
 */
import { ResponseType, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { MAX_REQUEST_BODY_BYTES } from '../../shared/apimachinery/decode.js';
import {
  requestEntityTooLarge,
  timeout,
  tooManyRequests,
  type Status,
  type StatusError,
} from '../../shared/apimachinery/status.js';

/** The message API Gateway gives, as a quoted JSON string (a mapping-template variable). */
const GATEWAY_MESSAGE = '$context.error.messageString';
const MESSAGE_SLOT = '"@@message@@"';

export interface GatewayResponseSpec {
  readonly type: ResponseType;
  /** Overrides API Gateway's status code; the defaults keep theirs. */
  readonly statusCode?: string;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A Status body; `message: undefined` splices in API Gateway's own message. */
function statusBody(status: Omit<Status, 'message'> & { message?: string }): string {
  const json = JSON.stringify(status.message === undefined ? { ...status, message: '@@message@@' } : status);
  const body = json.replace(MESSAGE_SLOT, GATEWAY_MESSAGE);
  // Mapping templates are Velocity: a stray `$` or `#` in a static message would be evaluated.
  if (/[#$]/.test(body.replace(GATEWAY_MESSAGE, ''))) throw new Error(`gateway response body is not template-safe: ${body}`);
  return body;
}

const failure = (extra: Partial<Status> = {}): Omit<Status, 'message'> => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  ...extra,
});

const JSON_TYPE = 'application/json';

/** A response fully described by one of the handlers' StatusErrors (code, body, headers). */
function fromError(type: ResponseType, err: StatusError): GatewayResponseSpec {
  return { type, statusCode: String(err.code), contentType: JSON_TYPE, body: statusBody(err.status), headers: err.headers };
}

/** The gateway responses of the API, in the order they are added. */
export function gatewayResponseSpecs(): GatewayResponseSpec[] {
  const throttled = tooManyRequests('please try again later', 1);
  return [
    // Catch-alls keep API Gateway's status code and message. The code is then left out of the
    // body and clients take it from the HTTP status, as they do for any Status without one.
    { type: ResponseType.DEFAULT_4XX, contentType: JSON_TYPE, body: statusBody(failure()) },
    { type: ResponseType.DEFAULT_5XX, contentType: JSON_TYPE, body: statusBody(failure({ reason: 'InternalError' })) },
    { type: ResponseType.ACCESS_DENIED, statusCode: '403', contentType: JSON_TYPE, body: statusBody(failure({ reason: 'Forbidden', code: 403 })) },
    // API Gateway stops bodies over 10 MB; the handlers stop anything over MAX_REQUEST_BODY_BYTES.
    fromError(ResponseType.REQUEST_TOO_LARGE, requestEntityTooLarge(`limit is ${MAX_REQUEST_BODY_BYTES}`)),
    fromError(ResponseType.THROTTLED, throttled),
    fromError(ResponseType.QUOTA_EXCEEDED, throttled),
    fromError(ResponseType.INTEGRATION_TIMEOUT, timeout('request did not complete within the allowed duration', 1)),
    {
      type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      contentType: 'text/plain; charset=utf-8',
      body: '404 page not found\n',
    },
  ];
}

/** Adds every gateway response of `gatewayResponseSpecs()` to the API. */
export function addStatusGatewayResponses(api: RestApi): void {
  for (const spec of gatewayResponseSpecs()) {
    const headers: Record<string, string> = {
      'Content-Type': `'${spec.contentType}'`,
      'Cache-Control': "'no-cache, private'",
      'X-Content-Type-Options': "'nosniff'",
    };
    for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k] = `'${v}'`;
    api.addGatewayResponse(spec.type.responseType, {
      type: spec.type,
      ...(spec.statusCode ? { statusCode: spec.statusCode } : {}),
      responseHeaders: headers,
      templates: { [JSON_TYPE]: spec.body },
    });
  }
}
