// extensions at 2022-07-01: the 2022-03-01 shape; a PATCH that changes nothing answers 200.
import type { ExtensionVersionDefinition } from '../extension-version.js'
import { extensions as v20220301 } from '../v2022-03-01/extensions.js'

export const extensions: ExtensionVersionDefinition = { ...v20220301, version: '2022-07-01', noOpPatchStatus: 200 }
