// Analysers of the process's own resources: CPU, memory (pressure and heap growth), event loop.
import type { Evidence, InsightSeverity } from '../../bus/events/insights'
import { fitLine, fmt, fmtBytes, fmtDuration, fmtSeconds, shareBeyond } from '../math'
import { grade, worse } from '../thresholds'
import { type AnalysisContext, type BottleneckDraft, M, draft, ev, meanOf, recent, sustainedConfidence } from './context'

/** A single reading above warning with most of the window below it is a spike, not saturation. */
const MIN_SUSTAINED_SHARE = 0.5

/**
 * CPU-bound: process or system CPU past its level for most of the window, or, failing that, a
 * main thread busy nearly all the time while the loop still answers quickly. The monitor's
 * process CPU is a share of all cores, so one saturated JavaScript thread on an 8-core machine
 * reads 12.5 %; event-loop utilisation is what sees it.
 */
export function analyzeCpu(ctx: AnalysisContext): BottleneckDraft | undefined {
  return machineCpu(ctx) ?? mainThread(ctx)
}

function machineCpu(ctx: AnalysisContext): BottleneckDraft | undefined {
  const levels = ctx.thresholds.cpuPercent
  const readings = ([M.processCpu, M.systemCpu] as string[])
    .map((metric) => ({ metric, value: ctx.read.value(metric) }))
    .filter((r): r is { metric: string; value: number } => r.value !== undefined)
  if (readings.length === 0) return undefined
  const top = readings.reduce((a, b) => (b.value > a.value ? b : a))
  const severity = grade(top.value, levels)
  if (severity === undefined) return undefined
  const history = recent(ctx, top.metric)
  const share = history.length >= 3 ? shareBeyond(history, levels.warning) : 1
  if (share < MIN_SUSTAINED_SHARE && severity !== 'critical') return undefined
  const evidence: Evidence[] = readings.map((r) => ev(r.metric, 'value', r.value, 'percent', { threshold: levels.warning }))
  const mean = meanOf(history)
  if (mean !== undefined && history.length >= 3) {
    evidence.push(ev(top.metric, 'mean', mean, 'percent', { note: `mean over the last ${fmtDuration(ctx.windowMs)}` }))
    evidence.push(ev(top.metric, 'share-above-warning', share, 'ratio', { threshold: levels.warning, note: 'share of history points at or above the warning level' }))
  }
  const elu = ctx.read.value(M.loopUtilization)
  if (elu !== undefined) evidence.push(ev(M.loopUtilization, 'value', elu, 'ratio'))
  const load = ctx.read.value(M.loadAverage)
  if (load !== undefined) evidence.push(ev(M.loadAverage, 'value', load, 'count'))
  const who = top.metric === M.processCpu ? 'Process' : 'System'
  const held = history.length >= 3 ? `, at or above ${levels.warning} % for ${Math.round(share * 100)} % of the last ${fmtDuration(ctx.windowMs)}` : ''
  return draft({
    id: 'cpu',
    kind: 'cpu',
    severity,
    confidence: sustainedConfidence(share, history.length),
    title: severity === 'critical' ? 'CPU saturated' : 'High CPU usage',
    description: `${who} CPU is at ${fmt(top.value)} %${held}. Work queues behind the CPU, so latency rises with load.`,
    recommendation: 'Profile under load (node --cpu-prof), fix the hottest frames, and move CPU-heavy work to worker threads.',
    evidence,
  })
}

