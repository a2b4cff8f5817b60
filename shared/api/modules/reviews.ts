/**
 * @module reviews
 * The review resources as virtual modules (create-only, nothing stored, answered 201 with the
 * request's spec and the computed status, as upstream): SelfSubjectAccessReview,
 * SelfSubjectRulesReview, SubjectAccessReview, LocalSubjectAccessReview (authorization.k8s.io)
 * and SelfSubjectReview (authentication.k8s.io). Creating them is itself authorized by the
 * serve path (`system:basic-user` grants the self reviews to every authenticated user).
 */
import type * as core from 'zod/v4/core';
import { decodeBody } from '../../apimachinery/decode.js';
import { isProtobufContentType } from '../../apimachinery/protobuf-decode.js';
import { fieldErrors } from '../../apimachinery/field-errors.js';
import { negotiateOutput } from '../../apimachinery/negotiation.js';
import { parseWriteOptions } from '../../apimachinery/options.js';
import { groupKindOf, groupVersionOf, type ResourceDefinition } from '../../apimachinery/resource.js';
import { badRequest, invalid } from '../../apimachinery/status.js';
import type { UserInfo } from '../../apimachinery/user.js';
import { ANONYMOUS, type Authorization } from '../../auth/authorizer.js';
import { reviewSchemaName, reviewSchemas } from '../../auth/review-openapi.js';
import { accessReviewFromProtobuf, rulesReviewFromProtobuf, selfSubjectReviewFromProtobuf } from '../../auth/review-protobuf.js';
import {
  accessReviewStatus,
  localSubjectAccessReviewResource,
  nonResourceLiteral,
  rulesReviewStatus,
  selfSubjectAccessReviewResource,
  selfSubjectAccessReviewSchema,
  selfSubjectReviewResource,
  selfSubjectReviewSchema,
  selfSubjectRulesReviewResource,
  selfSubjectRulesReviewSchema,
  subjectAccessReviewResource,
  subjectAccessReviewSchema,
  userInfoStatus,
  validateAttributes,
  validateEmptyMetadata,
  validateSubjectAccessReviewSpec,
  type AccessReview,
} from '../../auth/reviews.js';
import type { ApiRequest, ApiResponse } from '../http.js';
import { formattedResponse } from '../render.js';
import type { VirtualModule } from '../resource-module.js';
import type { ResourceRoute } from '../routes.js';

interface Decoded<T> {
  readonly object: T;
  readonly warnings: string[];
}

/** Decodes a review body (JSON, YAML, or the protobuf kubectl's typed clients send). */
function decode<T>(def: ResourceDefinition, schema: core.$ZodType, req: ApiRequest, fromProtobuf: (body: Uint8Array) => unknown): Decoded<T> {
  const opts = parseWriteOptions('CreateOptions', req.query);
  let body = req.body;
  let contentType = req.headers['content-type'];
  if (isProtobufContentType(contentType)) {
    try {
      body = Buffer.from(JSON.stringify(fromProtobuf(req.body ?? Buffer.alloc(0))));
    } catch (e) {
      throw badRequest(`the object provided is unrecognized (must be of type ${def.kind}): ${e instanceof Error ? e.message : String(e)}`);
    }
    contentType = 'application/json';
  }
  const decoded = decodeBody(def, schema as never, { body, contentType, fieldValidation: opts.fieldValidation });
  const object = decoded.object as T & { metadata?: object };
  return { object: { ...object, metadata: object.metadata ?? {} } as T, warnings: decoded.warnings };
}

function created(def: ResourceDefinition, req: ApiRequest, body: Record<string, unknown>, warnings: readonly string[]): ApiResponse {
  const format = negotiateOutput(req.headers['accept'], { table: false });
  const wire = { kind: def.kind, apiVersion: groupVersionOf(def), metadata: { creationTimestamp: null }, ...body };
  return formattedResponse(format.kind === 'table' ? { kind: 'json' } : format, 201, wire, { warnings });
}

const userOf = (req: ApiRequest): UserInfo => req.user ?? ANONYMOUS;

/** The spec as echoed back: attributes without unset members. */
const specOf = (r: AccessReview): Record<string, unknown> => ({ ...(r.spec ?? {}) });

export function selfSubjectAccessReviewModule(authz: Authorization): VirtualModule {
  const def = selfSubjectAccessReviewResource;
  return {
    def,
    openapi: reviewOpenApi(def.kind),
    async handle(_route: ResourceRoute, req: ApiRequest) {
      const { object, warnings } = decode<AccessReview>(def, selfSubjectAccessReviewSchema, req, (b) => accessReviewFromProtobuf(b, false));
      const errs = [...validateAttributes(object.spec), ...validateEmptyMetadata(object.metadata)];
      if (errs.length > 0) throw invalid(groupKindOf(def), '', errs);
      const status = await accessReviewStatus(authz, userOf(req), object.spec ?? {});
      return created(def, req, { spec: specOf(object), status }, warnings);
    },
  };
}

