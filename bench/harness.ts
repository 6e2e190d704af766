// A small side-by-side benchmark harness. Each comparison runs the subject and its anchor in
// the same process, interleaved round by round so drift (JIT, GC, thermal, other load) hits
// both alike, and reports the median ns per op of each case and the median of the per-round
// subject/anchor quotients.
//
// Smoke mode (`--smoke` or BENCH_SMOKE=1, what CI runs) does a few short rounds: it proves the
// benchmarks still run; the figures quoted in docs come from full runs. BENCH_ROUNDS=1 also
// prints every round's ns/op, to see drift or a change of compiled code between rounds.

export const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1'

/** Keeps results alive so the JIT cannot drop the work being measured. */
export let sink: unknown = undefined
export function consume(value: unknown): void {
  sink = value
}

export interface SyncCase {
  name: string
  /** One operation; `i` is the iteration index, for varying inputs. */
  fn: (i: number) => unknown
}

export interface AsyncCase {
  name: string
  /** Runs `n` operations and resolves when all are done. */
  run: (n: number) => Promise<unknown>
}

export interface Result {
  name: string
  nsPerOp: number
  opsPerSec: number
  /** Median over rounds of nsPerOp / anchor nsPerOp in the same round; 1 for the anchor itself. */
  ratio: number
}

export interface CompareOptions {
  /** Operations per round. */
  ops?: number
  /** Rounds; the median is reported. */
  rounds?: number
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

type Timer = (fn: (i: number) => unknown, ops: number) => number

/**
 * Each case gets its own compiled copy of the timing loop, so the `fn(i)` call site in it
 * sees one function only. A shared loop would turn polymorphic as cases take turns and stop
 * inlining some of them but not others, which skews the ratios.
 */
let timerCount = 0

function makeTimer(): Timer {
  // The source differs per timer: V8 caches compiled code by source text, and two timers that
  // shared it would share optimized code (and deopt each other) too.
  const id = ++timerCount
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const loop = new Function(
    'hrtime',
    'consume',
    `return function timeSync${id}(fn, ops) {
      let last
      const start = hrtime()
      for (let i = 0; i < ops; i++) last = fn(i)
      const ns = Number(hrtime() - start)
      consume(last)
      return ns / ops
    }`,
  ) as (hrtime: () => bigint, sinkFn: (value: unknown) => void) => Timer
  return loop(process.hrtime.bigint, consume)
}

async function timeAsync(run: (n: number) => Promise<unknown>, ops: number): Promise<number> {
  const start = process.hrtime.bigint()
  consume(await run(ops))
  return Number(process.hrtime.bigint() - start) / ops
}

function report(title: string, cases: string[], samples: number[][], anchorIndex: number): Result[] {
  const anchorSamples = samples[anchorIndex] as number[]
  const results = cases.map((name, i) => {
    const own = samples[i] as number[]
    const ns = median(own)
    // Each round measured the case and its anchor back to back, so their quotient cancels the
    // drift that hits both; the median of those paired quotients is steadier than a quotient
    // of medians.
    const ratio = median(own.map((value, round) => value / (anchorSamples[round] as number)))
    if (process.env.BENCH_ROUNDS === '1') console.log(`  ${name} per round: ${own.map((v) => v.toFixed(1)).join(' ')} ns/op`)
    return { name, nsPerOp: ns, opsPerSec: 1e9 / ns, ratio }
  })
  console.log(`\n${title}`)
  const width = Math.max(...cases.map((c) => c.length))
  for (const r of results) {
    const ratio = r === results[anchorIndex] ? '(anchor)' : `${r.ratio.toFixed(2)}x anchor time, ${(1 / r.ratio).toFixed(2)}x anchor throughput`
    console.log(
      `  ${r.name.padEnd(width)}  ${r.nsPerOp.toFixed(1).padStart(9)} ns/op  ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(13)} ops/s  ${ratio}`,
    )
  }
  return results
}

/**
 * Measures synchronous cases side by side. The last case is the anchor every ratio refers to.
 * Returns one result per case.
 */
export function compareSync(title: string, cases: SyncCase[], options: CompareOptions = {}): Result[] {
  const ops = options.ops ?? (smoke ? 2_000 : 200_000)
  const rounds = options.rounds ?? (smoke ? 2 : 15)
  const samples: number[][] = cases.map(() => [])
  const timers = cases.map(() => makeTimer())
  // Warm up: short runs first, so every line of the timing loop has type feedback before the
  // loop is optimized (otherwise its first measured exit deopts it), then a long one.
  cases.forEach((c, i) => {
    for (let k = 0; k < 3; k++) (timers[i] as Timer)(c.fn, Math.min(ops, 500))
    ;(timers[i] as Timer)(c.fn, Math.min(ops, 10_000))
  })
  for (let round = 0; round < rounds; round++) {
    // Alternate the order every round so neither side always runs first.
    const order = round % 2 === 0 ? cases.map((_, i) => i) : cases.map((_, i) => cases.length - 1 - i)
    for (const i of order) (samples[i] as number[]).push((timers[i] as Timer)((cases[i] as SyncCase).fn, ops))
  }
  return report(title, cases.map((c) => c.name), samples, cases.length - 1)
}

/** Like {@link compareSync} for cases that run `n` operations asynchronously. */
export async function compareAsync(title: string, cases: AsyncCase[], options: CompareOptions = {}): Promise<Result[]> {
  const ops = options.ops ?? (smoke ? 1_000 : 100_000)
  const rounds = options.rounds ?? (smoke ? 2 : 11)
  const samples: number[][] = cases.map(() => [])
  for (const c of cases) await timeAsync(c.run, Math.min(ops, 5_000))
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? cases.map((_, i) => i) : cases.map((_, i) => cases.length - 1 - i)
    for (const i of order) (samples[i] as number[]).push(await timeAsync((cases[i] as AsyncCase).run, ops))
  }
  return report(title, cases.map((c) => c.name), samples, cases.length - 1)
}
