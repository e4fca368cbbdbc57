// extensions at 2023-05-01: Azure's default api-version; the 2022-11-01 shape.
import type { ExtensionVersionDefinition } from '../extension-version.js'
import { extensions as v20221101 } from '../v2022-11-01/extensions.js'

export const extensions: ExtensionVersionDefinition = { ...v20221101, version: '2023-05-01' }
