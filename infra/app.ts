import { App } from 'aws-cdk-lib';
import { ensureConsoleBuilt } from '../console/serving/build.ts';
import { buildReformIndicatorsApp, deploymentEnvironment } from './reform-indicators-app.ts';
import { addConsoleStack } from './stateless/console-hosting.ts';

const app = new App();
const env = deploymentEnvironment(app, process.env);
const { stateless } = buildReformIndicatorsApp(app, { env });
// The console stack deploys console/dist: build it first if it is missing or stale.
await ensureConsoleBuilt({ log: (line) => console.error(line) });
addConsoleStack(app, stateless, { env });
