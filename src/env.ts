// Reading the environment: the helpers every setting uses (src/config.ts, and each provider's own settings).

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0 || !Number.isSafeInteger(Number(raw))) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

/** A variable's text, trimmed; unset or blank is undefined. */
export function text(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

/** The values when every one is set, else undefined (a provider is enabled by all of its settings, not some). */
export function all<T extends Record<string, string | undefined>>(values: T): { [K in keyof T]: string } | undefined {
  return Object.values(values).every((v) => v !== undefined) ? (values as { [K in keyof T]: string }) : undefined;
}

/** Whether a URL's host is a loopback name or address, which no provider can reach. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  // 0.0.0.0 and :: (HOST's "every interface", copied into the default PUBLIC_URL) reach no one from outside either.
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\./.test(host) ||
    host === '::1' ||
    host === '0.0.0.0' ||
    host === '::'
  );
}
