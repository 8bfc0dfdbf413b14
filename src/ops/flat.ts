/** Workgroup count for kernels that give each thread one element of a flat range. */
export function flatWorkgroups(elements: number, workgroupSize = 64): number {
  return Math.ceil(elements / workgroupSize);
}
