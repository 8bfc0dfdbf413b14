import { reflectShader, type ShaderInfo } from './reflect.js';

/**
 * A WGSL kernel family: one shader file, reflected once per process on first use.
 * Ops declare theirs at module level: `const conv = defineKernel('conv', convWGSL)`.
 */
export class KernelSource {
  private info_: ShaderInfo | null = null;
  constructor(readonly name: string, readonly code: string) {}

  get info(): ShaderInfo {
    return (this.info_ ??= reflectShader(this.name, this.code));
  }
}

export function defineKernel(name: string, code: string): KernelSource {
  return new KernelSource(name, code);
}

/** Splits a workgroup count over x and y when it passes the per-dimension limit. */
export function foldWorkgroups(count: number, limit: number): [number, number] {
  if (count <= limit) return [Math.max(1, count), 1];
  const y = Math.ceil(count / limit);
  return [Math.ceil(count / y), y];
}
