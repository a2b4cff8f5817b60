/**
 * @module resource-service
 * The generic registry: create/get/list/update/delete for any resource, as Kubernetes'
 * `genericregistry.Store` + `rest.BeforeCreate/BeforeUpdate`. Resource-agnostic steps
 * (namespace checks, system metadata, optimistic concurrency, finalizers) live here; the
 * resource's own rules come from its strategy; persistence from the Store port.
 */
import { randomUUID, randomInt } from 'node:crypto';
import { fieldErrors, type FieldError } from '../field-errors.js';
import { validateObjectMeta, validateObjectMetaUpdate, type KubeObject } from '../meta.js';
import type { FieldMeta } from '../field-meta.js';
import { updateManagedFields } from '../managed-fields.js';
import { groupKindOf, groupResourceOf, groupVersionOf, type ResourceDefinition } from '../resource.js';
import { isValidPathSegmentName } from '../validation.js';
import {
  badRequest,
  conflict,
  conflictKind,
  generateNameConflict,
  invalid,
  invalidResource,
  notFound,
  OPTIMISTIC_LOCK_MESSAGE,
} from '../status.js';
import {
  interpretStoreError,
  StoreError,
  type DeleteResult,
  type ListPage,
  type ListRequest,
  type Store,
} from './store.js';
import { accessKey, type AccessCheck, type AccessDecision, type ObjectKey, type ResourceStrategy, type StatusStrategy, type StrategyContext } from './strategy.js';
import type { UserInfo } from '../user.js';

/** Characters of generated name suffixes (no vowels, no look-alikes), as upstream. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_PREFIX = 58;
const GENERATE_NAME_ATTEMPTS = 8;

/** Answers an authorization question for a user (the Auth layer provides the real one). */
export type Authorizer = (user: UserInfo | undefined, check: AccessCheck) => Promise<AccessDecision>;

const allowAll: Authorizer = async () => ({ allowed: true });

/** A write about to be stored, for admission checks that need I/O (e.g. RBAC escalation prevention). */
export interface AdmissionRequest<T> {
  readonly operation: 'create' | 'update';
  readonly namespace: string;
  /** The object as it will be stored (defaulted, prepared, validated). */
  readonly object: T;
  readonly old?: T;
  readonly user?: UserInfo;
  readonly subresource?: string;
}

/** Refuses a write by throwing a StatusError (runs after validation, dry runs included). */
export type Admit<T> = (req: AdmissionRequest<T>) => Promise<void>;

export interface ServiceDeps<T extends KubeObject> {
  readonly def: ResourceDefinition;
  readonly strategy: ResourceStrategy<T>;
  readonly statusStrategy?: StatusStrategy<T>;
  readonly store: Store<T>;
  readonly clock?: () => Date;
  readonly newUid?: () => string;
  readonly randomSuffix?: () => string;
  readonly authorizer?: Authorizer;
  /** Field merge semantics; when given, `metadata.managedFields` are maintained (field ownership). */
  readonly fieldMeta?: FieldMeta;
  /** Admission after validation (see {@link Admit}). */
  readonly admit?: Admit<T>;
}

export interface WriteOpts {
  readonly dryRun?: boolean;
  /** The requesting user (for the strategy's access checks). */
  readonly user?: UserInfo;
  /** Who is writing (the `fieldManager` parameter or the User-Agent prefix). */
  readonly fieldManager?: string;
  /** `metadata.managedFields` were already computed by server-side apply: keep them as they are. */
  readonly appliedManagedFields?: boolean;
}

export interface Preconditions {
  readonly uid?: string;
  readonly resourceVersion?: string;
}

export interface DeleteOpts extends WriteOpts {
  readonly preconditions?: Preconditions;
}

export interface UpdateOutcome<T> {
  readonly object: T;
  /** False when nothing changed (same resourceVersion, no event). */
  readonly changed: boolean;
  readonly created: boolean;
}

export type DeleteOutcome<T> = { readonly deleted: true; readonly object: T } | { readonly deleted: false; readonly object: T };

/** RFC 3339 at second precision, as Kubernetes serializes `metav1.Time`. */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function generateSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return s;
}

const keyString = (k: ObjectKey): string => `${k.namespace}/${k.name}`;

export class ResourceService<T extends KubeObject> {
  readonly def: ResourceDefinition;
  readonly #strategy: ResourceStrategy<T>;
  readonly #statusStrategy: StatusStrategy<T> | undefined;
  readonly #store: Store<T>;
  readonly #clock: () => Date;
  readonly #newUid: () => string;
  readonly #suffix: () => string;
  readonly #authorizer: Authorizer;
  readonly #fieldMeta: FieldMeta | undefined;
  readonly #admit: Admit<T> | undefined;
  readonly #gr;
  readonly #gk;

