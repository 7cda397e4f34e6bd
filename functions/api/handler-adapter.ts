/** API Gateway (HTTP API, payload v2.0, JWT authorizer) ↔ the API's own request and response. */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Api } from '../../packages/api/router.ts';

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

