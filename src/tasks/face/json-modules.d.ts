/** JSON files bundled as their parsed value (esbuild's json loader). */
declare module '*/orl-similarity-head.json' {
  const json: unknown;
  export default json;
}
