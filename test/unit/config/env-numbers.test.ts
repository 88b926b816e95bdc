import { describe, expect, it } from 'vitest';
import { readAwsConfig } from '#config/aws.ts';
import { readEngineConfig } from '#config/engine.ts';
import { numberFromEnv, portFromEnv } from '#config/env.ts';

describe('numbers read from the environment', () => {
  it('use the default when unset or empty and the value when valid', () => {
    expect([
      numberFromEnv({}, 'X', 7),
      numberFromEnv({ X: '' }, 'X', 7),
      numberFromEnv({ X: '2.5' }, 'X', 7),
      portFromEnv({ P: '0' }, 'P', 8787),
    ]).toEqual([7, 7, 2.5, 0]);
  });

  it('fail naming the variable and the rule when the value is not acceptable', () => {
    expect(() => numberFromEnv({ X: 'lots' }, 'X', 1)).toThrow("X must be a positive number, got 'lots'");
    expect(() => numberFromEnv({ X: '0' }, 'X', 1)).toThrow("X must be a positive number, got '0'");
    expect(() => portFromEnv({ PORT: '80.5' }, 'PORT', 1)).toThrow("PORT must be an integer in 0..65535, got '80.5'");
    expect(() => portFromEnv({ PORT: '70000' }, 'PORT', 1)).toThrow('PORT must be an integer in 0..65535');
  });

  it('are checked the same way by the engine and the AWS settings', () => {
    expect(() => readEngineConfig({ RANKFACE_MAX_PIXELS: '-1' })).toThrow(
      "RANKFACE_MAX_PIXELS must be a positive number, got '-1'",
    );
    expect(() => readAwsConfig({ RANKFACE_PRESIGN_SECONDS: 'soon' })).toThrow(
      "RANKFACE_PRESIGN_SECONDS must be a positive number, got 'soon'",
    );
    expect(readAwsConfig({ RANKFACE_PRESIGN_SECONDS: '60' }).presignSeconds).toBe(60);
  });
});
