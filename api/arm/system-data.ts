// systemData on every resource response (ARM-CONTRACT 53): who created and last changed it, and when.
export interface SystemDataColumns {
  createdBy: string
  createdByType: string
  createdAt: Date
  lastModifiedBy: string
  lastModifiedByType: string
  lastModifiedAt: Date
}

export function systemDataToWire(row: SystemDataColumns): Record<string, string> {
  return {
    createdBy: row.createdBy,
    createdByType: row.createdByType,
    createdAt: row.createdAt.toISOString(),
    lastModifiedBy: row.lastModifiedBy,
    lastModifiedByType: row.lastModifiedByType,
    lastModifiedAt: row.lastModifiedAt.toISOString(),
  }
}
