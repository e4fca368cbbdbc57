// The shipped catalog's Flux support window, for tests that install Flux only as an example extension: they follow a
// refresh of the shipped catalog instead of naming its versions. Rules about versions are tested on the seed-dated
// fixture (test/catalog/seed.ts) or on catalogs of their own.
import { findReleaseTrain, loadCatalog, shippedCatalogFile, supportedVersions } from '../../core/catalog/index.js'

const flux = loadCatalog(shippedCatalogFile()).findType('microsoft.flux')!
const [newest, previous] = supportedVersions(flux, findReleaseTrain(flux, 'Stable')!)

/** The newest Flux version: what an install that pins none gets. */
export const FLUX_NEWEST = newest!
/** The version before it, still inside the N-2 window and reachable from it (no upgradeFrom stop between them). */
export const FLUX_PREVIOUS = previous!
