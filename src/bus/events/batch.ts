/** Events emitted by the batch primitives. Filled in by the issue that builds them. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface BatchEvents {}
