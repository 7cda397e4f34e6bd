/**
 * `cdk synth` through the real CLI, as an operator runs it: offline, with no
 * AWS credentials and no Docker. cdk-nag runs inside the app, so a non-zero
 * exit also means an unacknowledged finding.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ValidationReport } from './synthesised-app.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const cdk = join(root, 'node_modules', '.bin', 'cdk');

/** The environment without any AWS credential, profile or region, and no instance metadata lookups. */
function offlineEnvironment(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && !k.startsWith('CDK_')) out[k] = v;
  return { ...out, AWS_EC2_METADATA_DISABLED: 'true', DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
}

async function synth(extraEnvironment: NodeJS.ProcessEnv = {}): Promise<{ outdir: string; stderr: string }> {
  const outdir = mkdtempSync(join(tmpdir(), 'reform-indicators-cli-'));
  const { stderr } = await run(cdk, ['synth', '--quiet', '--no-notices', '-o', outdir], {
    cwd: root,
    env: { ...offlineEnvironment(), ...extraEnvironment },
    maxBuffer: 16 * 1024 * 1024,
  });
  return { outdir, stderr };
}

function expectCleanAssembly(outdir: string): void {
  for (const stack of ['ReformIndicators-Stateful', 'ReformIndicators-Stateless']) {
    expect(existsSync(join(outdir, `${stack}.template.json`)), stack).toBe(true);
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  expect(report.pluginReports.flatMap((r) => r.violations).map((v) => v.ruleName)).toEqual([]);
}

describe('cdk synth via the CLI, offline', () => {
  it('synthesises the real app from cdk.json, bundling the real handlers, for cn-northwest-1', async () => {
    // A profile or shell naming another region must not move the deployment:
    // the CLI turns AWS_REGION into CDK_DEFAULT_REGION (us-east-1 without one).
    const { outdir } = await synth({ AWS_REGION: 'us-east-1' });
    expectCleanAssembly(outdir);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; environment?: string }>;
    };
    const environments = Object.values(manifest.artifacts)
      .filter((a) => a.type === 'aws:cloudformation:stack')
      .map((a) => a.environment);
    // Stateful, stateless and console stacks, all in the deployment's region.
    expect(environments).toEqual(['aws://unknown-account/cn-northwest-1', 'aws://unknown-account/cn-northwest-1', 'aws://unknown-account/cn-northwest-1']);
    const template = JSON.parse(readFileSync(join(outdir, 'ReformIndicators-Stateless.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Runtime?: string } }>;
    };
    const runtimes = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => r.Properties.Runtime);
    expect(runtimes).toEqual(['nodejs22.x', 'nodejs22.x', 'nodejs22.x']);
    rmSync(outdir, { recursive: true, force: true });
  });
});
