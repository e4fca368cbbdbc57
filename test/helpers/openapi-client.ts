// A client generated at runtime from the committed OpenAPI document: one function per operationId, built only
// from what the document says (path template, parameters and where they go, x-ms-long-running-operation,
// x-ms-pageable). If the document is wrong, this client is wrong, which is the point.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from '../../core/paths.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

interface GeneratedResponse {
  status: number
  headers: Headers
  body: Json | undefined
}

type OperationCall = (args: Record<string, string | undefined>, body?: unknown) => Promise<GeneratedResponse>

export interface GeneratedClient {
  operations: Record<string, OperationCall>
  /** Runs a long-running operation to its end the way autorest clients do: poll Azure-AsyncOperation. */
  runToCompletion(operationId: string, args: Record<string, string | undefined>, body?: unknown): Promise<{ initial: GeneratedResponse; status: Json | undefined }>
  /** Every item of a pageable operation, following its nextLinkName. */
  listAll(operationId: string, args: Record<string, string | undefined>): Promise<Json[]>
}

export function loadCommittedDocument(): Json {
  return JSON.parse(readFileSync(path.join(repoRoot, 'openapi', 'arcext.json'), 'utf8'))
}

async function send(method: string, url: string, body?: unknown): Promise<GeneratedResponse> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined }
}

export function generateClient(doc: Json, baseUrl: string): GeneratedClient {
  const operations: Record<string, OperationCall> = {}
  const meta: Record<string, Json> = {}
  for (const [template, item] of Object.entries(doc.paths as Json)) {
    for (const [method, op] of Object.entries(item as Json)) {
      const operation = op as Json
      if (!operation.operationId) continue
      meta[operation.operationId] = operation
      operations[operation.operationId] = async (args, body) => {
        let urlPath = template
        const query = new URLSearchParams()
        for (const parameter of operation.parameters as Json[]) {
          const value = args[parameter.name]
          if (parameter.in === 'body') {
            if (parameter.required && body === undefined) throw new Error(`${operation.operationId}: body '${parameter.name}' is required`)
            continue
          }
          if (value === undefined) {
            if (parameter.required) throw new Error(`${operation.operationId}: parameter '${parameter.name}' is required`)
            continue
          }
          // Generators turn an enum into a union type, so a value outside it would not compile.
          if (parameter.enum && !parameter.enum.includes(value)) throw new Error(`${operation.operationId}: '${value}' is not one of ${parameter.name} ${parameter.enum.join(', ')}`)
          if (parameter.in === 'path') urlPath = urlPath.replace(`{${parameter.name}}`, encodeURIComponent(value))
          else if (parameter.in === 'query') query.set(parameter.name, value)
        }
        return send(method.toUpperCase(), `${baseUrl}${urlPath}?${query}`, body)
      }
    }
  }

  return {
    operations,
    async runToCompletion(operationId, args, body) {
      const operation = meta[operationId]
      if (!operation?.['x-ms-long-running-operation']) throw new Error(`${operationId} is not long-running in the document`)
      const initial = await operations[operationId]!(args, body)
      const statusUrl = initial.headers.get('azure-asyncoperation')
      if (!statusUrl) return { initial, status: undefined }
      for (let i = 0; i < 400; i++) {
        const status = await send('GET', statusUrl)
        if (['Succeeded', 'Failed', 'Canceled'].includes(status.body?.status)) return { initial, status: status.body }
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      throw new Error(`${operationId} did not finish`)
    },
    async listAll(operationId, args) {
      const nextLinkName = meta[operationId]?.['x-ms-pageable']?.nextLinkName
      if (!nextLinkName) throw new Error(`${operationId} is not pageable in the document`)
      const items: Json[] = []
      let page = await operations[operationId]!(args)
      for (;;) {
        items.push(...(page.body?.value ?? []))
        const next = page.body?.[nextLinkName]
        if (!next) return items
        page = await send('GET', next)
      }
    },
  }
}
