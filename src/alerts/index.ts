/**
 * Alerting: rules over a metric source, a lifecycle with Alertmanager's semantics, silences,
 * inhibition, grouping and notifiers.
 * @module
 */
export { AlertEngine } from './alert-engine'
export type { AlertEngineStats } from './alert-engine'
export type { AlertEngineOptions, NotifyCallback } from './engine-options'
export type { RateLimit, DispatchStats } from './dispatcher'
export type { NotifierStats } from './delivery'
export type { ForecastValue } from './math'
export type { MetricSource, MetricWindow, SourceStats } from './source'
export { genericProfile, referenceProfile } from './profiles'
export type { GenericThresholds, LevelPair, ProfileOptions, ReferenceThresholds } from './profiles'
export { callbackNotifier } from './notifiers/callback'
export type { NotifierOptions } from './notifiers/callback'
export { loggerNotifier } from './notifiers/logger'
export type { AlertLogger, LoggerNotifierOptions } from './notifiers/logger'
export { webhookNotifier } from './notifiers/webhook'
export type { WebhookNotifierOptions } from './notifiers/webhook'
export { emailNotifier } from './notifiers/email'
export type { EmailMessage, EmailNotifierOptions, EmailTransporter } from './notifiers/email'
export type * from './types'
