/** Events emitted by the alerts primitives. Filled in by the issue that builds them. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AlertsEvents {}