function mainThread(ctx: AnalysisContext): BottleneckDraft | undefined {
  const busy = ctx.thresholds.eventLoopUtilization
  const elu = ctx.read.value(M.loopUtilization)
  const p99 = ctx.read.value(M.loopP99)
  // A loop that is also slow to answer is the event-loop finding's business.
  if (elu === undefined || (p99 !== undefined && p99 >= ctx.thresholds.eventLoopDelaySeconds.warning)) return undefined
  const severity = grade(elu, busy)
  if (severity === undefined) return undefined
  const history = recent(ctx, M.loopUtilization)
  const share = history.length >= 3 ? shareBeyond(history, busy.warning) : 1
  if (share < MIN_SUSTAINED_SHARE && severity !== 'critical') return undefined
  const evidence: Evidence[] = [ev(M.loopUtilization, 'value', elu, 'ratio', { threshold: busy.warning })]
  if (history.length >= 3) evidence.push(ev(M.loopUtilization, 'share-above-warning', share, 'ratio', { threshold: busy.warning }))
  if (p99 !== undefined) evidence.push(ev(M.loopP99, 'value', p99, 'seconds', { note: 'the loop still answers: steady CPU work, not long blocking calls' }))
  const cpu = ctx.read.value(M.processCpu)
  if (cpu !== undefined) evidence.push(ev(M.processCpu, 'value', cpu, 'percent', { note: '% of all cores: one busy thread is a fraction of it' }))
  return draft({
    id: 'cpu',
    kind: 'cpu',
    severity,
    confidence: sustainedConfidence(share, history.length),
    title: 'Main thread saturated',
    description: `The event loop is busy ${fmt(elu * 100)} % of the time${p99 === undefined ? '' : ` while its p99 delay stays at ${fmtSeconds(p99)}`}: the JavaScript thread is CPU-bound, and every new request queues behind the work already running.`,
    recommendation: 'Profile under load (node --cpu-prof) to find the hot code; move CPU-heavy work to worker threads or run one process per core.',
    evidence,
  })
}

/** Memory-bound: memory or heap near its limit, and/or a heap that keeps growing (a suspected leak). */
export function analyzeMemory(ctx: AnalysisContext): BottleneckDraft | undefined {
  const levels = ctx.thresholds.memoryPercent
  const evidence: Evidence[] = []
  let severity: InsightSeverity | undefined
  let confidence = 0
  const parts: string[] = []

  const system = ctx.read.value(M.systemMemory)
  const heapUsed = ctx.read.value(M.heapUsed)
  const heapPercent = heapUsed === undefined ? undefined : (heapUsed / ctx.heapLimitBytes) * 100
  const pressure = [
    { metric: M.systemMemory as string, percent: system, label: 'System memory' },
    { metric: M.heapUsed as string, percent: heapPercent, label: 'Heap' },
  ].filter((r): r is { metric: string; percent: number; label: string } => r.percent !== undefined)
  for (const r of pressure) {
    const level = grade(r.percent, levels)
    if (level === undefined) continue
    const history = recent(ctx, r.metric)
    const threshold = r.metric === M.heapUsed ? (levels.warning / 100) * ctx.heapLimitBytes : levels.warning
    const share = history.length >= 3 ? shareBeyond(history, threshold) : 1
    if (share < MIN_SUSTAINED_SHARE && level !== 'critical') continue
    severity = worse(level, severity)
    confidence = Math.max(confidence, sustainedConfidence(share, history.length))
    parts.push(`${r.label} is at ${fmt(r.percent)} % of its limit`)
  }
  if (system !== undefined) evidence.push(ev(M.systemMemory, 'value', system, 'percent', { threshold: levels.warning }))
  if (heapUsed !== undefined && heapPercent !== undefined) {
    evidence.push(ev(M.heapUsed, 'value', heapUsed, 'bytes', { threshold: (levels.warning / 100) * ctx.heapLimitBytes, note: `${fmt(heapPercent)} % of the ${fmtBytes(ctx.heapLimitBytes)} heap limit` }))
  }

  const leak = heapGrowth(ctx, heapUsed)
  if (leak !== undefined) {
    severity = worse(leak.severity, severity)
    confidence = Math.max(confidence, leak.confidence)
    evidence.push(...leak.evidence)
    parts.push(leak.text)
  } else if (ctx.leak !== undefined) {
    severity = worse('medium', severity)
    confidence = Math.max(confidence, 0.7)
    evidence.push(...ctx.leak.evidence)
    parts.push(ctx.leak.description)
  }
  if (severity === undefined) return undefined
  const rss = ctx.read.value(M.rss)
  if (rss !== undefined) evidence.push(ev(M.rss, 'value', rss, 'bytes'))
  const leaking = leak !== undefined || ctx.leak !== undefined
  const pressured = parts.length > (leaking ? 1 : 0)
  return draft({
    id: 'memory',
    kind: 'memory',
    severity,
    confidence,
    title: leaking && pressured ? 'Memory pressure with a growing heap' : leaking ? 'Suspected heap leak' : 'Memory pressure',
    description: `${parts.join('; ')}.`,
    recommendation: leaking
      ? 'Take two heap snapshots minutes apart and compare retained objects; bound every cache, map and listener list that grows.'
      : 'Bound in-process caches, release large buffers early, and raise the memory limit only once growth is understood.',
    evidence,
  })
}

