import { App } from 'aws-cdk-lib';
import { buildReformIndicatorsApp, deploymentEnvironment } from './reform-indicators-app.ts';

const app = new App();
buildReformIndicatorsApp(app, { env: deploymentEnvironment(app, process.env) });
