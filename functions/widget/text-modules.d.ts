/** A stylesheet imported as text: esbuild's `text` loader (infra/podlife-function.ts BUNDLING). */
declare module '*.css' {
  const text: string;
  export default text;
}