  constructor(deps: ServiceDeps<T>) {
    this.def = deps.def;
    this.#strategy = deps.strategy;
    this.#statusStrategy = deps.statusStrategy;
    this.#store = deps.store;
    this.#clock = deps.clock ?? (() => new Date());
    this.#newUid = deps.newUid ?? randomUUID;
    this.#suffix = deps.randomSuffix ?? generateSuffix;
    this.#authorizer = deps.authorizer ?? allowAll;
    this.#fieldMeta = deps.fieldMeta;
    this.#admit = deps.admit;
    this.#gr = groupResourceOf(deps.def);
    this.#gk = groupKindOf(deps.def);
  }

  #fail(err: unknown, name: string, operation: string): never {
    throw interpretStoreError(this.#gr, err, name, operation);
  }

  async #context(
    namespace: string,
    obj: T,
    old: T | undefined,
    strategy: Pick<ResourceStrategy<T>, 'references' | 'accessChecks'>,
    user: UserInfo | undefined,
  ): Promise<StrategyContext> {
    const referenced = new Map<string, KubeObject>();
    const access = new Map<string, AccessDecision>();
    const keys = strategy.references?.(obj, old, namespace) ?? [];
    const checks = strategy.accessChecks?.(obj, old, namespace) ?? [];
    await Promise.all([
      ...keys.map(async (k) => {
        try {
          referenced.set(keyString(k), await this.#store.get(k));
        } catch (e) {
          if (!(e instanceof StoreError && e.code === 'KeyNotFound')) throw e;
        }
      }),
      ...checks.map(async (c) => {
        access.set(accessKey(c), await this.#authorizer(user, c));
      }),
    ]);
    return { now: rfc3339(this.#clock()), namespace, referenced, access, ...(user ? { user } : {}) };
  }

  /** The strategy's canonical form of a decoded object (defaults, ordering). */
  normalize(obj: T): T {
    return this.#strategy.normalize(obj);
  }

  /**
   * Field ownership of a non-apply write: the fields this write set or changed go to its
   * manager's `Update` entry (server-side apply has computed its own).
   */
  #recordManagedFields(old: T | undefined, next: T, opts: WriteOpts & { subresource?: string }): T {
    const entries = next.metadata.managedFields;
    if (this.#fieldMeta === undefined || opts.appliedManagedFields) {
      if (entries === undefined || entries.length > 0) return next;
      const { managedFields: _drop, ...meta } = next.metadata;
      return { ...next, metadata: meta };
    }
    const managed = updateManagedFields({
      old,
      next,
      manager: opts.fieldManager ?? '',
      apiVersion: groupVersionOf(this.def),
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
      now: this.#clock(),
      meta: this.#fieldMeta,
      ignore: opts.subresource === 'status' ? ['spec'] : ['status'],
    });
    const { managedFields: _old, ...meta } = next.metadata;
    return { ...next, metadata: managed.length > 0 ? { ...meta, managedFields: managed } : meta };
  }

  /** The current resourceVersion of the resource type (the store's revision). */
  async currentResourceVersion(): Promise<string> {
    try {
      return await this.#store.currentResourceVersion();
    } catch (e) {
      this.#fail(e, '', 'get');
    }
  }

  /** Computed fields for a read (GET, LIST and WATCH share it). */
  decorate(obj: T): T {
    return this.#strategy.decorate ? this.#strategy.decorate(obj) : obj;
  }

  #decorate(obj: T): T {
    return this.decorate(obj);
  }

  /** POST: `rest.BeforeCreate`, then the store; generateName retried on collisions. */
  async create(namespace: string, input: T, opts: WriteOpts = {}): Promise<{ object: T; warnings: string[] }> {
    const meta = input.metadata;
    if (meta.namespace && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    let obj = this.#strategy.normalize(input);
    const now = this.#clock();
    obj = {
      ...obj,
      metadata: {
        ...obj.metadata,
        namespace: this.def.namespaced ? namespace : undefined,
        uid: this.#newUid(),
        creationTimestamp: rfc3339(now),
        deletionTimestamp: undefined,
        deletionGracePeriodSeconds: undefined,
        resourceVersion: undefined,
      },
    };
    obj = this.#recordManagedFields(undefined, obj, opts);
    // The name is generated first so the type's rules see it (tag resolution rewrites
    // references to the new stream); a collision re-runs the rules with a new name.
    const generate = !obj.metadata.name && !!obj.metadata.generateName;
    for (let attempt = 1; ; attempt++) {
      const named: T = generate
        ? { ...obj, metadata: { ...obj.metadata, name: obj.metadata.generateName!.slice(0, MAX_GENERATED_PREFIX) + this.#suffix() } }
        : obj;
      const ctx = await this.#context(namespace, named, undefined, this.#strategy, opts.user);
      const candidate = this.#strategy.prepareForCreate(ctx, named);
      // Type rules first; the generic metadata rules only when those pass (as upstream), so
      // the more specific messages win.
      let errs: FieldError[] = this.#strategy.validate(ctx, candidate);
      if (errs.length === 0) errs = validateObjectMeta(candidate.metadata, this.def.namespaced, isValidPathSegmentName);
      if (errs.length > 0) throw invalid(this.#gk, candidate.metadata.name ?? '', errs);
      await this.#admit?.({ operation: 'create', namespace, object: candidate, ...(opts.user ? { user: opts.user } : {}) });
      const warnings = this.#strategy.warningsOnCreate?.(ctx, candidate) ?? [];
      const key = { namespace, name: candidate.metadata.name ?? '' };
      try {
        const stored = await this.#store.create(key, candidate, { dryRun: opts.dryRun });
        return { object: this.#decorate(stored), warnings };
      } catch (e) {
        if (generate && e instanceof StoreError && e.code === 'KeyExists') {
          if (attempt >= GENERATE_NAME_ATTEMPTS) throw generateNameConflict(this.#gr, key.name, 1);
          continue;
        }
        this.#fail(e, key.name, 'create');
      }
    }
  }

  /** Reads one object; subresource reads return the stored object (no computed fields), as upstream's status stores. */
  async get(namespace: string, name: string, subresource?: string): Promise<T> {
    try {
      const obj = await this.#store.get({ namespace, name });
      return subresource === undefined ? this.#decorate(obj) : obj;
    } catch (e) {
      this.#fail(e, name, 'get');
    }
  }

  /**
   * The objects of a namespace (or all) and a revision a watch can start from: the resource
   * type's revision read before the list, or the list's own when newer. Both are safe (every
   * revision from a namespace list's own to the counter describes the same items), and the
   * counter keeps the watch near the head of the log, however long the namespace was quiet.
   */
  async snapshot(namespace: string | undefined): Promise<{ items: T[]; revision: number }> {
    const before = Number(await this.currentResourceVersion());
    const page = await this.list(namespace === undefined ? {} : { namespace });
    return { items: page.items, revision: Math.max(before, Number(page.resourceVersion)) };
  }

  async list(req: ListRequest<T>): Promise<ListPage<T>> {
    try {
      const page = await this.#store.list(req);
      return { ...page, items: page.items.map((o) => this.#decorate(o)) };
    } catch (e) {
      this.#fail(e, '', 'list');
    }
  }

  /**
   * PUT (main resource or a subresource): `rest.BeforeUpdate` inside the store's
   * read-modify-write. `input` is the object the client sent, already decoded.
   */
  async update(namespace: string, name: string, input: T, opts: WriteOpts & { subresource?: string } = {}): Promise<UpdateOutcome<T>> {
    this.#checkName(input, namespace, name);
    const normalized = this.#strategy.normalize(input);
    return this.updateWith(namespace, name, () => normalized, { ...opts, requireResourceVersion: true });
  }

  /**
   * Read-modify-write: `compute(current)` returns the desired object (a PUT body, or the
   * current object with a patch applied). Runs again if the object changed meanwhile.
   */
  async updateWith(
    namespace: string,
    name: string,
    compute: (current: T) => T,
    opts: WriteOpts & { subresource?: string; requireResourceVersion?: boolean } = {},
  ): Promise<UpdateOutcome<T>> {
    const strategy = opts.subresource === 'status' ? this.#statusStrategy : undefined;
    const update = strategy ?? this.#strategy;
    const allowUnconditional = strategy ? strategy.allowUnconditionalUpdate : this.#strategy.allowUnconditionalUpdate;
    const key = { namespace, name };
    let finalized = false;
    try {
      const result = await this.#store.guaranteedUpdate(
        key,
        async (current) => {
          const desired = compute(current);
          this.#checkName(desired, namespace, name);
          const rv = desired.metadata.resourceVersion;
          if (!rv) {
            if (opts.requireResourceVersion && !allowUnconditional) {
              throw invalidResource(this.#gr, name, [
                fieldErrors.invalid('metadata.resourceVersion', { goLiteral: '0x0' }, 'must be specified for an update'),
              ]);
            }
          } else if (rv !== current.metadata.resourceVersion) {
            throw conflict(this.#gr, name, OPTIMISTIC_LOCK_MESSAGE);
          }
          let obj: T = {
            ...desired,
            metadata: {
              ...desired.metadata,
              namespace: this.def.namespaced ? namespace : undefined,
              uid: desired.metadata.uid || current.metadata.uid,
              creationTimestamp: current.metadata.creationTimestamp,
              deletionTimestamp: current.metadata.deletionTimestamp,
              deletionGracePeriodSeconds: current.metadata.deletionGracePeriodSeconds,
              generation: current.metadata.generation,
              resourceVersion: current.metadata.resourceVersion,
            },
          };
          obj = this.#recordManagedFields(current, obj, opts);
          const ctx = await this.#context(namespace, obj, current, update, opts.user);
          obj = update.prepareForUpdate(ctx, obj, current);
          const errs = [
            ...validateObjectMetaUpdate(obj.metadata, current.metadata),
            ...update.validateUpdate(ctx, obj, current),
          ];
          if (errs.length > 0) throw invalid(this.#gk, name, errs);
          await this.#admit?.({
            operation: 'update',
            namespace,
            object: obj,
            old: current,
            ...(opts.user ? { user: opts.user } : {}),
            ...(opts.subresource ? { subresource: opts.subresource } : {}),
          });
          finalized = obj.metadata.deletionTimestamp !== undefined && (obj.metadata.finalizers ?? []).length === 0;
          return obj;
        },
        { dryRun: opts.dryRun },
      );
      if (finalized && result.changed) {
        const rv = result.object.metadata.resourceVersion;
        const deleted = await this.#store.delete(
          key,
          (cur) => {
            if (cur.metadata.resourceVersion !== rv) throw new StoreError('ResourceVersionConflict', 'changed', key);
            return { action: 'delete' };
          },
          { dryRun: opts.dryRun },
        );
        return { object: this.#decorate(deleted.object), changed: true, created: false };
      }
      const object = opts.subresource === undefined ? this.#decorate(result.object) : result.object;
      return { object, changed: result.changed, created: false };
    } catch (e) {
      if (e instanceof StoreError && e.code === 'KeyNotFound') throw notFound(this.#gr, name);
      this.#fail(e, name, 'update');
    }
  }

  #checkName(obj: T, namespace: string, name: string): void {
    const objName = obj.metadata.name ?? '';
    if (objName !== name) {
      throw badRequest(`the name of the object (${objName}) does not match the name on the URL (${name})`);
    }
    const objNs = obj.metadata.namespace;
    if (this.def.namespaced && objNs && objNs !== namespace) {
      throw badRequest(`the namespace of the object (${objNs}) does not match the namespace on the request (${namespace})`);
    }
  }

  /** DELETE one object: preconditions, then removal (or a pending deletion when finalizers exist). */
  async delete(namespace: string, name: string, opts: DeleteOpts = {}): Promise<DeleteOutcome<T>> {
    const now = rfc3339(this.#clock());
    let result: DeleteResult<T>;
    try {
      result = await this.#store.delete(
        { namespace, name },
        (current) => {
          const pre = opts.preconditions;
          if (pre?.uid !== undefined && pre.uid !== current.metadata.uid) {
            throw conflictKind(
              this.#gk,
              name,
              `the UID in the precondition (${pre.uid}) does not match the UID in record (${current.metadata.uid ?? ''}). The object might have been deleted and then recreated`,
            );
          }
          if (pre?.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
            throw conflictKind(
              this.#gk,
              name,
              `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion ?? ''}). The object might have been modified`,
            );
          }
          if ((current.metadata.finalizers ?? []).length === 0) return { action: 'delete' };
          if (current.metadata.deletionTimestamp !== undefined) return { action: 'update', object: current };
          return {
            action: 'update',
            object: {
              ...current,
              metadata: {
                ...current.metadata,
                deletionTimestamp: now,
                deletionGracePeriodSeconds: 0,
                generation: (current.metadata.generation ?? 0) + 1,
              },
            },
          };
        },
        { dryRun: opts.dryRun },
      );
    } catch (e) {
      this.#fail(e, name, 'delete');
    }
    return { deleted: result.deleted, object: this.#decorate(result.object) } as DeleteOutcome<T>;
  }
}
