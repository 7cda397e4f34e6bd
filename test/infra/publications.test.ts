/**
 * Publications are immutable because of who may write them, not only
 * because no route changes them: IAM cannot force a condition expression on
 * a write, so the API's role gets no write at all on the Publications table,
 * and the maintenance function (which puts each item only if absent) gets
 * PutItem and nothing that updates or deletes. The API may set and remove
 * targets, on the Targets table only.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishTableActions, readTableActions, targetTableActions } from '../../infra/constructs/house-function.ts';
import { publicationsTable, targetsTable } from '../../packages/config/resources.ts';
import type { SynthesisedApp } from './synthesised-app.ts';
import { actionsAllowedOn, actionsOf, logicalIdOf, resourcesOf, roleStatements, synthesiseApp } from './synthesised-app.ts';

let synthesised: SynthesisedApp;

beforeAll(() => {
  synthesised = synthesiseApp({ jwtIssuer: 'https://idp.test.invalid/realms/zhongxian', jwtAudience: 'reform-indicators-api' });
});

afterAll(() => {
  if (synthesised !== undefined) rmSync(synthesised.outdir, { recursive: true, force: true });
});

const arnOf = (name: 'publications' | 'targets' | 'counters'): unknown => synthesised.stateless.resolve(synthesised.stateful[name].table.tableArn);

function statementsOf(role: 'api' | 'maintenance' | 'processor') {
  const { stateless, statelessTemplate } = synthesised;
  return roleStatements(statelessTemplate, logicalIdOf(stateless, stateless[role].role)).statements;
}

describe('the Publications table', () => {
  it('is a table of its own, deployed with the others', () => {
    expect(synthesised.stateful.publications.definition).toBe(publicationsTable);
    expect(synthesised.stateful.targets.definition).toBe(targetsTable);
    expect(synthesised.stateful.publications.table.tableArn).not.toBe(synthesised.stateful.targets.table.tableArn);
  });

  it('the API role may only read it: no put, update, delete or batch write', () => {
    const actions = [...actionsAllowedOn(statementsOf('api'), arnOf('publications'))].sort();
    expect(actions).toEqual([...readTableActions].sort());
    for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) expect(actions).not.toContain(write);
  });

  it('no statement of the API role names it with a wildcard resource or action', () => {
    for (const s of statementsOf('api')) {
      if (!actionsOf(s).some((a) => a.startsWith('dynamodb:'))) continue;
      expect(actionsOf(s).filter((a) => a.includes('*'))).toEqual([]);
      expect(resourcesOf(s)).not.toContain('*');
    }
  });

  it('the maintenance role may only put items in it (each conditioned on absence by the code), never update or delete', () => {
    expect([...actionsAllowedOn(statementsOf('maintenance'), arnOf('publications'))]).toEqual([...publishTableActions]);
    expect(publishTableActions).toEqual(['dynamodb:PutItem']);
  });

  it('the processor may not touch it', () => {
    expect([...actionsAllowedOn(statementsOf('processor'), arnOf('publications'))]).toEqual([]);
  });

  it('the maintenance function learns its name; the API learns it and the Targets table', () => {
    const { stateless, statelessTemplate, stateful } = synthesised;
    const variables = (id: string) => statelessTemplate.toJSON()['Resources'][id].Properties.Environment.Variables as Record<string, unknown>;
    expect(variables(logicalIdOf(stateless, stateless.maintenance.function))[publicationsTable.envVar]).toEqual(stateless.resolve(stateful.publications.table.tableName));
    const api = variables(logicalIdOf(stateless, stateless.api.function));
    expect(api[publicationsTable.envVar]).toEqual(stateless.resolve(stateful.publications.table.tableName));
    expect(api[targetsTable.envVar]).toEqual(stateless.resolve(stateful.targets.table.tableName));
  });
});

describe('the Targets table', () => {
  it('the API role may read, put and delete targets there', () => {
    expect([...actionsAllowedOn(statementsOf('api'), arnOf('targets'))].sort()).toEqual([...targetTableActions].sort());
  });

  it('nobody else may touch it', () => {
    expect([...actionsAllowedOn(statementsOf('maintenance'), arnOf('targets'))]).toEqual([]);
    expect([...actionsAllowedOn(statementsOf('processor'), arnOf('targets'))]).toEqual([]);
  });
});
