// What the CLI prints: aligned tables and key/value blocks for people, JSON (`-o json`) for scripts.
export type Format = 'table' | 'json'

export interface Column<T> {
  header: string
  value: (row: T) => unknown
}

function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-'
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** Columns padded to their widest cell, two spaces apart; `empty` when there are no rows. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[], empty: string): string {
  if (rows.length === 0) return `${empty}\n`
  const cells = [columns.map((column) => column.header), ...rows.map((row) => columns.map((column) => cell(column.value(row))))]
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => line[index]!.length)))
  return cells.map((line) => line.map((text, index) => (index === line.length - 1 ? text : text.padEnd(widths[index]!))).join('  ')).join('\n') + '\n'
}

/** One `label  value` line per entry, labels aligned. */
export function details(entries: readonly [string, unknown][]): string {
  const width = Math.max(...entries.map(([label]) => label.length))
  return entries.map(([label, value]) => `${label.padEnd(width)}  ${cell(value)}`).join('\n') + '\n'
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/** The value as JSON in json mode, else as the text `render` makes of it. */
export function emit<T>(format: Format, value: T, render: (value: T) => string): void {
  process.stdout.write(format === 'json' ? json(value) : render(value))
}

/** A resource id's tail for a narrow column: `cluster1/flux` for an extension, `cluster1` for a cluster. */
export function shortResource(resourceId: string): string {
  const parts = resourceId.split('/')
  const at = parts.findIndex((part) => part.toLowerCase() === 'extensions')
  const cluster = parts[8] ?? resourceId
  return at >= 0 && parts[at + 1] ? `${cluster}/${parts[at + 1]}` : cluster
}
