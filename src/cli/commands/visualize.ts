/** `wgsl-vision visualize --images DIR -o OUT_DIR`: what the network learns (top patches, activation maximisation). */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkUnits, encodePNG, loadVisualNetwork, maximizeActivation, prepareImages, renderGrid, stretchContrast, topPatches, VISUAL_NETWORKS,
  type RGBAImage, type VisualNetwork,
} from '../../node.js';
import { choiceOption, numberOption, stringOption, type Command } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { createCliEngine } from '../gpu.js';
import { isImageName, readImageFile } from '../images.js';

/** Image files in a folder and its subfolders, sorted by path. */
async function imageFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && isImageName(entry.name)) found.push(join(entry.parentPath, entry.name));
  }
  return found.sort();
}

/** Evenly spaced picks, so a capped set still spans the folder (every person, not the first few). */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

function listOption(raw: string | undefined, name: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError(`--${name} needs a comma-separated list, got '${raw}'`, 'visualize');
  return list;
}

function unitList(raw: string | undefined): number[] | undefined {
  return listOption(raw, 'units')?.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--units must be whole numbers ≥ 0, got '${s}'`, 'visualize');
    return n;
  });
}

export const visualize: Command = {
  name: 'visualize',
  summary: 'what the network learns: top image patches and activation maximisation per unit, as PNG grids',
  usage: 'visualize --images DIR -o OUT_DIR [options]',
  description: [
    'For chosen units (channels) of each layer: runs the images through the network, finds the 9',
    'positions that activate each unit most and cuts out the input patch each one sees (its',
    'receptive field; grey where it reaches past the image): NET-LAYER-top.png, one row per unit.',
    'Then climbs the gradient of each unit\'s mean activation with respect to the pixels, from',
    'noise, with jitter, blur and L2 decay: NET-LAYER-max.png, one picture per unit.',
  ],
  options: {
    images: { type: 'string', value: 'DIR', help: 'folder of JPEG/PNG/PGM images (searched recursively; required)' },
    output: { type: 'string', short: 'o', value: 'DIR', help: 'folder to write the PNG grids into (required; created if missing)' },
    network: { type: 'string', value: 'NAME', help: `${VISUAL_NETWORKS.join(' (default) or ')}` },
    layers: { type: 'string', value: 'L1,L2', help: 'layers to show (default: five from shallow to deep; an unknown name lists them)' },
    units: { type: 'string', value: 'U1,U2', help: 'units (channels) of each layer (default 0,1,2,3)' },
    'max-images': { type: 'string', value: 'N', help: 'use at most N images, spread over the folder (default 64)' },
    steps: { type: 'string', value: 'N', help: 'gradient steps of the activation maximisation (default 64; 0: top patches only)' },
    size: { type: 'string', value: 'N', help: 'centernet: side of the square images are resized to (default 160); face-resnet is 150' },
    seed: { type: 'string', value: 'S', help: 'seed of the starting noise (default 1)' },
  },
  positionals: { min: 0, max: 0 },
  notes: ['Example: wgsl-vision visualize --images ../shared/data/orl-faces -o /tmp/vis --layers conv32_down,conv64_down --units 0,1,2'],
  async run(ctx) {
    const imagesDir = stringOption(ctx.values, 'images');
    const outDir = stringOption(ctx.values, 'output');
    if (!imagesDir) throw new UsageError('visualize needs --images DIR', 'visualize');
    if (!outDir) throw new UsageError('visualize needs -o OUT_DIR', 'visualize');
    if (!existsSync(imagesDir) || !statSync(imagesDir).isDirectory()) throw new CliError(`--images: ${imagesDir} is not a folder`, undefined, 'file');
    if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new CliError(`-o: ${outDir} exists and is not a folder`, undefined, 'file');
    const n = (name: string, range: Parameters<typeof numberOption>[3]) => numberOption(ctx.values, name, 'visualize', range);
    const networkName = choiceOption(ctx.values, 'network', 'visualize', VISUAL_NETWORKS) ?? 'face-resnet';
    const maxImages = n('max-images', { min: 1, max: 100000, integer: true }) ?? 64;
    const steps = n('steps', { min: 0, max: 100000, integer: true }) ?? 64;
    const size = n('size', { min: 32, max: 1024, integer: true });
    const seed = n('seed', { integer: true }) ?? 1;
    const units = unitList(stringOption(ctx.values, 'units')) ?? [0, 1, 2, 3];
    const askedLayers = listOption(stringOption(ctx.values, 'layers'), 'layers');
    const files = spread(await imageFiles(imagesDir), maxImages);
    if (files.length === 0) throw new CliError(`no JPEG, PNG or PGM images in ${imagesDir}`, undefined, 'file');

    const engine = await createCliEngine();
    ctx.out.status(`loading ${networkName} …`);
    const net: VisualNetwork = await loadVisualNetwork(engine, networkName, { size });
    const layers = askedLayers ?? [...net.defaultLayers];
    for (const l of layers) if (!net.layers[l]) throw new UsageError(`unknown layer '${l}' of ${networkName} (layers: ${Object.keys(net.layers).join(', ')})`, 'visualize');
    for (const l of layers) {
      try {
        await checkUnits(net, l, units);
      } catch (e) {
        throw new UsageError((e as Error).message, 'visualize');
      }
    }
    const decoded: RGBAImage[] = [];
    for (const f of files) decoded.push(await readImageFile(f));
    const images = await prepareImages(engine, decoded, net.inputSize);
    ctx.out.status(`${images.length} image${images.length === 1 ? '' : 's'} at ${net.inputSize[1]}x${net.inputSize[0]}; ${layers.length} layer${layers.length === 1 ? '' : 's'}, units ${units.join(',')}`);
    await mkdir(outDir, { recursive: true });

    const written: { layer: string; top: string; max: string | null; receptiveField: number; seconds: { top: number; max: number }; gains: { unit: number; start: number; final: number }[] }[] = [];
    const bar = ctx.out.progress(layers.length * (1 + (steps > 0 ? units.length : 0)), 'visualize');
    let done = 0;
    for (const layer of layers) {
      let t0 = performance.now();
      const tp = await topPatches(net, images, layer, units);
      const topPath = join(outDir, `${networkName}-${layer}-top.png`);
      await writeFile(topPath, encodePNG(renderGrid(tp.patches, { cell: 48 })));
      const topSeconds = (performance.now() - t0) / 1000;
      bar.update(++done, layer);
      t0 = performance.now();
      let maxPath: string | null = null;
      const gains: { unit: number; start: number; final: number }[] = [];
      if (steps > 0) {
        const pictures = [];
        for (const unit of units) {
          const am = await maximizeActivation(net, layer, unit, { steps, seed: seed + unit });
          gains.push({ unit, start: am.start, final: am.final });
          pictures.push(stretchContrast(am.image));
          bar.update(++done, `${layer} unit ${unit}`);
        }
        maxPath = join(outDir, `${networkName}-${layer}-max.png`);
        await writeFile(maxPath, encodePNG(renderGrid([pictures], { cell: Math.min(160, net.inputSize[0]) })));
      }
      const maxSeconds = (performance.now() - t0) / 1000;
      written.push({ layer, top: topPath, max: maxPath, receptiveField: tp.field.axes[0].size, seconds: { top: round(topSeconds), max: round(maxSeconds) }, gains });
      bar.log(`${layer}: receptive field ${tp.field.axes[0].size} px, top patches ${topSeconds.toFixed(1)} s${maxPath ? `, activation maximisation ${maxSeconds.toFixed(1)} s` : ''}`);
    }
    ctx.out.endProgress();
    ctx.out.result({ network: networkName, images: images.length, units, layers: written }, written.flatMap((w) => [
      `wrote ${w.top} (${units.length} units x 9 patches, receptive field ${w.receptiveField} px, ${w.seconds.top} s)`,
      ...(w.max ? [`wrote ${w.max} (${units.length} units, ${steps} steps, ${w.seconds.max} s; mean activation ${w.gains.map((g) => `${sig(g.start)}→${sig(g.final)}`).join(', ')})`] : []),
    ]));
    return EXIT.ok;
  },
};

const round = (x: number) => Math.round(x * 100) / 100;
const sig = (x: number) => x.toPrecision(3);
