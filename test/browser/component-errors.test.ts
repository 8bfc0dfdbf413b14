// The components' one classification of failures: by the error's class (or, for an error from
// another copy of the library, its name), never by its message.
import { errorKind, ElementError } from '../../components/shared/errors.js';
import { ImageTooLargeError, ShapeError, UnsupportedModelError, WebGPUUnavailableError, WeightsError } from '../../src/index.js';
import { assertEqual } from '../util/assert.js';

describe('components: errorKind', () => {
  it('reads the kind from the class, whatever the message says', () => {
    assertEqual(errorKind(new WebGPUUnavailableError('bad image: model')), 'no-webgpu');
    assertEqual(errorKind(new WeightsError('no such file')), 'model-load');
    assertEqual(errorKind(new UnsupportedModelError('op Foo')), 'model-load');
    assertEqual(errorKind(new ImageTooLargeError(9e4, 9e4, 'too large')), 'bad-image');
    assertEqual(errorKind(new ElementError('no-face', 'webgpu model')), 'no-face');
    assertEqual(errorKind(new DOMException('stop', 'AbortError')), 'aborted');
    assertEqual(errorKind(new Error('bad image: model could not be fetched')), 'other', 'a plain Error is not read by its words');
  });

  it('a ShapeError is the image\'s fault only while an image is read; unknown errors while loading models are model-load', () => {
    assertEqual(errorKind(new ShapeError('x'), 'reading an image'), 'bad-image');
    assertEqual(errorKind(new ShapeError('x')), 'other');
    assertEqual(errorKind(new TypeError('Failed to fetch'), 'loading models'), 'model-load');
    assertEqual(errorKind(new TypeError('Failed to fetch'), 'reading an image'), 'other');
  });

  it('knows the errors of another copy of the library by their name', () => {
    const foreign = Object.assign(new Error('no adapter'), { name: 'WebGPUUnavailableError' });
    assertEqual(errorKind(foreign), 'no-webgpu');
    assertEqual(errorKind(Object.assign(new Error('shard'), { name: 'WeightsError' })), 'model-load');
  });
});
