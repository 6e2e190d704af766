// One analysis pass: every analyser, most severe finding first.
import { severityRank } from '../thresholds'
import type { AnalysisContext, BottleneckDraft } from './context'
import { analyzeCpu, analyzeEventLoop, analyzeMemory } from './resources'
import { analyzeCaches, analyzeDatabase, analyzeIo, analyzeQueues } from './workload'

export type { AnalysisContext, BottleneckDraft, LeakSignal } from './context'
export { M, windowFor } from './context'

/** Runs every analyser over the monitor and returns the findings, most severe first. */
export function analyze(ctx: AnalysisContext): BottleneckDraft[] {
  const found: BottleneckDraft[] = []
  const push = (d: BottleneckDraft | undefined) => {
    if (d !== undefined) found.push(d)
  }
  push(analyzeCpu(ctx))
  push(analyzeMemory(ctx))
  push(analyzeEventLoop(ctx))
  const database = analyzeDatabase(ctx)
  push(database)
  // Slow queries are the more specific explanation of slow, idle-CPU responses.
  if (database === undefined) push(analyzeIo(ctx))
  found.push(...analyzeQueues(ctx), ...analyzeCaches(ctx))
  return found.sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || b.confidence - a.confidence)
}
