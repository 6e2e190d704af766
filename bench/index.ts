// `npm run bench [-- name…] [-- --smoke]`: runs every bench/*.bench.ts (or those whose file
// name contains one of the given names) in one process, in file-name order.
import { readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { smoke } from './harness'

const dir = fileURLToPath(new URL('.', import.meta.url))
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('--'))
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort()

console.log(`perfkit benchmarks on Node ${process.version}${smoke ? ' (smoke mode: figures are not meaningful)' : ''}`)
for (const file of files) {
  const mod = (await import(pathToFileURL(`${dir}/${file}`).href)) as { default: () => unknown }
  await mod.default()
}
