/** The root of every error rankface throws on purpose. `code` is stable (recorded on photos, sent
 * over the worker boundary, matched by scripts); `message` is for people and may change. `name`
 * comes from the concrete class, so subclasses do not repeat it (bundles keep class names:
 * esbuild's `keepNames`). `options.cause` keeps the underlying error for logs. */
export class RankfaceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
