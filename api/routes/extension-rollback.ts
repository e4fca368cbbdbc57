// POST {extension id}/rollback: back to the extension's last known good version and settings, as an ordinary
// operation (202 with Azure-AsyncOperation and Location, as a PUT's long-running answer). 409 NothingToRollBack when
// there is no last known good or the extension already runs it; 409 AnotherOperationInProgress while one runs.
import type { FastifyInstance } from 'fastify'
import { OperationInProgressError } from '../../core/domain/errors.js'
import { acceptExtensionRollback, findExtension, rollbackTarget } from '../../core/store/extensions.js'
import { deliverOrLeaveToOutbox } from '../../core/store/outbox.js'
import { lastGoodOf } from '../../core/domain/last-good.js'
import { answerAccepted } from '../arm/accepted-answer.js'
import { ArmErrors } from '../arm/errors.js'
import { assertPreconditions } from '../arm/etag.js'
import { judgedAgainstLatest } from '../arm/lost-race.js'
import { addressedExtension } from '../arm/resource-path.js'
import { SUPPORTED_EXTENSION_API_VERSIONS } from '../versions/extension-api-versions.js'
import { EXTENSION_RESOURCE_TYPE } from '../versions/extension-convert.js'
import { extensionRouteSchemas } from './extension-route-schemas.js'
import { EXTENSION_PATH } from './paths.js'

const config = { arm: { resourceType: EXTENSION_RESOURCE_TYPE, apiVersions: SUPPORTED_EXTENSION_API_VERSIONS } }

export async function extensionRollbackRoutes(app: FastifyInstance): Promise<void> {
  const { db, queue } = app.services

  app.post(`${EXTENSION_PATH}/rollback`, { config, schema: extensionRouteSchemas.rollback }, async (request, reply) => {
    const addressed = addressedExtension(request)
    const accepted = await judgedAgainstLatest(async () => {
      const extension = await findExtension(db, addressed.key)
      if (!extension) throw ArmErrors.resourceNotFound(EXTENSION_RESOURCE_TYPE, addressed.id)
      assertPreconditions(request, extension)
      if (extension.activeOperationId) throw new OperationInProgressError(extension.resourceId, extension.activeOperationId)
      const good = rollbackTarget(extension)
      if (!good) {
        const known = lastGoodOf(extension)
        throw ArmErrors.nothingToRollBack(
          extension.resourceId,
          known
            ? `the extension already runs its last known good version ${known.version} with the settings it was applied with (recorded ${known.recordedAt}).`
            : 'the extension has never been installed or upgraded successfully, so it has no last known good version.',
        )
      }
      return acceptExtensionRollback(db, extension, good, { caller: request.arm.caller, apiVersion: request.arm.apiVersion, correlationId: request.arm.correlationId })
    })
    await deliverOrLeaveToOutbox(db, queue, [accepted.operation], request.log)
    return answerAccepted(request, reply, accepted, 202, 'PT48H').send()
  })
}
