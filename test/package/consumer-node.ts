// Type-checked against the shipped Node declarations (the "node" condition of exports).
import { readFile } from 'node:fs/promises';
import { createEngine, createFaceRecognizer, decodeImage, type NodeEngine, type VerifyResult } from 'wgsl-vision';

export async function verifyFiles(a: string, b: string): Promise<VerifyResult> {
  const recognizer = await createFaceRecognizer({ detector: 'ssd' });
  return recognizer.verify(decodeImage(await readFile(a)), await readFile(b));
}
export async function driver(): Promise<string> {
  const engine: NodeEngine = await createEngine();
  return engine.driver;
}
