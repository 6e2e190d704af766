import { defineConfig } from 'tsup'

// One entry per public subpath. `splitting: true` makes the CJS entries share one copy of
// each class too, so `instanceof` holds when a host imports both `perfkit` and an adapter.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    express: 'src/adapters/express.ts',
    fastify: 'src/adapters/fastify.ts',
    'socket.io': 'src/adapters/socket-io.ts',
    'socket.io-client': 'src/adapters/socket-io-client.ts',
  },
  // Frameworks are the host's (optional peers): never bundled, loaded only by their adapter.
  external: ['express', 'fastify', 'fastify-plugin', 'socket.io', 'socket.io-client', 'nodemailer'],
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
