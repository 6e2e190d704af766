/** Events emitted by the insights primitives. Filled in by the issue that builds them. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InsightsEvents {}
