import { UpstreamUnavailable } from '../src/errors.js';

/** The source answered, but not in the shape we know: name the source and the field. */
export class UpstreamShapeError extends UpstreamUnavailable {
  constructor(source: string, field: string, detail: string) {
    super(source, `${source}: unexpected response shape at ${field || '(root)'}: ${detail}`, 'upstream_shape_changed');
  }
}

export { UpstreamUnavailable };
