/**
 * @module image-stream-lookups
 * `POST /apis/imagestreams.internal/v1/namespaces/{ns}/imagestreamlookups`: the
 * `lookupPolicy.local` resolution of one image reference in a namespace (semantics §9), as
 * OpenShift's image policy would rewrite it in a pod of that namespace. The one stream the
 * reference names is read with the server's credentials, as the admission plugin does.
 */
import { decodeBody } from '../../apimachinery/decode.js';
import { fieldErrors, FieldPath } from '../../apimachinery/field-errors.js';
import { canonicalMeta } from '../../apimachinery/meta.js';
import { parseWriteOptions } from '../../apimachinery/options.js';
import { badRequest, invalid, methodNotSupported } from '../../apimachinery/status.js';
import {
  EXTENSIONS_GROUP,
  imageStreamLookupResource,
  imageStreamLookupSchema,
  imageStreamLookupToWire,
  type ImageStreamLookup,
  type ImageStreamLookupSpec,
} from '../../image/extensions.js';
import { localLookupTarget, resolveLocalImageReference } from '../../image/lookup-resolution.js';
import { IMAGE_STREAM_LOOKUP_SCHEMA, imageStreamLookupSchemas } from '../../image/view-openapi-schemas.js';
import type { VirtualModule } from '../resource-module.js';
import { findStream, respondObject, viewRequest, type Presenter, type StreamServices } from './view-support.js';

const presenter: Presenter<ImageStreamLookup> = { def: imageStreamLookupResource, toWire: imageStreamLookupToWire };

export function imageStreamLookupsModule(deps: { readonly streams: StreamServices }): VirtualModule {
  const gk = { group: EXTENSIONS_GROUP, kind: imageStreamLookupResource.kind };
  return {
    def: imageStreamLookupResource,
    async handle(route, req) {
      const c = viewRequest(route, req, { table: false });
      if (route.verb !== 'create') throw methodNotSupported({ group: EXTENSIONS_GROUP, resource: imageStreamLookupResource.plural }, route.verb);
      const opts = parseWriteOptions('CreateOptions', req.query);
      const decoded = decodeBody(imageStreamLookupResource, imageStreamLookupSchema, {
        body: req.body,
        contentType: req.headers['content-type'],
        fieldValidation: opts.fieldValidation,
      });
      const input = decoded.object as { metadata?: ImageStreamLookup['metadata']; spec?: ImageStreamLookupSpec };
      const metadata = canonicalMeta(input.metadata ?? {});
      if (metadata.namespace && metadata.namespace !== c.namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      const spec = input.spec ?? {};
      const image = spec.image ?? '';
      if (image === '') throw invalid(gk, metadata.name ?? '', [fieldErrors.required(FieldPath.root('spec').child('image'))]);
      const lookup = { resolveNames: spec.resolveNames === true };
      const target = localLookupTarget(image, lookup);
      const stream = target === undefined ? undefined : await findStream(deps.streams, c.namespace, target.stream);
      const status = resolveLocalImageReference(image, stream, lookup);
      return respondObject(c, presenter, 201, { metadata: canonicalMeta({ ...metadata, namespace: c.namespace }), spec, status }, decoded.warnings);
    },
    openapi: {
      get schemas() {
        return imageStreamLookupSchemas();
      },
      objectSchema: IMAGE_STREAM_LOOKUP_SCHEMA,
      listSchema: IMAGE_STREAM_LOOKUP_SCHEMA,
    },
  };
}
