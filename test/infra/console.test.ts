/**
 * The console's hosting stack: a private bucket read only through CloudFront's
 * origin access control, the API on the same origin without caching, the CSP
 * the local server also sends, config.json written at deploy time, and no
 * unacknowledged cdk-nag finding.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../console/serving/security-headers.ts';
import { ConsoleStack } from '../../infra/stateless/console-hosting.ts';
import { defaultDeploymentConfig } from '../../packages/config/deployment.ts';
import type { ValidationReport } from './synthesised-app.ts';

const issuer = 'https://idp.test.invalid/realms/zhongxian';
/** Managed policy ids (the same in every partition). */
const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const allViewerExceptHostHeader = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

let workDirectory: string;
let template: Template;
let report: ValidationReport;
let assemblyDirectory: string;

beforeAll(() => {
  workDirectory = mkdtempSync(join(tmpdir(), 'reform-console-cdk-'));
  // A stand-in build: the test checks hosting, not the console's bundle.
  const dist = join(workDirectory, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><script type="module" src="/assets/index.js"></script>');
  writeFileSync(join(dist, 'assets', 'index.js'), 'console.log(1)');
  writeFileSync(join(dist, '.source-hash'), 'not deployed\n');

  const app = new App({ outdir: join(workDirectory, 'cdk.out') });
  const stack = new ConsoleStack(app, 'Console', {
    env: { account: '123456789012', region: 'cn-northwest-1' },
    distDirectory: dist,
    apiDomainName: 'abc123.execute-api.cn-northwest-1.amazonaws.com.cn',
    identityProvider: { issuer, clientId: 'console-client' },
    divisions: defaultDeploymentConfig.root,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  assemblyDirectory = assembly.directory;
  template = Template.fromStack(stack);
  report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
});

afterAll(() => {
  if (workDirectory !== undefined) rmSync(workDirectory, { recursive: true, force: true });
});

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resources = (): Resources => template.toJSON()['Resources'] as Resources;
const ofType = (type: string) => Object.entries(resources()).filter(([, r]) => r.Type === type);

describe('console hosting', () => {
  it('keeps the console bucket private, encrypted and TLS-only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'site/' }),
    });
    const policies = ofType('AWS::S3::BucketPolicy').map(([, p]) => JSON.stringify(p.Properties['PolicyDocument']));
    expect(policies.every((p) => p.includes('"aws:SecureTransport":"false"'))).toBe(true);
  });

  it('lets only this distribution read the bucket, through origin access control', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const [distributionId] = ofType('AWS::CloudFront::Distribution').map(([id]) => id);
    const readStatements = ofType('AWS::S3::BucketPolicy')
      .flatMap(([, p]) => (p.Properties['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement)
      .filter((s) => s['Effect'] === 'Allow');
    expect(readStatements).toHaveLength(1);
    expect(readStatements[0]?.['Principal']).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(readStatements[0]?.['Action']).toBe('s3:GetObject');
    expect(JSON.stringify(readStatements[0]?.['Condition'])).toContain(distributionId);
  });

  it('sends the CSP the local server sends: scripts and styles from self only, the identity provider reachable', () => {
    const csp = contentSecurityPolicy({ identityProvider: new URL(issuer).origin });
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: { ContentSecurityPolicy: csp, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          StrictTransportSecurity: Match.objectLike({ IncludeSubdomains: true, Override: true }),
        }),
      }),
    });
  });

  it('serves the API under /v1/* on the same origin, uncached, over TLS 1.2, forwarding the viewer headers', () => {
    const [[, distribution]] = ofType('AWS::CloudFront::Distribution') as unknown as [[string, { Properties: { DistributionConfig: Record<string, unknown> } }]];
    const config = distribution.Properties.DistributionConfig;
    const api = (config['CacheBehaviors'] as Array<Record<string, unknown>>).find((b) => b['PathPattern'] === '/v1/*');
    expect(api).toMatchObject({
      CachePolicyId: cachingDisabled,
      OriginRequestPolicyId: allViewerExceptHostHeader,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']),
    });
    const origins = config['Origins'] as Array<Record<string, unknown>>;
    const apiOrigin = origins.find((o) => o['Id'] === api?.['TargetOriginId']);
    expect(apiOrigin).toMatchObject({
      DomainName: 'abc123.execute-api.cn-northwest-1.amazonaws.com.cn',
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
    });
    expect(config['DefaultCacheBehavior']).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      FunctionAssociations: [expect.objectContaining({ EventType: 'viewer-request' })],
    });
    expect(config).toMatchObject({ DefaultRootObject: 'index.html', Logging: expect.objectContaining({ Prefix: 'cloudfront/' }) });
  });

  it('rewrites client-side routes, not files, to index.html at the edge', () => {
    const [[, fn]] = ofType('AWS::CloudFront::Function') as unknown as [[string, { Properties: { FunctionCode: string } }]];
    const handler = new Function(`${fn.Properties.FunctionCode}; return handler;`)() as (e: { request: { uri: string } }) => { uri: string };
    expect(handler({ request: { uri: '/indicators/skilled_workers' } }).uri).toBe('/index.html');
    expect(handler({ request: { uri: '/auth/callback' } }).uri).toBe('/index.html');
    expect(handler({ request: { uri: '/assets/index-abc.js' } }).uri).toBe('/assets/index-abc.js');
    expect(handler({ request: { uri: '/config.json' } }).uri).toBe('/config.json');
  });

  it('deploys the build and a config.json naming the identity provider, and invalidates the entry points', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DistributionPaths: ['/index.html', '/config.json'],
      Prune: true,
    });
    const [[, deployment]] = ofType('Custom::CDKBucketDeployment') as unknown as [[string, { Properties: { SourceObjectKeys: unknown[] } }]];
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    // Source.jsonData stages config.json as an asset of its own.
    const configs = readdirSync(assemblyDirectory, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('config.json'))
      .map((f) => JSON.parse(readFileSync(join(assemblyDirectory, f), 'utf8')) as Record<string, unknown>);
    expect(configs).toContainEqual({
      apiUrl: '',
      auth: { mode: 'oidc', issuer, clientId: 'console-client', scope: 'openid', claims: { role: 'role', division: 'division' } },
      divisions: defaultDeploymentConfig.root,
    });
    // The build stamp stays out of the bucket.
    const staged = readdirSync(assemblyDirectory, { recursive: true, encoding: 'utf8' });
    expect(staged.some((f) => f.endsWith('index.html'))).toBe(true);
    expect(staged.some((f) => f.endsWith('.source-hash'))).toBe(false);
  });

  it('leaves no unacknowledged cdk-nag finding, and gives each acknowledgement a specific reason', () => {
    const open = report.pluginReports.flatMap((r) => r.violations).map((v) => `${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`);
    expect(open).toEqual([]);
    const suppressed = report.pluginReports.flatMap((r) => r.suppressedViolations ?? []);
    for (const v of suppressed) expect(v.reason?.length ?? 0, v.ruleName).toBeGreaterThan(60);
    const nagRules = suppressed.map((v) => v.ruleName.replace(/\[.*$/, '')).filter((rule) => rule.startsWith('AwsSolutions-'));
    expect(new Set(nagRules)).toEqual(new Set(['AwsSolutions-CFR2', 'AwsSolutions-CFR4', 'AwsSolutions-L1', 'AwsSolutions-IAM4', 'AwsSolutions-IAM5']));
  });
});
