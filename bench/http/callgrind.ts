// One bench:http server under callgrind, the part bench:http:instructions and
// bench:http:by-function share: counting off while WARM requests warm the server up, on for
// the COUNTED requests (one connection, so requests never batch differently between runs),
// off again, then the server exits.
import { type ChildProcess, execFileSync, fork, spawnSync } from 'node:child_process'
// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon'
import { SERVER_ENV } from './compile'
import { type Framework, LOAD_PATH, type Variant } from './server'

/** V8 flags that make a server's instruction count repeatable (one thread, fixed young generation). */
export const V8_FLAGS = ['--predictable', '--no-memory-reducer', '--min-semi-space-size=16', '--max-semi-space-size=16']

/** Exits with a hint when valgrind's tools are missing. */
export function requireValgrind(): void {
  for (const tool of ['valgrind', 'callgrind_control']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) {
      console.error(`${tool} is needed (Debian: apt-get install valgrind)`)
      process.exit(1)
    }
  }
}

function fire(port: number, amount: number, connections: number): Promise<{ non2xx: number; errors: number }> {
  return autocannon({ url: `http://127.0.0.1:${port}${LOAD_PATH}`, connections, amount, timeout: 60 })
}

export interface CallgrindRun {
  serverFile: string
  framework: Framework
  variant: Variant
  warm: number
  counted: number
  /** Extra callgrind options (where the profile goes). */
  valgrindArgs: string[]
  /** Extra V8 flags besides {@link V8_FLAGS}. */
  v8Flags?: string[]
  /**
   * Connections of the load (default 1). With more, the warm-up begins with three 1 s loads
   * cut off mid-request, as bench:http's slices end, so the counted requests run in the state
   * a bench:http server is in (aborts seen, batches of requests per event-loop turn).
   */
  connections?: number
}

/** Runs one server under callgrind; resolves with its pid and the tail of valgrind's stderr (its summary). */
export async function runUnderCallgrind(run: CallgrindRun): Promise<{ pid: number; stderr: string }> {
  const { framework, variant } = run
  // Every configuration carries an idle monitor and none snapshots history (see server.ts).
  const child: ChildProcess = fork(run.serverFile, [framework, variant], {
    execPath: 'valgrind',
    execArgv: ['--tool=callgrind', '--instr-atstart=no', ...run.valgrindArgs, process.execPath, ...(run.v8Flags ?? []), ...V8_FLAGS],
    env: { ...process.env, ...SERVER_ENV, NODE_ENV: 'production', BENCH_IDLE_MONITOR: '1', BENCH_HISTORY_MS: '0' },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000)
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { type: string; port: number }) => (m.type === 'ready' ? resolve(m.port) : reject(new Error(m.type))))
    void exited.then((code) => reject(new Error(`${framework} ${variant} under valgrind exited with ${code}:\n${stderr.slice(-2000)}`)))
  })
  const check = (result: { non2xx: number; errors: number }) => {
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${framework} ${variant}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  }
  const connections = run.connections ?? 1
  if (connections > 1) for (let i = 0; i < 3; i++) await autocannon({ url: `http://127.0.0.1:${port}${LOAD_PATH}`, connections, duration: 1, timeout: 60 })
  check(await fire(port, run.warm, connections))
  execFileSync('callgrind_control', ['--instr=on', String(child.pid)], { stdio: 'ignore' })
  check(await fire(port, run.counted, connections))
  execFileSync('callgrind_control', ['--instr=off', String(child.pid)], { stdio: 'ignore' })
  child.send({ type: 'exit' })
  await exited
  return { pid: child.pid as number, stderr }
}
