/**
 * @module rest-routes
 * Turns the route table (`shared/api/routes.ts`) into API Gateway resources and methods:
 *
 * - one resource per distinct path (`{namespace}` / `{name}` become path parameters);
 * - one method per row, integrated (Lambda proxy) with the function of the row's family;
 * - a family with streaming rows (`streaming: true`: list and watch) has a response-streaming
 *   handler, so every method integrated with it uses `ResponseTransferMode.STREAM`
 *   (InvokeWithResponseStream) and a 15-minute integration timeout;
 * - an `ANY` method on every route path, so an unknown method still reaches the family's
 *   function, which answers 405 as a Kubernetes Status;
 * - `ANY /` and `ANY /{proxy+}` to the catch-all family, which answers `404 page not found`.
 *
 * No route is written here: a new row in the table is a new method after the next deploy.
 */
import { Duration } from 'aws-cdk-lib';
import { LambdaIntegration, ResponseTransferMode, type IResource, type Method, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { routePaths, type Route, type RouteFamily } from '../../shared/api/routes.js';

/** API Gateway's longest streamed response (and the longest integration timeout for one). */
export const STREAM_TIMEOUT = Duration.minutes(15);

/** The catch-all resource the Lambda adapter recognises (`CATCH_ALL_RESOURCE`). */
export const PROXY_PATH_PART = '{proxy+}';

export interface RestRoutesProps {
  readonly api: RestApi;
  readonly routes: readonly Route[];
  readonly handlers: Readonly<Record<RouteFamily, IFunction>>;
  /** Family answering `/` and unknown paths. */
  readonly catchAllFamily: RouteFamily;
  /** Integration timeout of streaming rows (default 15 min). */
  readonly streamTimeout?: Duration;
}

/** One method created from the table (or for the catch-all), for callers and tests. */
export interface RouteMethod {
  readonly path: string;
  readonly httpMethod: string;
  readonly family: RouteFamily;
  /** Integrated with ResponseTransferMode.STREAM. */
  readonly streaming: boolean;
  readonly method: Method;
}

/**
 * Families whose functions stream their responses. A function either streams (it is wrapped
 * with `awslambda.streamifyResponse`) or it does not, so a family mixing streaming and
 * buffered rows is a mistake in the table.
 */
export function streamingFamilies(routes: readonly Route[]): Set<RouteFamily> {
  const streaming = new Set<RouteFamily>();
  const buffered = new Set<RouteFamily>();
  for (const r of routes) (r.kind === 'resource' && r.streaming === true ? streaming : buffered).add(r.family);
  const mixed = [...streaming].filter((f) => buffered.has(f));
  if (mixed.length > 0) throw new Error(`route table: family ${mixed.join(', ')} has both streaming and buffered rows`);
  return streaming;
}

export class RestRoutes extends Construct {
  readonly methods: readonly RouteMethod[];
  readonly streamingFamilies: ReadonlySet<RouteFamily>;
  readonly #integrations = new Map<RouteFamily, LambdaIntegration>();
  readonly #props: RestRoutesProps;

  constructor(scope: Construct, id: string, props: RestRoutesProps) {
    super(scope, id);
    this.#props = props;
    this.streamingFamilies = streamingFamilies(props.routes);
    const methods: RouteMethod[] = [];
    const add = (resource: IResource, path: string, httpMethod: string, family: RouteFamily): void => {
      const method = resource.addMethod(httpMethod, this.#integration(family));
      methods.push({ path, httpMethod, family, streaming: this.streamingFamilies.has(family), method });
    };

    for (const path of routePaths(props.routes)) {
      const rows = props.routes.filter((r) => r.path === path);
      const first = rows[0];
      if (!first) continue;
      const resource = props.api.root.resourceForPath(path);
      const seen = new Set<string>();
      for (const row of rows) {
        if (seen.has(row.method)) throw new Error(`route table: ${row.method} ${path} appears twice`);
        seen.add(row.method);
        add(resource, path, row.method, row.family);
      }
      // Prefer a buffered family for the 405 answer; any family gives the same Status.
      const anyFamily = rows.find((r) => !this.streamingFamilies.has(r.family))?.family ?? first.family;
      add(resource, path, 'ANY', anyFamily);
    }

    add(props.api.root, '/', 'ANY', props.catchAllFamily);
    add(props.api.root.addResource(PROXY_PATH_PART), `/${PROXY_PATH_PART}`, 'ANY', props.catchAllFamily);
    this.methods = methods;
  }

  /**
   * One integration per family. Permissions are scoped to the API rather than to each method:
   * one `lambda:InvokeFunction` grant per function instead of two per method, which keeps the
   * functions' resource policies far below their 20 KB limit.
   */
  #integration(family: RouteFamily): LambdaIntegration {
    let integration = this.#integrations.get(family);
    if (!integration) {
      const streaming = this.streamingFamilies.has(family);
      integration = new LambdaIntegration(this.#props.handlers[family], {
        proxy: true,
        scopePermissionToMethod: false,
        ...(streaming
          ? { responseTransferMode: ResponseTransferMode.STREAM, timeout: this.#props.streamTimeout ?? STREAM_TIMEOUT }
          : {}),
      });
      this.#integrations.set(family, integration);
    }
    return integration;
  }
}
