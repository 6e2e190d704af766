import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests import `perfkit` by name, as a host does, but run against the sources.
    alias: [
      { find: /^perfkit$/, replacement: src('index.ts') },
      { find: /^perfkit\/express$/, replacement: src('adapters/express.ts') },
      { find: /^perfkit\/fastify$/, replacement: src('adapters/fastify.ts') },
      { find: /^perfkit\/socket\.io$/, replacement: src('adapters/socket-io.ts') },
      { find: /^perfkit\/socket\.io\/client$/, replacement: src('adapters/socket-io-client.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    testTimeout: 20_000,
    // Under CI a JSON report lets .ci/run print the plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
    pool: 'forks',
  },
})
