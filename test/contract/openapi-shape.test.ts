// What a client generator needs from the committed openapi/arcext.json, operation by operation: the api-version the
// server requires (as the enum of versions the route serves), a unique operationId, the responses the route really
// gives with their schemas, ARM's error envelope for everything else, and a realistic example for every request body.
import { describe, expect, it } from 'vitest'
import { loadCommittedDocument } from '../helpers/openapi-client.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const doc = loadCommittedDocument()
const operations = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
  Object.entries(item as Json).map(([method, operation]) => ({ label: `${method.toUpperCase()} ${path}`, method, operation: operation as Json })),
)
const definition = (schema: Json | undefined): Json | undefined => (schema?.$ref ? doc.definitions[String(schema.$ref).replace('#/definitions/', '')] : schema)

describe('committed OpenAPI document, for generators', () => {
  it('has operations to check', () => {
    expect(operations.length).toBeGreaterThan(40)
  })

  it.each(operations.map((o) => [o.label, o.operation]))('%s requires api-version from an enum of api-versions', (_label, operation) => {
    const apiVersion = (operation.parameters as Json[]).find((p) => p.name === 'api-version')
    expect(apiVersion).toMatchObject({ in: 'query', required: true, type: 'string' })
    expect(apiVersion!.enum.length).toBeGreaterThan(0)
    for (const version of apiVersion!.enum) expect(version).toMatch(/^\d{4}-\d{2}-\d{2}(-preview)?$/)
  })

  it('names every operation, each name once', () => {
    const ids = operations.map((o) => o.operation.operationId)
    for (const [i, id] of ids.entries()) expect(id, operations[i]!.label).toMatch(/^[A-Za-z]+_[A-Za-z]+$/)
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([])
  })

  it('uses the upstream operationIds for the operations upstream has', () => {
    const ids = new Set(operations.map((o) => o.operation.operationId))
    for (const id of ['Extensions_Create', 'Extensions_Get', 'Extensions_Update', 'Extensions_Delete', 'Extensions_List', 'OperationStatus_Get', 'OperationStatus_List', 'Operations_List'])
      expect(ids.has(id), id).toBe(true)
    for (const id of ['ConnectedCluster_Create', 'ConnectedCluster_Get', 'ConnectedCluster_Update', 'ConnectedCluster_Delete', 'ConnectedCluster_ListByResourceGroup'])
      expect(ids.has(id), id).toBe(true)
  })

  it.each(operations.map((o) => [o.label, o.operation]))('%s answers errors with the ARM error envelope', (_label, operation) => {
    expect(operation.responses.default?.schema).toEqual({ $ref: '#/definitions/ErrorResponse' })
  })

  it.each(operations.filter((o) => o.method === 'put').map((o) => [o.label, o.operation]))('%s documents 200 and 201 with the resource', (_label, operation) => {
    expect(operation.responses['200']?.schema?.$ref).toEqual(expect.any(String))
    expect(operation.responses['201']?.schema).toEqual(operation.responses['200'].schema)
  })

  it.each(operations.filter((o) => o.method === 'delete').map((o) => [o.label, o.operation]))('%s documents 200, 202 and 204', (_label, operation) => {
    expect(Object.keys(operation.responses).sort()).toEqual(['200', '202', '204', 'default'])
  })

  it.each(operations.filter((o) => o.method === 'get' || o.method === 'patch').map((o) => [o.label, o.operation]))('%s documents what it answers with a schema', (_label, operation) => {
    const success = Object.entries(operation.responses as Json).filter(([code]) => code.startsWith('2'))
    expect(success.length).toBeGreaterThan(0)
    // The operationResults (Location) URLs answer 202 and 204 without a body, so not every success carries one.
    expect(
      success.some(([code, response]) => response.schema?.$ref || code === '202'),
      JSON.stringify(operation.responses),
    ).toBe(true)
  })

  it.each(operations.filter((o) => (o.operation.parameters as Json[]).some((p) => p.in === 'body')).map((o) => [o.label, o.operation]))(
    '%s shows a written example of its body, not one generated from the schema',
    (_label, operation) => {
      const body = (operation.parameters as Json[]).find((p) => p.in === 'body')!
      const example = definition(body.schema)?.example
      expect(example).toEqual(expect.any(Object))
      expect(JSON.stringify(example)).not.toMatch(/"string"|-EQS/)
    },
  )
})
