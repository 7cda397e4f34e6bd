/**
 * Lambda entry point of the API (API Gateway HTTP API, payload v2.0, JWT
 * authorizer): turns the event into the API's own request, and its answer
 * back. Everything else is packages/api. Configuration is read once, at
 * module load, so a missing or malformed variable fails the cold start with
 * its name.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createApi } from '../../packages/api/router.ts';
import { loadPseudonymKey } from '../../packages/processing/pseudonym-key.ts';
import { apiDependenciesFromEnvironment } from './dependencies.ts';
import { lambdaAdapter } from './handler-adapter.ts';

const logger = new Logger({ serviceName: 'reform-indicators-api' });

/** The API wired to DynamoDB and SQS. */
export const api = lambdaAdapter(createApi(apiDependenciesFromEnvironment(process.env, await loadPseudonymKey(), logger)));

/** Lambda entry point. */
export const handler = middy(api).use(injectLambdaContext(logger));
