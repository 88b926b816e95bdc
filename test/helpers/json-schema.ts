/** A checker for the JSON Schema subset the OpenAPI document uses (type incl. type arrays, enum,
 * const, properties, required, items, allOf, local $ref): the paths of every mismatch, empty when
 * the value conforms. Written here so the contract test depends on no transitive package. */
type Schema = Record<string, unknown>;

const typeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
const isType = (v: unknown, t: string): boolean => typeOf(v) === t || (t === 'number' && typeOf(v) === 'integer');

export function schemaErrors(value: unknown, schema: Schema, root: Schema, at = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((o, k) => (o as Schema)[k], root) as Schema;
    return schemaErrors(value, target, root, at);
  }
  const errors: string[] = [];
  for (const sub of (schema.allOf as Schema[] | undefined) ?? []) errors.push(...schemaErrors(value, sub, root, at));
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => isType(value, t))) return [...errors, `${at}: ${typeOf(value)} is not ${types.join('|')}`];
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value))
    errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if ('const' in schema && schema.const !== value)
    errors.push(`${at}: ${JSON.stringify(value)} is not ${JSON.stringify(schema.const)}`);
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? [])
      if (!(r in obj)) errors.push(`${at}.${r}: missing`);
    for (const [k, s] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {}))
      if (k in obj) errors.push(...schemaErrors(obj[k], s, root, `${at}.${k}`));
  }
  if (Array.isArray(value) && schema.items)
    value.forEach((v, i) => errors.push(...schemaErrors(v, schema.items as Schema, root, `${at}[${i}]`)));
  return errors;
}
