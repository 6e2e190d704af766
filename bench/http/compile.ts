// The bench server as a host runs it: bench/http/server.ts transpiled once to plain
// JavaScript and started with plain `node`, importing perfkit's built `dist/`.
//
// Under `tsx` (a loader thread, source maps, its own module hooks) perfkit's middleware
// counted 28 400 instructions per request more than the minimal hook on Express, and 18 500
// more as compiled JavaScript (callgrind, same code, same run): the loader charges
// perfkit's modules more than the hook, which lives in the server file itself.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/** Transpiles the bench server into `.bench-tmp/http-server.mjs` (inside the package, so `perfkit` resolves to `dist/`) and returns its path. */
export function compiledServer(): string {
  const source = readFileSync(new URL('./server.ts', import.meta.url), 'utf8')
  const { outputText } = ts.transpileModule(source, {
    fileName: 'server.ts',
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  })
  const dir = fileURLToPath(new URL('../../.bench-tmp/', import.meta.url))
  mkdirSync(dir, { recursive: true })
  const file = `${dir}http-server.mjs`
  writeFileSync(file, outputText)
  return file
}

/** Set in a server's environment: the server module runs its `main()` only when started as one. */
export const SERVER_ENV = { PERFKIT_BENCH_SERVER: '1' }
