// `npm run bench [-- name…] [-- --smoke]`: runs every bench/*.bench.ts (or those whose file
// name contains one of the given names), in file-name order, each in a fresh child process.
//
// A fresh process per file: V8 shares compiled code and type feedback between all instances of
// a class, so a benchmark that ran earlier in the same process (another MemoryCache, another
// lru-cache shape) would change the code a later one measures. Within a file, the subject and
// its anchor still run side by side in one process.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { smoke } from './harness'

const dir = fileURLToPath(new URL('.', import.meta.url))
const self = fileURLToPath(import.meta.url)
const args = process.argv.slice(2)
const only = args.indexOf('--file')

if (only >= 0) {
  const file = args[only + 1] as string
  const mod = (await import(pathToFileURL(`${dir}/${file}`).href)) as { default: () => unknown }
  await mod.default()
} else {
  const filters = args.filter((arg) => !arg.startsWith('--'))
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
    .sort()
  console.log(`perfkit benchmarks on Node ${process.version}${smoke ? ' (smoke mode: figures are not meaningful)' : ''}`)
  let failed = 0
  for (const file of files) {
    const child = spawnSync(process.execPath, [...process.execArgv, self, '--file', file, ...(smoke ? ['--smoke'] : [])], {
      stdio: 'inherit',
      env: process.env,
    })
    if (child.status !== 0) {
      failed++
      console.error(`${file}: exited with ${child.status ?? child.signal}`)
    }
  }
  if (failed > 0) process.exitCode = 1
}
