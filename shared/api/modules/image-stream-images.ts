/**
 * @module image-stream-images
 * `imagestreamimages` (`isimage`), get only: an image of a stream's status history by
 * `<stream>@<digest or prefix>` (semantics §6.4). 404 for the stream, then for the image.
 */
import { methodNotSupported } from '../../apimachinery/status.js';
import { imageStreamImageOf, parseImageStreamImageName } from '../../image/image-stream-image.js';
import { imageStreamImageToWire, type ImageStreamImage } from '../../image/istag-types.js';
import { imageStreamImageResource, IMAGE_GROUP } from '../../image/resource.js';
import { checkStreamName } from '../../image/image-stream-tag.js';
import { imageStreamImageTablePrinter } from '../../image/view-table-printers.js';
import { IMAGE_STREAM_IMAGE_SCHEMA, imageStreamImageSchemas } from '../../image/view-openapi-schemas.js';
import type { VirtualModule } from '../resource-module.js';
import { respondObject, viewRequest, type Presenter, type StreamServices } from './view-support.js';

const presenter: Presenter<ImageStreamImage> = {
  def: imageStreamImageResource,
  toWire: imageStreamImageToWire,
  table: imageStreamImageTablePrinter,
};

export function imageStreamImagesModule(deps: { readonly streams: StreamServices; readonly clock?: () => Date }): VirtualModule {
  return {
    def: imageStreamImageResource,
    async handle(route, req) {
      const c = viewRequest(route, req, { table: true, ...(deps.clock ? { clock: deps.clock } : {}) });
      if (route.verb !== 'get') throw methodNotSupported({ group: IMAGE_GROUP, resource: imageStreamImageResource.plural }, route.verb);
      const { stream } = parseImageStreamImageName(c.name);
      checkStreamName(stream);
      const s = await deps.streams.main().get(c.namespace, stream);
      return respondObject(c, presenter, 200, imageStreamImageOf(s, c.name));
    },
    openapi: {
      get schemas() {
        return imageStreamImageSchemas();
      },
      objectSchema: IMAGE_STREAM_IMAGE_SCHEMA,
      // Upstream has no list kind for this get-only resource; nothing references one.
      listSchema: IMAGE_STREAM_IMAGE_SCHEMA,
      parameterDescriptions: { name: 'name of the ImageStreamImage' },
    },
  };
}
