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
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Api } from '../../packages/api/router.ts';
import { createApi } from '../../packages/api/router.ts';
import { apiDependenciesFromEnvironment } from './dependencies.ts';

const logger = new Logger({ serviceName: 'reform-indicators-api' });

/** An API Gateway event → the API → an API Gateway result. */
export function lambdaAdapter(api: Api): (event: APIGatewayProxyEventV2WithJWTAuthorizer) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event) => {
    const raw = event.body ?? '';
    const claims = event.requestContext.authorizer?.jwt?.claims;
    return api({
      method: event.requestContext.http.method,
      path: event.rawPath,
      query: event.queryStringParameters ?? {},
      headers: event.headers ?? {},
      body: event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw,
      ...(claims === undefined ? {} : { claims }),
      requestId: event.requestContext.requestId,
    });
  };
}

/** The API wired to DynamoDB and SQS. */
export const api = lambdaAdapter(createApi(apiDependenciesFromEnvironment(process.env, logger)));

/** Lambda entry point. */
export const handler = middy(api).use(injectLambdaContext(logger));