export function subjectAccessReviewModule(authz: Authorization): VirtualModule {
  const def = subjectAccessReviewResource;
  return {
    def,
    openapi: reviewOpenApi(def.kind),
    async handle(_route: ResourceRoute, req: ApiRequest) {
      const { object, warnings } = decode<AccessReview>(def, subjectAccessReviewSchema, req, (b) => accessReviewFromProtobuf(b, true));
      const errs = [...validateSubjectAccessReviewSpec(object.spec), ...validateEmptyMetadata(object.metadata)];
      if (errs.length > 0) throw invalid(groupKindOf(def), '', errs);
      const spec = object.spec ?? {};
      const subject: UserInfo = { name: spec.user ?? '', ...(spec.uid ? { uid: spec.uid } : {}), groups: spec.groups ?? [] };
      const status = await accessReviewStatus(authz, subject, spec);
      return created(def, req, { spec: specOf(object), status }, warnings);
    },
  };
}

export function localSubjectAccessReviewModule(authz: Authorization): VirtualModule {
  const def = localSubjectAccessReviewResource;
  return {
    def,
    openapi: reviewOpenApi(def.kind),
    async handle(_route: ResourceRoute, req: ApiRequest) {
      const namespace = req.params['namespace'] ?? '';
      const { object, warnings } = decode<AccessReview>(def, subjectAccessReviewSchema, req, (b) => accessReviewFromProtobuf(b, true));
      const errs = [...validateSubjectAccessReviewSpec(object.spec), ...validateEmptyMetadata(object.metadata, true)];
      if (object.spec?.nonResourceAttributes !== undefined) {
        errs.push(fieldErrors.invalid('spec.nonResourceAttributes', nonResourceLiteral(object.spec.nonResourceAttributes), 'disallowed on this kind of request'));
      }
      if (errs.length > 0) throw invalid(groupKindOf(def), '', errs);
      const spec = object.spec ?? {};
      const attrs = spec.resourceAttributes ?? {};
      if ((object.metadata.namespace ?? namespace) !== namespace || (attrs.namespace ?? namespace) !== namespace) {
        throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
      }
      const subject: UserInfo = { name: spec.user ?? '', ...(spec.uid ? { uid: spec.uid } : {}), groups: spec.groups ?? [] };
      const status = await accessReviewStatus(authz, subject, { ...spec, resourceAttributes: { ...attrs, namespace } });
      return created(def, req, { metadata: { namespace, creationTimestamp: null }, spec: specOf(object), status }, warnings);
    },
  };
}

export function selfSubjectRulesReviewModule(authz: Authorization): VirtualModule {
  const def = selfSubjectRulesReviewResource;
  return {
    def,
    openapi: reviewOpenApi(def.kind),
    async handle(_route: ResourceRoute, req: ApiRequest) {
      const { object, warnings } = decode<AccessReview & { spec?: { namespace?: string } }>(def, selfSubjectRulesReviewSchema, req, rulesReviewFromProtobuf);
      const namespace = (object.spec as { namespace?: string } | undefined)?.namespace ?? '';
      const status = await rulesReviewStatus(authz, userOf(req), namespace);
      return created(def, req, { spec: { ...(namespace ? { namespace } : {}) }, status }, warnings);
    },
  };
}

export function selfSubjectReviewModule(): VirtualModule {
  const def = selfSubjectReviewResource;
  return {
    def,
    openapi: reviewOpenApi(def.kind),
    async handle(_route: ResourceRoute, req: ApiRequest) {
      const { warnings } = decode<AccessReview>(def, selfSubjectReviewSchema, req, selfSubjectReviewFromProtobuf);
      return created(def, req, { status: userInfoStatus(userOf(req)) }, warnings);
    },
  };
}

const reviewOpenApi = (kind: string) => ({ schemas: reviewSchemas(), objectSchema: reviewSchemaName(kind), listSchema: reviewSchemaName(kind) });

/** Every review module, for `virtualModules`. */
export function reviewModules(authz: Authorization): VirtualModule[] {
  return [
    selfSubjectAccessReviewModule(authz),
    selfSubjectRulesReviewModule(authz),
    subjectAccessReviewModule(authz),
    localSubjectAccessReviewModule(authz),
    selfSubjectReviewModule(),
  ];
}
