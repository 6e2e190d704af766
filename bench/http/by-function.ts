// `npm run bench:http:by-function -- <express|fastify> [A] [B] [--smoke]`: where the
// instructions per request of two bench:http configurations (default: the minimal hook and
// perfkit) differ, function by function (BENCH_CACHE_SIM=1: estimated cycles, BENCH_CONNECTIONS=10:
// bench:http's load).
//
// Each server runs under callgrind as in bench:http:instructions, with V8's
// `--perf-basic-prof` so JIT code can be named from /tmp/perf-<pid>.map. Two views print:
// - self instructions per request by function (V8 runtime, builtins and named JS);
// - instructions of calls from JavaScript into V8's inline-cache and runtime code, charged to
//   the JavaScript function that made them. On Express this is the view that matters: every
//   request's req/res get a map of their own, so each property read on them is an IC miss
//   resolved in the runtime, and the second view says whose reads they were.
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireValgrind, runUnderCallgrind } from './callgrind'
import { compiledServer } from './compile'
import type { Framework, Variant } from './server'

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1'
const framework = (args[0] ?? 'fastify') as Framework
const [first, second] = [(args[1] ?? 'hook') as Variant, (args[2] ?? 'perfkit') as Variant]
const VARIANTS: readonly Variant[] = ['bare', 'control', 'hook', 'perfkit', 'incumbent']
if (framework !== 'express' && framework !== 'fastify') throw new Error(`framework must be express or fastify, got ${framework}`)
for (const v of [first, second]) if (!VARIANTS.includes(v)) throw new Error(`configuration must be one of ${VARIANTS.join(', ')}, got ${v}`)
const WARM_REQUESTS = smoke ? 200 : Number(process.env.BENCH_WARM ?? 10_000)
const COUNTED_REQUESTS = smoke ? 200 : Number(process.env.BENCH_COUNT ?? 20_000)
const TOP = smoke ? 5 : 30
/** Connections of the load: 1 by default; 10 is bench:http's (BENCH_CONNECTIONS=10). */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 1)
if (!Number.isInteger(CONNECTIONS) || CONNECTIONS < 1) throw new Error(`BENCH_CONNECTIONS must be a positive integer, got ${process.env.BENCH_CONNECTIONS}`)
/**
 * BENCH_CACHE_SIM=1: callgrind also simulates the caches and branch predictor, and the figures
 * are estimated cycles instead of instructions: Ir + 10 per L1 miss + 100 per last-level miss
 * + 15 per mispredicted branch. A crude model, but perfkit's Fastify requests counted about as
 * many instructions as the hook's while costing more CPU time, and the misses were the difference.
 */
const CACHE_SIM = process.env.BENCH_CACHE_SIM === '1'
/** Cost of one line of callgrind figures: Ir, or (with the cache simulation) the estimate above. */
function cost(figures: number[]): number {
  const f = (i: number) => figures[i] ?? 0
  if (!CACHE_SIM) return f(0)
  // Events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw Bc Bcm Bi Bim
  return f(0) + 10 * (f(3) + f(4) + f(5)) + 100 * (f(6) + f(7) + f(8)) + 15 * (f(10) + f(12))
}

interface Profile {
  /** Instructions per request. */
  total: number
  /** Self instructions per request by function. */
  self: Map<string, number>
  /** Instructions per request of IC/runtime calls, by the JavaScript function that made them. */
  misses: Map<string, number>
}

/** JIT code ranges from V8's perf map, sorted by start address. */
function readPerfMap(pid: number): Array<[start: number, size: number, name: string]> {
  const ranges: Array<[number, number, string]> = []
  for (const line of readFileSync(`/tmp/perf-${pid}.map`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line)
    if (m !== null) ranges.push([Number.parseInt(m[1] as string, 16), Number.parseInt(m[2] as string, 16), m[3] as string])
  }
  return ranges.sort((a, b) => a[0] - b[0])
}

