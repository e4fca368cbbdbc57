// The V8 heap limits every api and worker process starts with: `npm start|api|worker` (scripts/run.mjs), the
// container image (Dockerfile ENTRYPOINT) and `npm run bench`. They can only be given on node's command line (or in
// NODE_OPTIONS), never set from inside the process, which is why the launchers carry them.
//
// Why these values (BENCHMARKS.md, Memory): at V8's defaults an api or worker under load holds 180-300 MB resident,
// most of it heap V8 grew and did not give back, while the live heap after a full GC is about 35 MB. A young
// generation of 4 MB semi-spaces (the default grows to 16 MB each, three of them committed) and an old-generation
// ceiling of 128 MB (V8 collects sooner as the heap nears it) keep each process under 150 MB. The ceiling is a hard
// limit: a process whose live heap outgrows it dies with "JavaScript heap out of memory", so it is 3-4x what a
// process has been measured to keep alive.
export const HEAP_LIMIT_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=128'] as const

/**
 * The limits npm start gives a role, minus those NODE_OPTIONS already sets: an operator who needs more heap sets
 * `NODE_OPTIONS=--max-old-space-size=512` and that wins (a flag on the command line would silently override it).
 */
export function heapLimitFlags(nodeOptions: string = process.env.NODE_OPTIONS ?? ''): string[] {
  return HEAP_LIMIT_FLAGS.filter((flag) => !nodeOptions.includes(flag.slice(0, flag.indexOf('='))))
}