function heapGrowth(ctx: AnalysisContext, heapUsed: number | undefined): { severity: InsightSeverity; confidence: number; evidence: Evidence[]; text: string } | undefined {
  const points = ctx.read.history(M.heapUsed, ctx.now - ctx.leakWindowMs)
  const fit = fitLine(points)
  if (fit === undefined || fit.n < 6 || fit.slope <= 0 || fit.start <= 0 || fit.r2 < 0.8) return undefined
  const growthPercent = ((fit.end - fit.start) / fit.start) * 100
  if (growthPercent < ctx.thresholds.leakGrowthPercent) return undefined
  const current = heapUsed ?? fit.end
  const secondsToLimit = (ctx.heapLimitBytes - current) / fit.slope
  const severity: InsightSeverity = secondsToLimit < 15 * 60 ? 'critical' : secondsToLimit < 3600 ? 'high' : 'medium'
  const perMinute = fit.slope * 60
  const evidence = [
    ev(M.heapUsed, 'slope', fit.slope, 'bytes-per-second', { note: `grew ${fmt(growthPercent)} % over ${fmtDuration(fit.spanMs)} (R² ${fmt(fit.r2)})` }),
    ev(M.heapUsed, 'growth-percent', growthPercent, 'percent', { threshold: ctx.thresholds.leakGrowthPercent }),
  ]
  if (secondsToLimit > 0) evidence.push(ev(M.heapUsed, 'seconds-to-limit', secondsToLimit, 'seconds', { note: 'at the current growth rate' }))
  const eta = secondsToLimit > 0 ? `, reaching the heap limit in about ${fmtDuration(secondsToLimit * 1000)}` : ''
  return {
    severity,
    confidence: Math.min(0.95, 0.45 + 0.5 * fit.r2),
    evidence,
    text: `Heap used grows steadily by ${fmtBytes(perMinute)}/min (${fmt(growthPercent)} % over ${fmtDuration(fit.spanMs)})${eta}`,
  }
}

/** Event-loop blocked: a high loop delay (long synchronous stretches), with utilisation as evidence. */
export function analyzeEventLoop(ctx: AnalysisContext): BottleneckDraft | undefined {
  const delay = ctx.thresholds.eventLoopDelaySeconds
  const busy = ctx.thresholds.eventLoopUtilization
  const p99 = ctx.read.value(M.loopP99)
  if (p99 === undefined) return undefined
  const delayLevel = grade(p99, delay)
  if (delayLevel === undefined) return undefined
  const elu = ctx.read.value(M.loopUtilization)
  const severity = worse(delayLevel, elu === undefined ? undefined : grade(elu, busy))
  const history = recent(ctx, M.loopP99)
  const share = history.length >= 3 ? shareBeyond(history, delay.warning) : 1
  if (share < MIN_SUSTAINED_SHARE && severity !== 'critical') return undefined
  const evidence: Evidence[] = [ev(M.loopP99, 'value', p99, 'seconds', { threshold: delay.warning })]
  const max = ctx.read.value(M.loopMax)
  if (max !== undefined) evidence.push(ev(M.loopMax, 'value', max, 'seconds'))
  const p50 = ctx.read.value(M.loopP50)
  if (p50 !== undefined) evidence.push(ev(M.loopP50, 'value', p50, 'seconds'))
  if (elu !== undefined) evidence.push(ev(M.loopUtilization, 'value', elu, 'ratio', { threshold: busy.warning }))
  if (history.length >= 3) evidence.push(ev(M.loopP99, 'share-above-warning', share, 'ratio', { threshold: delay.warning }))
  const busyText = elu === undefined ? '' : ` and the loop is busy ${fmt(elu * 100)} % of the time`
  return draft({
    id: 'event-loop',
    kind: 'event-loop',
    severity,
    confidence: sustainedConfidence(share, history.length),
    title: 'Event loop blocked',
    description: `p99 event-loop delay is ${fmtSeconds(p99)}${max === undefined ? '' : ` (max ${fmtSeconds(max)})`}${busyText}: synchronous work holds the loop, and every request and timer waits behind it.`,
    recommendation: 'Find the blocking synchronous calls (node --cpu-prof, or --trace-sync-io), and split or offload long loops, big JSON work and sync I/O.',
    evidence,
  })
}