/** The JIT function holding `address` (V8 reuses addresses: the latest range covering it wins). */
function jitName(ranges: ReadonlyArray<[number, number, string]>, address: number): string {
  let lo = 0
  let hi = ranges.length - 1
  let best = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if ((ranges[mid] as [number, number, string])[0] <= address) {
      best = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  for (let i = best; i >= 0 && i > best - 64; i--) {
    const [start, size, name] = ranges[i] as [number, number, string]
    if (address < start + size) return shortName(name)
  }
  return '(unnamed JIT code)'
}

/** `JS:*onClose file:///…/dist/express.js:204:19` → `onClose express.js:204`. */
function shortName(name: string): string {
  const m = /^(?:JS:)?[*~^]?(\S*)\s+(?:file:\/\/)?(\S+?):(\d+):\d+$/.exec(name)
  if (m === null) return name
  return `${m[1] || '(anonymous)'} ${(m[2] as string).split('/').slice(-1)[0]}:${m[3]}`
}

/** Parses a callgrind profile (name-compressed, line positions) into per-request figures. */
function parse(file: string, ranges: ReadonlyArray<[number, number, string]>, requests: number): Profile {
  const names = new Map<string, string>()
  const self = new Map<string, number>()
  const misses = new Map<string, number>()
  const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n / requests)
  const named = (raw: string) => {
    // callgrind marks recursion levels with a `'N` suffix
    const hex = /^0x([0-9a-f]+)(?:'\d+)?$/.exec(raw)
    return hex === null ? raw : jitName(ranges, Number.parseInt(hex[1] as string, 16))
  }
  let fn = ''
  let callee = ''
  let callCost = false
  let total = 0
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const def = /^(c?fn)=\((\d+)\)(?: (.*))?$/.exec(line)
    if (def !== null) {
      if (def[3] !== undefined) names.set(def[2] as string, def[3])
      const name = names.get(def[2] as string) ?? (def[2] as string)
      if (def[1] === 'fn') fn = name
      else callee = name
      continue
    }
    if (line.startsWith('calls=')) {
      callCost = true
      continue
    }
    if (!/^[+\-*]?\d/.test(line)) continue
    const ir = cost(line.trim().split(/\s+/).slice(1).map(Number))
    if (!Number.isFinite(ir)) continue
    if (callCost) {
      // The line after calls= is the call's inclusive cost: charge IC/runtime calls made by JIT code to it.
      callCost = false
      if (fn.startsWith('0x') && /IC|Runtime_/.test(callee)) add(misses, named(fn), ir)
      continue
    }
    total += ir
    add(self, named(fn), ir)
  }
  return { total: total / requests, self, misses }
}

async function profile(serverFile: string, variant: Variant): Promise<Profile> {
  const out = join(tmpdir(), `perfkit-by-function-${framework}-${variant}-${process.pid}.out`)
  const { pid } = await runUnderCallgrind({
    serverFile,
    framework,
    variant,
    warm: WARM_REQUESTS,
    counted: COUNTED_REQUESTS,
    valgrindArgs: [`--callgrind-out-file=${out}`, ...(CACHE_SIM ? ['--cache-sim=yes', '--branch-sim=yes'] : [])],
    connections: CONNECTIONS,
    v8Flags: ['--perf-basic-prof'],
  })
  try {
    return parse(out, readPerfMap(pid), COUNTED_REQUESTS)
  } finally {
    rmSync(out, { force: true })
    rmSync(`/tmp/perf-${pid}.map`, { force: true })
  }
}

function printDiff(title: string, a: Map<string, number>, b: Map<string, number>): void {
  const keys = new Set([...a.keys(), ...b.keys()])
  const rows = [...keys].map((k) => ({ k, a: a.get(k) ?? 0, b: b.get(k) ?? 0 })).sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a))
  console.log(`\n${title}`)
  console.log(`${'difference'.padStart(10)} ${first.padStart(10)} ${second.padStart(10)}  function`)
  for (const r of rows.slice(0, TOP)) {
    const d = Math.round(r.b - r.a)
    console.log(`${((d > 0 ? '+' : '') + d).padStart(10)} ${Math.round(r.a).toString().padStart(10)} ${Math.round(r.b).toString().padStart(10)}  ${r.k.slice(0, 110)}`)
  }
}

async function main(): Promise<void> {
  requireValgrind()
  const serverFile = compiledServer()
  console.log(`${framework}: ${first} vs ${second}, ${CACHE_SIM ? 'estimated cycles' : 'instructions'} per request by function (callgrind; ${WARM_REQUESTS} requests to warm up, ${COUNTED_REQUESTS} counted, ${CONNECTIONS} connection${CONNECTIONS === 1 ? '' : 's'})${smoke ? ' (smoke mode: figures are not meaningful)' : ''}`)
  const [a, b] = await Promise.all([profile(serverFile, first), profile(serverFile, second)])
  console.log(`total: ${first} ${Math.round(a.total)}, ${second} ${Math.round(b.total)}, difference ${Math.round(b.total - a.total)}`)
  printDiff(`self ${CACHE_SIM ? 'estimated cycles' : 'instructions'} per request`, a.self, b.self)
  printDiff('IC and runtime calls per request, by the JavaScript function that made them', a.misses, b.misses)
}

await main()
// autocannon can leave a handle open after its last run.
process.exit()
