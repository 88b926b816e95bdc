// Writes docs/openapi.json from the route table (src/api/openapi.ts): `npm run openapi`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '#api/openapi.ts';

const out = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
writeFileSync(out, JSON.stringify(openApiDocument(), null, 2) + '\n');
process.stdout.write(`wrote ${out}\n`);
