/**
 * Reflection of WGSL kernels with wgsl_reflect: bindings, workgroup sizes and uniform struct
 * layouts come from the shader text itself, so TypeScript never restates them.
 */
import { WgslReflect } from 'wgsl_reflect';

export type ScalarKind = 'u32' | 'i32' | 'f32';

export interface UniformField {
  offset: number;
  kind: ScalarKind;
  /** Scalars in the field: 1 for a scalar, 4 for vec4, 8 for array<vec4, 2>. */
  count: number;
}

export interface UniformLayout {
  name: string;
  binding: number;
  size: number;
  fields: Map<string, UniformField>;
}

export interface BindingInfo {
  name: string;
  binding: number;
  kind: 'uniform' | 'read-only-storage' | 'storage';
}

export interface EntryInfo {
  name: string;
  /** With every override at its default. */
  workgroupSize: [number, number, number];
  /** `@workgroup_size`'s arguments: a number, or the override whose value it is. */
  workgroupSizeArgs: (number | string)[];
  /** The group-0 bindings this entry point uses, by binding number. */
  bindings: BindingInfo[];
}

export interface ShaderInfo {
  name: string;
  code: string;
  entries: Map<string, EntryInfo>;
  /** The uniform structs by binding name: the kernel's own, and any a shared piece declares (window.wgsl's). */
  uniforms: Map<string, UniformLayout>;
  overrides: Set<string>;
}

const SHORT_VECTORS: Record<string, [ScalarKind, number]> = {
  vec2f: ['f32', 2], vec3f: ['f32', 3], vec4f: ['f32', 4],
  vec2u: ['u32', 2], vec3u: ['u32', 3], vec4u: ['u32', 4],
  vec2i: ['i32', 2], vec3i: ['i32', 3], vec4i: ['i32', 4],
};

interface ReflectType {
  name: string;
  size: number;
  format?: ReflectType | null;
  count?: number;
}

function scalarLayout(type: ReflectType, where: string): [ScalarKind, number] {
  const name = type.name;
  if (name === 'u32' || name === 'i32' || name === 'f32') return [name, 1];
  if (name in SHORT_VECTORS) return SHORT_VECTORS[name]!;
  const vec = /^vec([234])$/.exec(name);
  if (vec && type.format) return [scalarLayout(type.format, where)[0], Number(vec[1])];
  if (name === 'array' && type.format && type.count) {
    const [kind, n] = scalarLayout(type.format, where);
    if (n !== 4 && n !== 1) throw new Error(`${where}: uniform arrays must hold scalars or vec4`);
    // Uniform arrays have a 16-byte stride: only vec4 elements pack densely.
    if (n !== 4) throw new Error(`${where}: uniform arrays must be array<vec4<…>, N> (16-byte stride)`);
    return [kind, n * type.count];
  }
  throw new Error(`${where}: unsupported uniform member type ${name}`);
}

export function reflectShader(name: string, code: string): ShaderInfo {
  const reflect = new WgslReflect(code);
  const bindings = new Map<string, BindingInfo>();
  const uniforms = new Map<string, UniformLayout>();
  const fieldOwner = new Map<string, string>();
  for (const u of reflect.uniforms) {
    if (u.group !== 0) throw new Error(`${name}: all bindings must be in @group(0)`);
    const fields = new Map<string, UniformField>();
    for (const m of (u.type as unknown as { members: { name: string; offset: number; type: ReflectType }[] }).members) {
      const [kind, count] = scalarLayout(m.type, `${name}.${u.name}.${m.name}`);
      // Values are given by field name alone: two structs must not share one.
      const other = fieldOwner.get(m.name);
      if (other) throw new Error(`${name}: uniform field '${m.name}' is declared in both ${other} and ${u.name}`);
      fieldOwner.set(m.name, u.name);
      fields.set(m.name, { offset: m.offset, kind, count });
    }
    uniforms.set(u.name, { name: u.name, binding: u.binding, size: Math.ceil(u.size / 16) * 16, fields });
    bindings.set(u.name, { name: u.name, binding: u.binding, kind: 'uniform' });
  }
  for (const s of reflect.storage) {
    if (s.group !== 0) throw new Error(`${name}: all bindings must be in @group(0)`);
    const access = String((s as unknown as { access: string }).access);
    bindings.set(s.name, { name: s.name, binding: s.binding, kind: access === 'read' ? 'read-only-storage' : 'storage' });
  }
  const sizeArgs = workgroupSizeArgs(code);
  const entries = new Map<string, EntryInfo>();
  for (const e of reflect.entry.compute) {
    const used = new Set((e.resources ?? []).map((r: { name: string }) => r.name));
    const ws = (e as unknown as { workgroupSize?: number[] }).workgroupSize ?? [1, 1, 1];
    entries.set(e.name, {
      name: e.name,
      workgroupSize: [ws[0] ?? 1, ws[1] ?? 1, ws[2] ?? 1],
      workgroupSizeArgs: sizeArgs.get(e.name) ?? [ws[0] ?? 1, ws[1] ?? 1, ws[2] ?? 1],
      bindings: [...bindings.values()].filter((b) => used.has(b.name)).sort((a, b) => a.binding - b.binding),
    });
  }
  const overrides = new Set(reflect.overrides.map((o: { name: string }) => o.name));
  return { name, code, entries, uniforms, overrides };
}

