/**
 * @module strategy
 * The per-resource rules a generic registry calls, split by verb as Kubernetes'
 * `RESTCreateStrategy` / `RESTUpdateStrategy`. Every function is pure: whatever it needs
 * (time, ids, configuration, objects it refers to) arrives in the context.
 */
import type { FieldError } from '../field-errors.js';
import type { KubeObject } from '../meta.js';
import type { UserInfo } from '../user.js';

/** An authorization question a strategy needs answered for the requesting user. */
export interface AccessCheck {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace: string;
  readonly name: string;
}

export interface AccessDecision {
  readonly allowed: boolean;
  readonly reason?: string;
  readonly evaluationError?: string;
}

export const accessKey = (c: AccessCheck): string =>
  `${c.verb} ${c.group}/${c.resource}${c.subresource ? `/${c.subresource}` : ''} ${c.namespace}/${c.name}`;

export interface StrategyContext {
  /** Request time, RFC 3339 with second precision (`2026-11-26T21:08:37Z`). */
  readonly now: string;
  /** Namespace from the URL. */
  readonly namespace: string;
  /** Objects the strategy asked for through `references`, keyed `namespace/name`; absent ones are missing. */
  readonly referenced: ReadonlyMap<string, KubeObject>;
  /** Answers to the strategy's `accessChecks`, keyed by `accessKey`. */
  readonly access: ReadonlyMap<string, AccessDecision>;
  /** The requesting user, when authenticated. */
  readonly user?: UserInfo;
}

export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

export interface ResourceStrategy<T extends KubeObject> {
  readonly namespaced: boolean;
  /** PUT to a missing object creates it. */
  readonly allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion is accepted. */
  readonly allowUnconditionalUpdate: boolean;
  /** Normalizes a decoded body into the canonical typed object (defaulting, ordering). */
  normalize(input: T): T;
  /** Create: may change the object (reset status, set generation). */
  prepareForCreate(ctx: StrategyContext, obj: T): T;
  /** Create: type-specific validation including `metadata` name rules; must not change the object. */
  validate(ctx: StrategyContext, obj: T): FieldError[];
  /** Update: may change `obj` using `old` (copy status, bump generation). */
  prepareForUpdate(ctx: StrategyContext, obj: T, old: T): T;
  validateUpdate(ctx: StrategyContext, obj: T, old: T): FieldError[];
  /** Other objects the rules need (looked up before prepare/validate). */
  references?(obj: T, old: T | undefined, namespace: string): ObjectKey[];
  /** Authorization questions the rules need answered for the user (e.g. cross-namespace tags). */
  accessChecks?(obj: T, old: T | undefined, namespace: string): AccessCheck[];
  /** Computed fields added on every read (GET, LIST, WATCH, write responses). */
  decorate?(obj: T): T;
  warningsOnCreate?(ctx: StrategyContext, obj: T): string[];
  warningsOnUpdate?(ctx: StrategyContext, obj: T, old: T): string[];
}

/** The status subresource strategy: same shape, its own update rules. */
export type StatusStrategy<T extends KubeObject> = Pick<
  ResourceStrategy<T>,
  'prepareForUpdate' | 'validateUpdate' | 'allowUnconditionalUpdate' | 'references' | 'accessChecks' | 'warningsOnUpdate'
>;
