// Writes dist/profile.schema.json from the built profile schema, so the JSON Schema ships with the package.
import { writeFileSync } from 'node:fs';
import { profileJsonSchema } from '../dist/model/profile.js';

const schema = {
  ...profileJsonSchema(),
  $id: 'https://volt.invalid/schemas/isolation-profile.json',
  title: 'Volt isolation profile',
};
writeFileSync(
  new URL('../dist/profile.schema.json', import.meta.url),
  `${JSON.stringify(schema, null, 2)}\n`,
);
