// Readings of a request several ARM rules share: what its method does to a resource (throttling budgets,
// docs/arm-rules.md rule 56, and RBAC actions count read/write/delete the same way), and its headers as the client sent them.

export type RequestKind = 'read' | 'write' | 'delete'

export function requestKind(method: string): RequestKind {
  if (method === 'GET' || method === 'HEAD') return 'read'
  return method === 'DELETE' ? 'delete' : 'write'
}

/**
 * Every value of header `name` as the client sent it, from Node's raw list: repeated headers are all there, and a
 * value a hook removed from `headers` (request-body.ts drops a bodyless request's Content-Type) is still there.
 */
export function rawHeaderValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = []
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]!.toLowerCase() === name) values.push(rawHeaders[index + 1]!)
  }
  return values
}
