import { fileURLToPath } from 'node:url';

/** dist/src/export/testing/*.js → <repo>/../shared/fixtures/anchors/ (CI's clone has shared/ beside it too). */
export const ANCHORS = fileURLToPath(new URL('../../../../../shared/fixtures/anchors/', import.meta.url));
