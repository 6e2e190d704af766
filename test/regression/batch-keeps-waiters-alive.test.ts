// A script whose only pending work was a queued predict() exited (code 13, unsettled
// top-level await) because the batch deadline timer was unref'd. Timers that callers wait on
// now hold the process open; background timers still do not.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const script = fileURLToPath(new URL('../fixtures/scripts/await-predict.ts', import.meta.url))

describe('batching keeps a waiting caller’s process alive', () => {
  it('settles a queued predict() and a retried add() before the process exits', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { timeout: 15_000 })
    expect(stdout).toContain('predict: 42')
    expect(stdout).toContain('add: 1')
  })
})
