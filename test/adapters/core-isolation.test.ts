// Frameworks are optional peers: `import 'perfkit'` must never load them, and each adapter
// may load only what it is for (fastify-plugin, in perfkit/fastify).
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const FRAMEWORKS = /from\s+'(express|fastify|fastify-plugin|socket\.io|socket\.io-client|router)(\/[^']*)?'/g

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : []
  })
}

/** Modules from node_modules that `entry` loads, found in a fresh Node process. */
function loadedPackages(entry: string): string[] {
  const script = `
    const { createRequire } = await import('node:module')
    await import(${JSON.stringify(join(root, entry))})
    const cache = createRequire(import.meta.url).cache
    const names = new Set(Object.keys(cache).map((k) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(k)?.[1]).filter(Boolean))
    console.log(JSON.stringify([...names].sort()))`
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').pop() as string) as string[]
}

describe('framework isolation', () => {
  it('the core sources import no framework, and nothing outside the adapters imports them', () => {
    const offenders: string[] = []
    for (const file of files(join(root, 'src'))) {
      const rel = relative(root, file)
      const text = readFileSync(file, 'utf8')
      if (!rel.startsWith('src/adapters/') && !rel.startsWith('src/api/')) {
        if (FRAMEWORKS.test(text)) offenders.push(rel)
        if (/from\s+'\.\.?\/(?:\.\.\/)*(?:adapters|api)\//.test(text)) offenders.push(`${rel} imports an adapter`)
      }
      FRAMEWORKS.lastIndex = 0
    }
    expect(offenders).toEqual([])
  })

  it('adapters import frameworks as types only, except fastify-plugin in perfkit/fastify', () => {
    const runtime: string[] = []
    for (const file of [...files(join(root, 'src', 'adapters')), ...files(join(root, 'src', 'api'))]) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!FRAMEWORKS.test(line)) continue
        FRAMEWORKS.lastIndex = 0
        if (/^import type /.test(line) || /^\s*(\*|\/\/)/.test(line)) continue // types, or an example in a comment
        runtime.push(`${relative(root, file)}: ${line.trim()}`)
      }
    }
    expect(runtime).toEqual(["src/adapters/fastify.ts: import fp from 'fastify-plugin'"])
  })

  it('perfkit/socket.io/client reaches no Node built-in and no package, so browser bundles can take it', () => {
    const seen = new Set<string>()
    const outside: string[] = []
    const visit = (file: string): void => {
      if (seen.has(file)) return
      seen.add(file)
      for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s(?!type\b)[^'\n]*from\s+'([^']+)'/gm)) {
        if (specifier === undefined) continue
        if (specifier.startsWith('.')) visit(join(file, '..', `${specifier}.ts`))
        else outside.push(`${relative(root, file)}: ${specifier}`)
      }
    }
    visit(join(root, 'src', 'adapters', 'socket-io-client.ts'))
    expect(outside).toEqual([])
    expect([...seen].map((f) => relative(root, f)).sort()).toEqual([
      'src/adapters/internal/batch-envelope.ts',
      'src/adapters/internal/batch-unpacker.ts',
      'src/adapters/socket-io-client.ts',
    ])
  })

  it('loading perfkit loads no framework; loading an adapter loads only its own peer', () => {
    const frameworks = (names: string[]) => names.filter((n) => ['express', 'fastify', 'fastify-plugin', 'socket.io', 'router'].includes(n))
    expect(frameworks(loadedPackages('src/index.ts'))).toEqual([])
    expect(frameworks(loadedPackages('src/adapters/express.ts'))).toEqual([])
    expect(frameworks(loadedPackages('src/adapters/socket-io.ts'))).toEqual([])
    expect(frameworks(loadedPackages('src/adapters/fastify.ts'))).toEqual(['fastify-plugin'])
  }, 30_000)
})
