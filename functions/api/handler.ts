/**
 * Lambda entry point of the admin query API (API Gateway HTTP API, payload
 * v2.0, JWT authorizer). Configuration is read once, at module load, so a
 * missing variable fails the cold start with its name.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createApiHandler } from './app.ts';
import { apiDependenciesFromEnvironment } from './dependencies.ts';

const logger = new Logger({ serviceName: 'reform-indicators-api' });

/** The bare API, for tests and the local server: see app.ts. */
export { createApiHandler } from './app.ts';

/** The API wired to DynamoDB and SQS. */
export const api = createApiHandler(apiDependenciesFromEnvironment(process.env, logger));

/** Lambda entry point. */
export const handler = middy(api).use(injectLambdaContext(logger));
