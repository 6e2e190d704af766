// `npm run bench:http:instructions [-- --smoke]`: the instructions each HTTP configuration of
// `npm run bench:http` executes per request, counted by valgrind (callgrind) instead of timed.
//
// Why a second measurement: on a shared VM, CPU time per request moves by several points from
// one set of processes to the next (docs/operations.md), which is the size of the differences
// the targets ask about. Instruction counts do not depend on the machine's load: with V8's
// `--predictable` (one thread, no memory reducer, fixed young generation) two runs of the same
// server agree to 0.1 %. What they leave out is the kernel's share (sockets, about a third
// of Express's CPU time here), so a percentage over bare reads higher than the same cost in
// CPU time would.
//
// Every configuration carries an idle PerformanceMonitor here (BENCH_IDLE_MONITOR): under
// valgrind a request takes ~50× longer, so the monitor's clock-driven sampling would
// otherwise be charged ~50× over to perfkit's requests.
//
// Each configuration runs the bench server (bench/http/server.ts) under callgrind with
// counting off; WARM_REQUESTS requests warm it up, then counting is switched on for
// COUNTED_REQUESTS more (one connection, so requests never batch differently between runs).
import { V8_FLAGS, requireValgrind, runUnderCallgrind } from './callgrind'
import { compiledServer } from './compile'
import type { Framework, Variant } from './server'

const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1'
const WARM_REQUESTS = smoke ? 200 : 3000
const COUNTED_REQUESTS = smoke ? 200 : 9000
// Two servers at once: valgrind runs a process on one CPU, and the machine has two.
const PARALLEL = 2

const LABELS: Record<Variant, Record<Framework, string>> = {
  bare: { express: 'bare Express 5', fastify: 'bare Fastify 5' },
  control: { express: 'bare again (same code)', fastify: 'bare again (same code)' },
  hook: { express: 'minimal timing hook', fastify: 'minimal timing hook' },
  perfkit: { express: 'perfkit middleware + router', fastify: 'perfkitPlugin' },
  incumbent: { express: 'express-prom-bundle', fastify: 'fastify-metrics' },
}
const VARIANTS: Variant[] = smoke ? ['bare', 'perfkit'] : ['bare', 'control', 'hook', 'perfkit', 'incumbent']

/** The server, as plain JavaScript run by plain node (see compile.ts). */
const serverFile = compiledServer()

/** Instructions per request of one configuration. */
async function count(framework: Framework, variant: Variant): Promise<number> {
  const { stderr } = await runUnderCallgrind({ serverFile, framework, variant, warm: WARM_REQUESTS, counted: COUNTED_REQUESTS, valgrindArgs: ['--callgrind-out-file=/dev/null'] })
  const collected = /Collected\s*:\s*(\d+)/.exec(stderr)
  if (collected === null) throw new Error(`${framework} ${variant}: no instruction count from callgrind:\n${stderr.slice(-2000)}`)
  return Number(collected[1]) / COUNTED_REQUESTS
}

async function main(): Promise<void> {
  requireValgrind()
  console.log(`perfkit HTTP instructions per request on Node ${process.version} (callgrind, V8 ${V8_FLAGS.join(' ')})${smoke ? ' (smoke mode: figures are not meaningful)' : ''}`)
  console.log(`${WARM_REQUESTS} requests to warm up, ${COUNTED_REQUESTS} counted, one connection; user-space instructions only`)
  const jobs = (['express', 'fastify'] as const).flatMap((framework) => VARIANTS.map((variant) => ({ framework, variant })))
  const results = new Map<string, number>()
  let next = 0
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++] as (typeof jobs)[number]
        results.set(`${job.framework} ${job.variant}`, await count(job.framework, job.variant))
      }
    }),
  )
  for (const framework of ['express', 'fastify'] as const) {
    const bare = results.get(`${framework} bare`) as number
    console.log(`\n${framework === 'express' ? 'Express 5' : 'Fastify 5'}`)
    console.log(`${'configuration'.padEnd(30)} ${'instructions/req'.padStart(17)} ${'vs bare'.padStart(9)}`)
    for (const variant of VARIANTS) {
      const n = results.get(`${framework} ${variant}`) as number
      const over = variant === 'bare' ? '' : `${((n / bare - 1) * 100).toFixed(1)} %`
      console.log(`${LABELS[variant][framework].padEnd(30)} ${Math.round(n).toString().padStart(17)} ${over.padStart(9)}`)
    }
    if (!smoke) {
      const perfkit = results.get(`${framework} perfkit`) as number
      const hook = results.get(`${framework} hook`) as number
      console.log(`perfkit vs minimal hook: ${perfkit >= hook ? '+' : ''}${Math.round(perfkit - hook)} instructions per request (${(((perfkit - hook) / bare) * 100).toFixed(1)} points)`)
    }
  }
}

await main()
// autocannon can leave a handle open after its last run.
process.exit()
