/**
 * Writes the published contract (`docs/contract/`) from the code:
 * `npm run contracts`, and the packed OpenAPI document the API serves. Files of the events folder that no longer match an
 * event type are removed, so the folder is exactly the contract.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractDirectory, contractFiles, packedOpenApiModule, packedOpenApiModuleText } from './contract-files.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const directory = join(root, contractDirectory);
const files = contractFiles();

for (const [path, text] of files) {
  mkdirSync(dirname(join(directory, path)), { recursive: true });
  writeFileSync(join(directory, path), text);
}
for (const name of readdirSync(join(directory, 'events'))) {
  if (!files.has(`events/${name}`)) rmSync(join(directory, 'events', name));
}
writeFileSync(join(root, packedOpenApiModule), packedOpenApiModuleText());
process.stdout.write(`wrote ${files.size} files to ${contractDirectory}/ and ${packedOpenApiModule}\n`);
