// extensions at 2024-11-01 (what Terraform's azurerm provider and Azure Service Operator call): the 2023-05-01 shape.
import type { ExtensionVersionDefinition } from '../extension-version.js'
import { extensions as v20230501 } from '../v2023-05-01/extensions.js'

export const extensions: ExtensionVersionDefinition = { ...v20230501, version: '2024-11-01' }
