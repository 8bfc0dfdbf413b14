// What the demo site serves: the built page, the components bundle, and face-api's pretrained
// models from its npm package (served from the same origin: nothing is fetched from elsewhere).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export const demoMounts = {
  '/': 'build/demo',
  '/components/': 'build/components',
  '/models/': join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model'),
};
