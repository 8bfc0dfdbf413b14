/**
 * GPU time per op with timestamp queries: the device's command encoders are wrapped so that
 * every compute pass the engine records (one per dispatch) writes begin/end timestamps, which
 * are resolved at finish() and read back after the work completes. The device must have been
 * created with the 'timestamp-query' feature. For profiling only: it changes nothing in the
 * engine itself.
 */
export interface OpTime {
  op: string;
  ms: number;
  calls: number;
}

const QUERIES = 2 * 1024;

/** detail: also split ops by their workgroup count (which sizes dominate). */
export function installTimestampProfiler(device: GPUDevice, o: { detail?: boolean } = {}) {
  if (!device.features.has('timestamp-query')) throw new Error("profiler: the device lacks 'timestamp-query'");
  const totals = new Map<string, { ns: number; calls: number }>();
  const pending: Promise<void>[] = [];
  let on = false;
  const original = device.createCommandEncoder.bind(device);
  device.createCommandEncoder = ((descriptor?: GPUCommandEncoderDescriptor) => {
    const encoder = original(descriptor);
    if (!on) return encoder;
    const querySet = device.createQuerySet({ type: 'timestamp', count: QUERIES });
    const labels: string[] = [];
    return {
      __proto__: null,
      label: encoder.label,
      copyBufferToBuffer: (...a: Parameters<GPUCommandEncoder['copyBufferToBuffer']>) => encoder.copyBufferToBuffer(...a),
      beginComputePass: (d?: GPUComputePassDescriptor) => {
        if (labels.length * 2 >= QUERIES) return encoder.beginComputePass(d);
        const i = labels.length;
        labels.push(d?.label ?? 'pass');
        const pass = encoder.beginComputePass({ ...d, timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
        // Name the kernel too: the pipeline's label is "shader:entry{overrides}".
        return {
          setPipeline: (p: GPUComputePipeline) => {
            labels[i] = `${labels[i]} (${p.label.replace(/\{.*$/, '')})`;
            pass.setPipeline(p);
          },
          setBindGroup: (...a: Parameters<GPUComputePassEncoder['setBindGroup']>) => pass.setBindGroup(...a),
          dispatchWorkgroups: (...a: Parameters<GPUComputePassEncoder['dispatchWorkgroups']>) => {
            if (o.detail) labels[i] = `${labels[i]} ${a.filter((v) => v !== undefined).join('x')} WG`;
            pass.dispatchWorkgroups(...a);
          },
          end: () => pass.end(),
        } as unknown as GPUComputePassEncoder;
      },
      finish: (d?: GPUCommandBufferDescriptor) => {
        const n = labels.length * 2;
        if (n === 0) {
          querySet.destroy();
          return encoder.finish(d);
        }
        const resolved = device.createBuffer({ size: n * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
        const readback = device.createBuffer({ size: n * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
        encoder.resolveQuerySet(querySet, 0, n, resolved, 0);
        encoder.copyBufferToBuffer(resolved, 0, readback, 0, n * 8);
        const buffer = encoder.finish(d);
        // Mapped once the submitted batch has run.
        pending.push(Promise.resolve().then(async () => {
          await readback.mapAsync(GPUMapMode.READ);
          const t = new BigUint64Array(readback.getMappedRange().slice(0));
          readback.unmap();
          labels.forEach((label, i) => {
            const e = totals.get(label) ?? { ns: 0, calls: 0 };
            e.ns += Number(t[2 * i + 1]! - t[2 * i]!);
            e.calls++;
            totals.set(label, e);
          });
          for (const b of [resolved, readback]) b.destroy();
          querySet.destroy();
        }));
        return buffer;
      },
    } as unknown as GPUCommandEncoder;
  }) as GPUDevice['createCommandEncoder'];

  return {
    start() {
      on = true;
    },
    async stop(): Promise<void> {
      on = false;
      await Promise.all(pending.splice(0));
    },
    /** Per op (the engine labels each pass with its op name), slowest first, per step. */
    rows(steps: number): OpTime[] {
      return [...totals].map(([op, e]) => ({ op, ms: e.ns / 1e6 / steps, calls: e.calls / steps })).sort((a, b) => b.ms - a.ms);
    },
    report(steps: number): string {
      const rows = this.rows(steps);
      const total = rows.reduce((a, r) => a + r.ms, 0);
      return [
        `GPU time per step (timestamp queries): ${total.toFixed(1)} ms in ${rows.reduce((a, r) => a + r.calls, 0)} dispatches`,
        ...rows.map((r) => `${r.ms.toFixed(2).padStart(9)} ms ${((100 * r.ms) / total).toFixed(1).padStart(5)}% ${String(r.calls).padStart(5)} calls  ${r.op}`),
      ].join('\n');
    },
  };
}
