// Each api-version lives in a folder of its own under api/versions/ (v{version}/); the registries list exactly those
// folders, so a version cannot be added on disk and forgotten by the routes, or served without a folder.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXTENSION_API_VERSIONS } from '../../api/versions/extension-api-versions.js'
import { EXTENSION_TYPE_API_VERSIONS_TABLE } from '../../api/versions/extension-type-api-versions.js'
import { repoRoot } from '../../core/paths.js'

const VERSIONS_DIR = path.join(repoRoot, 'api', 'versions')
const folders = readdirSync(VERSIONS_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name.startsWith('v'))

function registered(file: string): string[] {
  return folders
    .filter((folder) => readdirSync(path.join(VERSIONS_DIR, folder.name)).includes(file))
    .map((folder) => folder.name.slice(1))
    .sort()
}

describe('the api-version registry', () => {
  it('serves extensions at exactly the versions that have a v{version}/extensions.ts, each under its own name', () => {
    expect(Object.keys(EXTENSION_API_VERSIONS).sort()).toEqual(registered('extensions.ts'))
    for (const [version, entry] of Object.entries(EXTENSION_API_VERSIONS)) expect(entry.version).toBe(version)
  })

  it('serves extensionTypes at exactly the versions that have a v{version}/extension-types.ts, each under its own name', () => {
    expect(Object.keys(EXTENSION_TYPE_API_VERSIONS_TABLE).sort()).toEqual(registered('extension-types.ts'))
    for (const [version, entry] of Object.entries(EXTENSION_TYPE_API_VERSIONS_TABLE)) expect(entry.version).toBe(version)
  })

  it('has no version folder that serves nothing', () => {
    const serving = new Set([...registered('extensions.ts'), ...registered('extension-types.ts')])
    expect(folders.map((folder) => folder.name.slice(1)).filter((version) => !serving.has(version))).toEqual([])
  })
})
