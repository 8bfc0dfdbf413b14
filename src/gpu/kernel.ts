import { reflectShader, type ShaderInfo } from './reflect.js';

/**
 * A WGSL kernel family: one shader file, joined after the shared pieces it uses
 * (`shaders/common/*.wgsl`), reflected once per process on first use. Ops declare theirs at
 * module level: `const kernel = defineKernel('conv', convWGSL, [activationWGSL])`.
 */
export class KernelSource {
  private info_: ShaderInfo | null = null;
  /** The text compiled: the shared pieces, then the kernel file. */
  readonly code: string;
  constructor(readonly name: string, code: string, uses: readonly string[] = []) {
    // Directives (`enable subgroups;`, `diagnostic(…);`) must open the module: they move ahead
    // of the shared pieces.
    const directive = /^\s*(enable|requires|diagnostic)\b[^;]*;[^\n]*$/gm;
    const directives = code.match(directive) ?? [];
    this.code = [...directives, ...uses, code.replace(directive, '')].join('\n');
  }

  get info(): ShaderInfo {
    return (this.info_ ??= reflectShader(this.name, this.code));
  }
}

export function defineKernel(name: string, code: string, uses: readonly string[] = []): KernelSource {
  return new KernelSource(name, code, uses);
}
