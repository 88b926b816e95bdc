import { RankfaceError } from '#core/errors.ts';

/** The bytes are not a (readable) TFLite FlatBuffer. */
export class TfliteFormatError extends RankfaceError {
  constructor(message: string, options?: ErrorOptions) {
    super('tflite-format', message, options);
  }
}

/** A model uses something the interpreter does not implement (an op, a type, an option). */
export class TfliteUnsupportedError extends RankfaceError {
  constructor(message: string, options?: ErrorOptions) {
    super('tflite-unsupported', message, options);
  }
}

/** A builtin (or custom) op the interpreter has no kernel for; `op` is its schema name. */
export class TfliteUnsupportedOpError extends TfliteUnsupportedError {
  constructor(
    readonly op: string,
    readonly opIndex: number,
  ) {
    super(`TFLite op ${op} (operator #${opIndex}) is not supported by this interpreter`);
  }
}
