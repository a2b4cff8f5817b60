/**
 * @module router
 * Matches a method and path against the route table. Used by the Lambda adapter (when API
 * Gateway did not already resolve the route) and by the local gateway.
 */
import { routes as defaultRoutes, type HttpMethod, type Route } from './routes.js';

interface Compiled {
  readonly route: Route;
  readonly re: RegExp;
  readonly names: readonly string[];
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed' }
  | { readonly kind: 'not-found' };

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(route: Route): Compiled {
  const names: string[] = [];
  const pattern = route.path
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (m) {
        names.push(m[1]!);
        return '([^/]+)';
      }
      return escape(seg);
    })
    .join('/');
  return { route, re: new RegExp(`^${pattern}/?$`), names };
}

export class Router {
  readonly #compiled: readonly Compiled[];
  readonly #byTemplate: ReadonlyMap<string, Route>;

  constructor(table: readonly Route[] = defaultRoutes) {
    this.#compiled = table.map(compile);
    this.#byTemplate = new Map(table.map((r) => [`${r.method} ${r.path}`, r]));
  }

  /** The row for an API Gateway resource template and method, if any. */
  byTemplate(method: string, template: string): Route | undefined {
    return this.#byTemplate.get(`${method} ${template}`);
  }

  /** Whether some row has this template (for 405 on a known path). */
  hasTemplate(template: string): boolean {
    return this.#compiled.some((c) => c.route.path === template);
  }

  match(method: string, path: string): RouteMatch {
    let pathKnown = false;
    for (const c of this.#compiled) {
      const m = c.re.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      let ok = true;
      c.names.forEach((n, i) => {
        try {
          params[n] = decodeURIComponent(m[i + 1]!);
        } catch {
          ok = false;
        }
      });
      if (!ok) continue;
      pathKnown = true;
      if (c.route.method === (method.toUpperCase() as HttpMethod)) return { kind: 'found', route: c.route, params };
    }
    return pathKnown ? { kind: 'method-not-allowed' } : { kind: 'not-found' };
  }
}
