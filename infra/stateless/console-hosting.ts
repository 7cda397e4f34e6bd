/**
 * The web console in AWS: the built single-page app in a private S3 bucket
 * behind CloudFront (origin access control), the admin API on the same
 * origin under `/v1/*` (no CORS, one CSP origin), security headers from
 * console/serving/security-headers.ts, and `config.json` written at deploy
 * time with the identity provider's settings.
 */
import { DefaultStackSynthesizer, Duration, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import type { App, Environment, StackProps } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  GeoRestriction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { consoleDistDirectory, sourceHashFile } from '../../console/serving/build.ts';
import { contentSecurityPolicy, staticSecurityHeaders } from '../../console/serving/security-headers.ts';
import type { DivisionNode } from '../../packages/config/deployment.ts';
import { readDeploymentSettings } from '../reform-indicators-app.ts';
import type { StatelessStack } from './stateless-stack.ts';

/** The identity provider the console signs users in with (authorization code + PKCE). */
export interface ConsoleIdentityProvider {
  /** OpenID Connect issuer URL; the API's JWT authorizer trusts the same issuer. */
  readonly issuer: string;
  /** The console's public client id at the identity provider. */
  readonly clientId: string;
  /** @default 'openid' */
  readonly scope?: string;
  /** Names of the role and division claims in the access token. @default role, division */
  readonly claims?: { readonly role: string; readonly division: string };
}

/** Properties of {@link ConsoleHosting}. */
export interface ConsoleHostingProps {
  /** The built console (`console/dist`: index.html and assets/). */
  readonly distDirectory: string;
  /** Host name of the HTTP API (`<id>.execute-api.<region>.<suffix>`), served under `/v1/*`. */
  readonly apiDomainName: string;
  readonly identityProvider: ConsoleIdentityProvider;
  /** The deployment's division tree: the console names divisions from it. */
  readonly divisions: DivisionNode;
  /** Countries viewers may connect from (ISO 3166-1 alpha-2). @default ['CN'] */
  readonly allowedCountries?: readonly string[];
  /** ARN of a WAF web ACL (scope CLOUDFRONT, in us-east-1) to attach. @default none */
  readonly webAclId?: string;
}

/**
 * Rewrites a client-side route (a path without a file extension) to
 * /index.html at the edge, so deep links work without turning API 404s into
 * the app (which a distribution-wide error response would do).
 */
const spaRewrite = `function handler(event) {
  var request = event.request;
  if (!/\\.[A-Za-z0-9]+$/.test(request.uri)) request.uri = '/index.html';
  return request;
}`;

export class ConsoleHosting extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly responseHeadersPolicy: ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const idp = props.identityProvider;
    const idpOrigin = new URL(idp.issuer).origin;

    this.logBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'site/',
    });

    this.responseHeadersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'reform-indicators console: CSP without inline scripts, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy({ identityProvider: idpOrigin }), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: staticSecurityHeaders['permissions-policy'], override: true },
          { header: 'Cross-Origin-Opener-Policy', value: staticSecurityHeaders['cross-origin-opener-policy'], override: true },
        ],
      },
    });

    const rewrite = new CloudFrontFunction(this, 'SpaRewrite', {
      code: FunctionCode.fromInline(spaRewrite),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Client-side routes of the console load index.html',
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'reform-indicators console and admin API',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      geoRestriction: GeoRestriction.allowlist(...(props.allowedCountries ?? ['CN'])),
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.webAclId === undefined ? {} : { webAclId: props.webAclId }),
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        functionAssociations: [{ function: rewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: new HttpOrigin(props.apiDomainName, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          // Never cached; with caching disabled the viewer's Authorization header may be forwarded.
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.responseHeadersPolicy,
        },
      },
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR4',
      reason:
        'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the viewer TLS policy; a deployment with its own domain sets a certificate and TLSv1.2_2021.',
    });
    if (props.webAclId === undefined) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions::AwsSolutions-CFR2',
        reason:
          'A CloudFront web ACL must live in us-east-1, outside this regional stack; the API behind /v1 is throttled and JWT-authorised itself. Pass webAclId to attach one.',
      });
    }

    new BucketDeployment(this, 'Deploy', {
      sources: [
        Source.asset(props.distDirectory, { exclude: [sourceHashFile] }),
        Source.jsonData('config.json', {
          // The API shares the console's origin (the /v1/* behaviour).
          apiUrl: '',
          auth: {
            mode: 'oidc',
            issuer: idp.issuer,
            clientId: idp.clientId,
            scope: idp.scope ?? 'openid',
            claims: idp.claims ?? { role: 'role', division: 'division' },
          },
          divisions: props.divisions,
        }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      // Assets are content-hashed; only the entry points need invalidating.
      distributionPaths: ['/index.html', '/config.json'],
      memoryLimit: 512,
    });
    this.acknowledgeDeploymentProvider();
    for (const resource of [rewrite, this.distribution]) {
      Validations.of(resource).acknowledge({
        id: 'CloudFormation-Validate::F3006',
        reason:
          'CloudFront is global: its resources are created through the partition\'s CloudFront endpoint whatever the stack region, and the regional resource list does not name them. In AWS China, confirm OAC and CloudFront Functions are offered before deploying.',
      });
    }
  }

  /**
   * The BucketDeployment provider (a singleton at stack level, from aws-cdk-lib)
   * copies the build into the bucket and invalidates the distribution: its
   * wildcards are acknowledged one by one, each for what it does.
   */
  private acknowledgeDeploymentProvider(): void {
    const stack = Stack.of(this);
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const assetBucket = `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${account}-${stack.region}`;
    const siteBucket = stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    const wildcards = [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::arn:<AWS::Partition>:s3:::${assetBucket}/*`,
      `Resource::<${siteBucket}.Arn>/*`,
      'Resource::*',
    ];
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      Validations.of(child).acknowledge({
        id: 'AwsSolutions::AwsSolutions-L1',
        reason: 'The BucketDeployment provider runtime is chosen by aws-cdk-lib (Python with the AWS CLI layer) and moves with aws-cdk-lib upgrades.',
      });
      Validations.of(child).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The BucketDeployment provider (aws-cdk-lib) uses this managed policy only to write its own CloudWatch logs.',
      });
      for (const wildcard of wildcards) {
        Validations.of(child).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[${wildcard}]`,
          reason:
            'BucketDeployment reads every object of the staged asset and writes and prunes the console bucket\'s objects (object-level wildcards on those two buckets only); cloudfront:CreateInvalidation has no resource-level scope.',
        });
      }
    }
  }
}

/** Properties of {@link ConsoleStack}. */
export interface ConsoleStackProps extends StackProps, ConsoleHostingProps {}

/** The console's own stack: static hosting changes without touching the API or the data. */
export class ConsoleStack extends Stack {
  readonly hosting: ConsoleHosting;

  constructor(scope: App | Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    this.hosting = new ConsoleHosting(this, 'Console', props);
  }
}

/** Client id used when `-c consoleClientId=...` is not given, so synth runs offline. */
export const placeholderConsoleClientId = 'reform-indicators-console';

/** Options of {@link addConsoleStack}. */
export interface AddConsoleStackOptions {
  readonly env?: Environment;
  /** @default console/dist */
  readonly distDirectory?: string;
}

/**
 * Adds the console's stack to the app, serving `stateless`'s HTTP API under
 * `/v1/*`. Context: `consoleClientId` (the console's client at the identity
 * provider; `jwtIssuer` is shared with the API).
 */
export function addConsoleStack(app: App, stateless: StatelessStack, options: AddConsoleStackOptions = {}): ConsoleStack {
  const settings = readDeploymentSettings(app);
  const clientId: unknown = app.node.tryGetContext('consoleClientId');
  return new ConsoleStack(app, 'ReformIndicators-Console', {
    description: 'reform-indicators: web console (S3 + CloudFront), admin API on the same origin',
    ...(options.env === undefined ? {} : { env: options.env }),
    distDirectory: options.distDirectory ?? consoleDistDirectory,
    // apiEndpoint is https://<host>: the origin needs the host alone.
    apiDomainName: Fn.select(2, Fn.split('/', stateless.httpApi.apiEndpoint)),
    identityProvider: { issuer: settings.jwtIssuer, clientId: typeof clientId === 'string' && clientId !== '' ? clientId : placeholderConsoleClientId },
    divisions: settings.deploymentConfig.root,
  });
}
