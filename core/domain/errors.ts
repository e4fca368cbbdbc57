// Domain failures carry reasons, not HTTP statuses; api/arm maps them to ARM error codes.

/** A write arrived while another operation on the same resource has not reached a terminal state. */
export class OperationInProgressError extends Error {
  constructor(
    readonly resourceId: string,
    readonly operationId: string | null,
  ) {
    super(operationId ? `Operation ${operationId} on ${resourceId} is still in progress; retry once it has completed.` : `Another request is changing ${resourceId}; retry once it has completed.`)
  }
}

/** The row changed between read and write (ETag / optimistic concurrency). */
export class ConcurrentModificationError extends Error {
  constructor(readonly resourceId: string) {
    super(`${resourceId} was modified by another request; read it again and retry.`)
  }
}
