import { defineConfig } from 'tsup'

// One entry per public subpath. `splitting: true` makes the CJS entries share one copy of
// each class too, so `instanceof` holds when a host imports both `perfkit` and an adapter.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  tsconfig: 'tsconfig.build.json',
  treeshake: true,
})
