// extensionTypes at 2024-11-01-preview: the newest, with version resources; the 2023-05-01-preview shape plus each
// type's release trains.
import type { ExtensionTypeApiVersion } from '../extension-type-api-versions.js'
import { releaseTrainNames } from '../extension-type-convert.js'
import { extensionTypes as v20230501preview } from '../v2023-05-01-preview/extension-types.js'

export const extensionTypes: ExtensionTypeApiVersion = {
  ...v20230501preview,
  version: '2024-11-01-preview',
  typeToWire: (spec, collectionId) => {
    const resource = v20230501preview.typeToWire(spec, collectionId)
    resource.properties.releaseTrains = releaseTrainNames(spec)
    return resource
  },
}
