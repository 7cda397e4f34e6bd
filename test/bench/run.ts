/** `npm run bench`: prints the project's speed and size figures. */
import { benchPipeline } from './pipeline.ts';

await benchPipeline();
