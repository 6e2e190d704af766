// A small side-by-side benchmark harness. Each comparison runs the subject and its anchor in
// the same process, interleaved round by round so drift (JIT, GC, thermal, other load) hits
// both alike, and reports medians over rounds and the subject/anchor ratio of ns per op.
//
// Smoke mode (`--smoke` or BENCH_SMOKE=1, what CI runs) does a few short rounds: it proves the
// benchmarks still run; the figures quoted in docs come from full runs.

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
  /** nsPerOp / anchor nsPerOp; 1 for the anchor itself. */
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
function makeTimer(): Timer {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const loop = new Function(
    'hrtime',
    'consume',
    `return function timeSync(fn, ops) {
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
  const medians = samples.map(median)
  const anchor = medians[anchorIndex] as number
  const results = cases.map((name, i) => {
    const ns = medians[i] as number
    return { name, nsPerOp: ns, opsPerSec: 1e9 / ns, ratio: ns / anchor }
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
  cases.forEach((c, i) => (timers[i] as Timer)(c.fn, Math.min(ops, 10_000))) // warm up
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
