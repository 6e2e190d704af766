/** Label names to values of one series. */
export type Labels = Readonly<Record<string, string>>

/** Events emitted by PerformanceMonitor. Filled in by the monitor issue. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MonitorEvents {}
