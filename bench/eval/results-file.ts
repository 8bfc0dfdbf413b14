/** Writes a training run's figures as JSON, with the machine they were measured on. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';

export function writeResults(file: string, figures: Record<string, unknown>, adapter: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...figures, adapter, cpus: cpus().length, date: new Date().toISOString() }, null, 2) + '\n');
  console.log(`\nwrote ${file}`);
}
