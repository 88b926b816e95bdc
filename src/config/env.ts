import { RankfaceError } from '#core/errors.ts';

/** The one way settings read numbers from the environment: unset or empty means the default,
 * anything else must parse and pass the rule, or start-up fails naming the variable. */
export interface NumberRule {
  /** Only whole numbers. */
  readonly integer?: boolean;
  /** Smallest accepted value, inclusive. Without it, values must be > 0. */
  readonly min?: number;
  /** Largest accepted value, inclusive. */
  readonly max?: number;
}

function describe(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a number';
  if (rule.min === undefined && rule.max === undefined)
    return rule.integer ? 'a positive integer' : 'a positive number';
  if (rule.max === undefined) return `${kind} ≥ ${rule.min}`;
  return `${kind} in ${rule.min ?? 0}..${rule.max}`;
}

function accepts(n: number, rule: NumberRule): boolean {
  if (!Number.isFinite(n) || (rule.integer && !Number.isInteger(n))) return false;
  if (rule.min === undefined ? n <= 0 : n < rule.min) return false;
  return rule.max === undefined || n <= rule.max;
}

export function numberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, rule: NumberRule = {}): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  // A RankfaceError: commands print it as one line with the fix, not a stack trace.
  if (!accepts(n, rule)) throw new RankfaceError('invalid-setting', `${name} must be ${describe(rule)}, got '${raw}'`);
  return n;
}

/** A TCP port to listen on (0 lets the system pick one). */
export const portFromEnv = (env: NodeJS.ProcessEnv, name: string, fallback: number): number =>
  numberFromEnv(env, name, fallback, { integer: true, min: 0, max: 65_535 });