/** Each entry point's `@workgroup_size(…)` arguments (wgsl_reflect gives only their default values). */
function workgroupSizeArgs(code: string): Map<string, (number | string)[]> {
  const found = new Map<string, (number | string)[]>();
  const source = code.replace(/\/\/[^\n]*/g, '');
  for (const m of source.matchAll(/@workgroup_size\(([^)]*)\)[^{;]*?\bfn\s+(\w+)/g)) {
    const args = m[1]!.split(',').map((a) => a.trim()).filter(Boolean);
    found.set(m[2]!, args.map((a) => (/^\d+u?$/.test(a) ? parseInt(a, 10) : a)));
  }
  return found;
}

/** An entry point's workgroup size with these override values. */
export function workgroupSize(entry: EntryInfo, overrides: Record<string, number>): [number, number, number] {
  const size: [number, number, number] = [1, 1, 1];
  entry.workgroupSizeArgs.forEach((arg, i) => {
    size[i] = typeof arg === 'number' ? arg : overrides[arg] ?? entry.workgroupSize[i]!;
  });
  return size;
}

/**
 * A shader's named codes: `const ACTIVATION_LEAKY_RELU: u32 = 3u;` with prefix 'ACTIVATION_'
 * is leakyRelu → 3. TypeScript reads the codes an override takes from here, never a copy.
 */
export function shaderConstants(code: string, prefix: string): Map<string, number> {
  const codes = new Map<string, number>();
  for (const m of code.matchAll(new RegExp(`const ${prefix}(\\w+): u32 = (\\d+)u;`, 'g'))) {
    codes.set(m[1]!.toLowerCase().replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), Number(m[2]));
  }
  if (codes.size === 0) throw new Error(`no constants named ${prefix}… in the shader`);
  return codes;
}

export type UniformValues = Record<string, number | readonly number[]>;

/** Throws for a value no uniform struct of the entry point declares. */
export function checkUniformNames(layouts: readonly UniformLayout[], values: UniformValues, where: string): void {
  for (const key of Object.keys(values)) {
    if (!layouts.some((l) => l.fields.has(key))) {
      const known = layouts.flatMap((l) => [...l.fields.keys()]).join(', ');
      throw new Error(`${where}: unknown uniform '${key}' (the shader declares: ${known})`);
    }
  }
}

/**
 * Packs named uniform values into the struct's byte layout. Fields not given are zero; those
 * given need the right number of scalars, integers for integer fields; unknown names throw.
 */
export function packUniforms(layout: UniformLayout, values: UniformValues, where: string, others: readonly UniformLayout[] = []): ArrayBuffer {
  const bytes = new ArrayBuffer(layout.size);
  const view = new DataView(bytes);
  checkUniformNames([layout, ...others], values, where);
  for (const [key, field] of layout.fields) {
    const value = values[key];
    if (value === undefined) continue;
    const list = typeof value === 'number' ? [value] : value;
    if (list.length > field.count || (field.count <= 4 && list.length !== field.count)) {
      throw new Error(`${where}: uniform '${key}' takes ${field.count} value(s), got ${list.length}`);
    }
    list.forEach((v, i) => {
      const at = field.offset + 4 * i;
      if (field.kind === 'f32') {
        if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${where}: uniform '${key}' must be a number, got ${v}`);
        view.setFloat32(at, v, true);
      } else if (!Number.isInteger(v) || (field.kind === 'u32' && v < 0)) {
        throw new Error(`${where}: uniform '${key}' must be ${field.kind === 'u32' ? 'a non-negative' : 'an'} integer, got ${v}`);
      } else if (field.kind === 'u32') {
        view.setUint32(at, v, true);
      } else {
        view.setInt32(at, v, true);
      }
    });
  }
  return bytes;
}
