// The environment helm runs with: built from nothing, never inherited, so the worker's own secrets (ENCRYPTION_KEY,
// DATABASE_URL, cloud credentials, ...) never reach helm, its plugins or a kubeconfig's exec plugin. helm gets PATH,
// what an operator needs to reach chart repositories and registries (helm's repository and registry config, proxies,
// a CA bundle) and the variables named in HELM_ENV_PASSTHROUGH; HOME and the XDG directories are private to the call
// (inside its temporary directory, removed afterwards), so helm neither reads nor leaves state in the worker's home.
import path from 'node:path'

/** Passed on from the worker's environment when set. */
export const HELM_ENV_ALLOWLIST = [
  'PATH',
  // helm's repository/registry configuration and its directories, when an operator points them somewhere
  'HELM_REPOSITORY_CONFIG',
  'HELM_REPOSITORY_CACHE',
  'HELM_REGISTRY_CONFIG',
  'HELM_CACHE_HOME',
  'HELM_CONFIG_HOME',
  'HELM_DATA_HOME',
  'HELM_PLUGINS',
  'HELM_DRIVER',
  'HELM_MAX_HISTORY',
  // egress through a proxy, and a private CA for registries and repositories
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
] as const

export interface HelmEnvironmentOptions {
  /** The worker's environment, to pick allowed variables from. */
  source: NodeJS.ProcessEnv
  /** HELM_ENV_PASSTHROUGH: more variable names to pass on. */
  passthrough: readonly string[]
  /** Set as given (tests point a fake helm at its state with it). */
  extra?: Record<string, string>
}

/** The full environment for one helm call whose private directory is `callDir`. */
export function helmEnvironment(callDir: string, options: HelmEnvironmentOptions): Record<string, string> {
  const env: Record<string, string> = {
    HOME: path.join(callDir, 'home'),
    XDG_CACHE_HOME: path.join(callDir, 'cache'),
    XDG_CONFIG_HOME: path.join(callDir, 'config'),
    XDG_DATA_HOME: path.join(callDir, 'data'),
  }
  for (const name of [...HELM_ENV_ALLOWLIST, ...options.passthrough]) {
    const value = options.source[name]
    if (value !== undefined) env[name] = value
  }
  Object.assign(env, options.extra)
  // Only the --kubeconfig file may decide which cluster helm talks to (config.ts refuses to pass these on, too).
  for (const name of Object.keys(env)) if (name === 'KUBECONFIG' || name.startsWith('HELM_KUBE')) delete env[name]
  return env
}
