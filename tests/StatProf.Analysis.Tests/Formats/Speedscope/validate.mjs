// Validates speedscope files against the file-format schema that the speedscope package ships.
// Usage: node validate.mjs FILE...   Prints "valid FILE" or the schema errors; exit 1 on any error.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const Ajv = require('ajv');
const here = dirname(fileURLToPath(import.meta.url));
const schema = JSON.parse(readFileSync(join(here, 'node_modules/speedscope/dist/release/file-format-schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
let failed = false;
for (const file of process.argv.slice(2)) {
  if (validate(JSON.parse(readFileSync(file, 'utf8')))) {
    console.log(`valid ${file}`);
  } else {
    failed = true;
    console.log(`invalid ${file}: ${JSON.stringify(validate.errors)}`);
  }
}
process.exit(failed ? 1 : 0);
