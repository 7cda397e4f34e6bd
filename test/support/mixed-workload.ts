/**
 * A realistic mixed workload of every event type, with the cases that make
 * figures depend on arrival order in a naive design: once-only facts
 * reported twice with different dates, revocations before their
 * certificates, a certificate reported twice, disputes in every order,
 * baselines corrected and replaced, registrations reported twice,
 * deregistrations before and after party organisations, contracts across
 * townships, persons trained on several days in two townships, legal-aid
 * case numbers that coincide across producers.
 */
import type { EventType } from '../../packages/contract/index.ts';
import { residentIdFor, sampleEvent, usccFor } from '../../packages/contract/fixtures.ts';
import type { CloudEvent } from './workload.ts';
import { randomSequence } from './workload.ts';

const townships = ['500233001000', '500233002000', '500233101000', '500233105000', '500233201000'];

export function buildMixedWorkload(seed = 1, scale = 1): CloudEvent[] {
  const random = randomSequence(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const pad = (n: number) => String(n).padStart(2, '0');
  const dateTime = (month = 1 + Math.floor(random() * 10), day = 1 + Math.floor(random() * 28)) =>
    `2026-${pad(month)}-${pad(day)}T${pad(8 + Math.floor(random() * 10))}:${pad(Math.floor(random() * 60))}:00+08:00`;
  const events: CloudEvent[] = [];
  let seq = 0;
  const add = (type: EventType, data: Record<string, unknown>, time = dateTime(), source?: string): void => {
    const base = sampleEvent(type, { id: `mx-${seed}-${++seq}`, time });
    events.push({ ...base, ...(source === undefined ? {} : { source }), data } as unknown as CloudEvent);
  };

  const orgs = Array.from({ length: 24 * scale }, (_, i) => ({
    code: usccFor(700_000 + seed * 1000 + i),
    division: townships[i % townships.length] as string,
    kind: i % 4 === 3 ? 'social_org' : 'enterprise',
  }));
  for (const [i, org] of orgs.entries()) {
    const data = { orgCode: org.code, name: `Works ${i}`, kind: org.kind, ...(org.kind === 'enterprise' ? { ownership: i % 5 === 0 ? 'state_owned' : 'non_public' } : {}), division: org.division, workers: 10 + i };
    add('organization.registered.v1', data, dateTime(1 + (i % 3)));
    // Reported twice, the second report dated earlier or later.
    if (i % 3 === 0) add('organization.registered.v1', { ...data, workers: 99 }, dateTime(1 + (i % 5)));
    // Party organisations before and after registration; some orgs deregistered before or after theirs.
    if (i % 2 === 0) add('party.organization.established.v1', { orgCode: org.code, establishedOn: '2026-02-20' }, dateTime(1 + (i % 9)));
    if (i % 6 === 0) add('party.organization.established.v1', { orgCode: org.code, establishedOn: '2026-03-01' }, dateTime(2 + (i % 7)));
    if (i % 7 === 3) add('organization.deregistered.v1', { orgCode: org.code }, dateTime(6 + (i % 4)));
    if (i % 4 === 1) add('union.established.v1', { orgCode: org.code, establishedOn: '2026-04-01', members: 20 + i }, dateTime());
    if (i % 8 === 1) add('union.established.v1', { orgCode: org.code, establishedOn: '2026-03-01', members: 30 + i }, dateTime());
  }
  const org = () => pick(orgs).code;
  const person = (n: number) => residentIdFor(50_000 + seed * 1000 + n);

  for (let n = 0; n < 30 * scale; n++) {
    const holder = { idNumber: person(n % (12 * scale)), frontline: n % 2 === 0 };
    const kind = n % 5 === 4 ? 'degree' : 'skill';
    const level = kind === 'skill' ? pick(['level5', 'level4', 'level3', 'level2', 'level1']) : pick(['associate', 'bachelor', 'master', 'doctor']);
    const when = dateTime();
    const data = { certificateNo: `MX-${seed}-${n}`, kind, level, issuedOn: when.slice(0, 10), holder, orgCode: org() };
    add('certificate.submitted.v1', data, when);
    if (n % 7 === 0) add('certificate.submitted.v1', data, dateTime());
    if (n % 4 === 1) add('certificate.revoked.v1', { certificateNo: `MX-${seed}-${n}`, reason: 'issued in error' }, dateTime());
    if (n % 9 === 2) add('certificate.revoked.v1', { certificateNo: `MX-${seed}-${n}`, reason: 'duplicate record' }, dateTime());
  }
  add('certificate.revoked.v1', { certificateNo: `MX-${seed}-never`, reason: 'revoked, never submitted' }, dateTime());

  for (let n = 0; n < 8 * scale; n++) {
    const twice = <T extends Record<string, unknown>>(type: EventType, data: T): void => {
      add(type, data);
      if (n % 2 === 0) add(type, data);
    };
    twice('party.member.developed.v1', { idNumber: person(100 + n), orgCode: org(), admittedOn: '2026-05-01', frontline: n % 3 === 0 });
    twice('party.post.designated.v1', { orgCode: org(), postKind: pick(['demonstration_post', 'responsibility_zone', 'commando_team']), name: `Post ${n}` });
    twice('award.granted.v1', { idNumber: person(120 + n), orgCode: org(), awardName: `Award ${n}`, level: pick(['county', 'city']), frontline: n % 2 === 1 });
    twice('representative.seated.v1', { idNumber: person(140 + n), orgCode: org(), body: pick(['party_congress', 'peoples_congress', 'cppcc']), category: pick(['model_worker', 'technical_worker', 'other']) });
    twice('competition.entry.recorded.v1', { competition: 'cup-3', field: 'cnc', category: 'staff', idNumber: person(160 + n), orgCode: org() });
    twice('studio.established.v1', { studioId: `st-${seed}-${n}`, kind: 'craftsman', level: 'county', orgCode: org() });
    twice('talent.title.awarded.v1', { idNumber: person(180 + n), orgCode: org(), title: pick(['zhongzhou_talent', 'zhongzhou_craftsman']), year: 2026 });
    twice('innovation.converted.v1', { projectId: `in-${seed}-${n}`, activity: 'five_small', orgCode: org() });
    twice('training.base.established.v1', { baseId: `tb-${seed}-${n}`, orgCode: org() });
    twice('apprenticeship.paired.v1', { pairId: `ap-${seed}-${n}`, mentorIdNumber: person(200 + n), apprenticeIdNumber: person(220 + n), orgCode: org() });
    // Trained on several days, in two townships' organisations and without one.
    const trainee = person(240 + (n % 4));
    add('training.completed.v1', { idNumber: trainee, group: 'in_service', programme: 'employment', orgCode: org() });
    add('training.completed.v1', { idNumber: trainee, group: 'migrant', programme: 'entrepreneurship' });
    // A contract across townships, reported twice.
    const contract = { contractNo: `ct-${seed}-${n}`, kind: n % 2 === 0 ? 'collective' : 'special', ...(n % 2 === 0 ? {} : { topic: 'wages' }), orgCodes: [...new Set([org(), org(), org()])], workersCovered: 50 + n, signedOn: '2026-06-01' };
    twice('contract.signed.v1', contract);
    // A dispute case, its steps from several sources, one mediation failing first.
    const caseNo = `case-${seed}-${n}`;
    const caseOrg = org();
    add('dispute.filed.v1', { caseNo, orgCode: caseOrg, claimants: 2, category: 'wages', channel: 'union' });
    if (n % 3 === 0) add('dispute.mediated.v1', { caseNo, orgCode: caseOrg, outcome: 'no_agreement' });
    add('dispute.mediated.v1', { caseNo, orgCode: caseOrg, outcome: 'agreement', agreedYuan: 1000 + n });
    if (n % 2 === 0) add('dispute.confirmed.v1', { caseNo, orgCode: caseOrg }, dateTime(), 'court.zhongxian');
    if (n % 2 === 0) add('dispute.fulfilled.v1', { caseNo, orgCode: caseOrg, paidYuan: 1000 });
    // Legal-aid case numbers that coincide across two producers count twice.
    add('legal_aid.case.closed.v1', { caseNo: `la-${n}`, orgCode: org(), beneficiaries: 2, recoveredYuan: 12_345.67 + n });
    add('legal_aid.case.closed.v1', { caseNo: `la-${n}`, beneficiaries: 1, recoveredYuan: 1000 }, dateTime(), 'justice.zhongxian');
    add('hardship_aid.granted.v1', { idNumber: person(260 + n), amountYuan: 2000.5, kind: 'living' });
    add('outreach.conducted.v1', { activity: 'visit', booklets: 10 + n, enterprisesServed: 1, workersReached: 30 });
  }
  // Baselines: replaced by a later asOf, and one (metric, division, asOf) corrected.
  add('baseline.recorded.v1', { metric: 'skilled_workers', division: townships[0], asOf: '2025-12-31', value: 1000 }, '2026-01-02T09:00:00+08:00');
  add('baseline.recorded.v1', { metric: 'skilled_workers', division: townships[0], asOf: '2025-12-31', value: 1100 }, '2026-01-05T09:00:00+08:00');
  add('baseline.recorded.v1', { metric: 'skilled_workers', division: townships[0], asOf: '2026-06-30', value: 1300 }, '2026-07-02T09:00:00+08:00');
  add('baseline.recorded.v1', { metric: 'skill_studios', division: townships[1], asOf: '2025-12-31', value: 7 }, '2026-01-02T09:00:00+08:00');
  return events;
}
