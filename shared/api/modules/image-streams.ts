/**
 * @module image-streams
 * The ImageStream resource module: the pure rules of `shared/image` assembled for the
 * generic machinery.
 */
import type { ImageConfig } from '../../image/config.js';
import { IMAGE_STREAM_FIELDS } from '../../image/field-meta.js';
import {
  IMAGE_STREAM_LIST_SCHEMA,
  IMAGE_STREAM_SCHEMA,
  imageStreamParameterDescriptions,
  imageStreamSchemas,
} from '../../image/openapi-schemas.js';
import { imageStreamResource } from '../../image/resource.js';
import { imageStreamToWire } from '../../image/serialize.js';
import { imageStreamStatusStrategy } from '../../image/status-strategy.js';
import { imageStreamInternalStrategy, imageStreamStrategy } from '../../image/strategy.js';
import { imageStreamTablePrinter } from '../../image/table-printer.js';
import { imageStreamSchema, type ImageStream } from '../../image/types.js';
import { metadataFields, type ResourceModule } from '../resource-module.js';

/** Fields an ImageStream field selector may test (`status.dockerImageRepository` is the stored value). */
export const imageStreamSelectableFields = (s: ImageStream): Record<string, string> => ({
  ...metadataFields(s),
  'spec.dockerImageRepository': s.spec.dockerImageRepository ?? '',
  'status.dockerImageRepository': s.status?.dockerImageRepository ?? '',
});

export function imageStreamModule(config: ImageConfig): ResourceModule<ImageStream> {
  return {
    def: imageStreamResource,
    schema: imageStreamSchema,
    strategy: imageStreamStrategy(config),
    statusStrategy: imageStreamStatusStrategy(config),
    internalStrategy: imageStreamInternalStrategy(config),
    toWire: imageStreamToWire,
    selectableFields: imageStreamSelectableFields,
    fieldMeta: IMAGE_STREAM_FIELDS,
    table: imageStreamTablePrinter,
    bookmarkObject: (resourceVersion, annotations) => ({
      kind: imageStreamResource.kind,
      apiVersion: 'image.openshift.io/v1',
      metadata: { resourceVersion, creationTimestamp: null, ...(annotations ? { annotations } : {}) },
      spec: {},
      status: { dockerImageRepository: '' },
    }),
    openapi: {
      schemas: imageStreamSchemas(),
      objectSchema: IMAGE_STREAM_SCHEMA,
      listSchema: IMAGE_STREAM_LIST_SCHEMA,
      parameterDescriptions: imageStreamParameterDescriptions(),
    },
  };
}
