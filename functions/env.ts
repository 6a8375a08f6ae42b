/** Environment variables read once at load: a missing or malformed one fails fast, by name (core/settings.ts). */
import { envLabel, numberSetting, requiredText } from '../core/settings.ts';

export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return requiredText(envLabel(name), env[name]);
}

export function positiveNumberEnv(
  name: string,
  fallback: number,
  env: NodeJS.ProcessEnv = process.env,
): number {
  return numberSetting(envLabel(name), env[name], { positive: true }) ?? fallback;
}
