/**
 * JSON Schema (draft 2020-12) of every event type, generated from the zod/mini
 * schemas the processor validates with, for producers who validate before
 * sending. Published under `docs/contract/events/` by `npm run contracts`.
 *
 * zod turns shapes, enums, lengths and bounds into JSON Schema by itself; its
 * refinements (check characters, real dates, amounts in fen, non-blank text,
 * "required iff" rules) it cannot see into. Those are added here, as a pattern
 * where a pattern says it exactly and as a `description` where nothing can:
 * the MOD 11-2 and GB 32100-2015 check characters, real calendar dates, the
 * 5-minute clock-skew limit. Generation fails on any refinement this module
 * does not know, so a new rule in event-types.ts cannot silently vanish from
 * the published schema.
 */
import * as z from 'zod/mini';
import { earliestEventMs, maxClockSkewMs, maxEventBytes } from './envelope.ts';
import { ContractError } from './errors.ts';
import type { EventType } from './event-types.ts';
import { dataSchemas } from './event-types.ts';
import { isDivisionCode } from './identifiers.ts';
import { isYuanAmount, maxYuan } from './money.ts';

/** A JSON Schema document or subschema, as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

/** The JSON Schema dialect of every published schema. */
export const jsonSchemaDialect = 'https://json-schema.org/draft/2020-12/schema';

/** The `$id` of the published schema of `type`: `urn:reform-indicators:event-schema:<type>`. */
export function eventSchemaId(type: EventType): string {
  return `urn:reform-indicators:event-schema:${type}`;
}

// Patterns are ECMA-262, as JSON Schema specifies; each mirrors a check in the contract package.
const usccPattern = '^[0-9A-HJ-NPQRTUWXY]{18}$';
const residentIdPattern = '^[0-9]{17}[0-9Xx]$';
const divisionPattern = '^[0-9]{12}$';
const datePattern = '^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';
/**
 * Free text (`text()` in event-types.ts, rule in free-text.ts), as near as a
 * pattern without the Unicode flag gets: none of the forbidden characters of
 * the Basic Multilingual Plane (controls, format characters, separators,
 * U+FFFD, noncharacters), and one character that is neither white space nor
 * one of the common invisible ones. The `description` states the exact rule.
 */
const forbiddenInText = '\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb\\ufffd-\\uffff';
const invisibleInText = '\\s\\u034f\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u2800\\u3164\\ufe00-\\ufe0f\\uffa0';
const textPattern = `^[^${forbiddenInText}]*[^${invisibleInText}${forbiddenInText}][^${forbiddenInText}]*$`;
const timestampPattern = '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$';

const usccField: JsonSchema = {
  pattern: usccPattern,
  description:
    'Unified social credit code (GB 32100-2015): 18 characters from 0-9 and A-Y without I, O, S, V, Z; the 18th is the check character computed from the first 17 (weights 3^i mod 31), which must be valid.',
};
const residentIdField: JsonSchema = {
  pattern: residentIdPattern,
  description:
    'PRC resident identity number: 17 digits and a check character (digit or X), which must be the valid ISO 7064 MOD 11-2 check of the first 17 digits. Pseudonymised on arrival; never stored or returned.',
};
const divisionField: JsonSchema = {
  pattern: divisionPattern,
  description: '12-digit statistical division code; it must name a division of the deployment’s tree (Zhong County: 500233000000 and its townships).',
};
const dateField: JsonSchema = {
  format: 'date',
  pattern: datePattern,
  description: 'A real calendar date written YYYY-MM-DD (e.g. 2026-02-30 is refused), years 1900–2100.',
};
const yuanField: JsonSchema = {
  minimum: 0,
  maximum: maxYuan,
  description: 'Amount in yuan with at most 2 decimals (whole fen); stored as integer fen.',
};
const textField: JsonSchema = {
  minLength: 1,
  pattern: textPattern,
  description:
    'Free text: at least one visible character (a letter, digit, punctuation mark, symbol or private-use character that is not default-ignorable) and no control (Cc), format (Cf, e.g. U+202E, U+200B, U+FEFF), line or paragraph separator (U+2028, U+2029), unpaired surrogate, noncharacter or U+FFFD. Must not contain a resident ID number.',
};

/** Which refined field is which: the contract's own naming (EVENTS.md: `orgCode`, `...IdNumber`, `...On`, `...Yuan`). */
function refinedFieldSchema(name: string, kind: 'string' | 'number', refinement: unknown): JsonSchema | undefined {
  if (kind === 'number') return refinement === isYuanAmount ? yuanField : undefined;
  if (refinement === isDivisionCode) return divisionField;
  if (name === 'orgCode' || name === 'orgCodes') return usccField;
  if (name === 'idNumber' || name.endsWith('IdNumber')) return residentIdField;
  if (name.endsWith('On') || name === 'asOf') return dateField;
  return undefined;
}

/**
 * Object-level rules of event-types.ts (`superRefine` on the whole `data`),
 * written out per type: zod cannot translate a function.
 */
const objectRules: Partial<Record<EventType, JsonSchema>> = {
  'organization.registered.v1': {
    if: { properties: { kind: { const: 'enterprise' } }, required: ['kind'] },
    then: { required: ['ownership'] },
    else: { not: { required: ['ownership'] } },
    description: '`ownership` is required when `kind` is `enterprise` and not allowed otherwise.',
  },
  'certificate.submitted.v1': {
    if: { properties: { kind: { const: 'skill' } }, required: ['kind'] },
    then: { properties: { level: { enum: ['level1', 'level2', 'level3', 'level4', 'level5'] } } },
    else: { properties: { level: { enum: ['associate', 'bachelor', 'master', 'doctor'] } } },
    description: 'Skill certificates take `level1`–`level5` (level5 初级工 … level1 高级技师); degrees take `associate`, `bachelor`, `master`, `doctor`.',
  },
  'contract.signed.v1': {
    if: { properties: { kind: { const: 'special' } }, required: ['kind'] },
    then: { required: ['topic'] },
    else: { not: { required: ['topic'] } },
    description: '`topic` is required when `kind` is `special` and not allowed otherwise; `orgCodes` are distinct.',
  },
  'apprenticeship.paired.v1': {
    description: '`mentorIdNumber` and `apprenticeIdNumber` must name two different persons.',
  },
};

/** Rules that are part of an array's schema rather than the whole object's. */
const arrayRules: Readonly<Record<string, JsonSchema>> = { orgCodes: { uniqueItems: true } };

interface ZodCheckDef {
  readonly check: string;
  readonly fn?: unknown;
}

function customChecks(schema: z.core.$ZodType): ZodCheckDef[] {
  const checks = (schema._zod.def as { checks?: readonly z.core.$ZodCheck[] }).checks ?? [];
  return checks.map((check) => check._zod.def as ZodCheckDef).filter((def) => def.check === 'custom');
}

/** The property a JSON Schema path names: `['properties','holder','properties','idNumber']` → `idNumber`; array items name their array. */
function propertyNameAt(path: readonly (string | number)[]): string {
  const last = path.length - 1;
  if (path[last] === 'items') return String(path[last - 1] ?? '');
  return String(path[last] ?? '');
}

function dataJsonSchema(type: EventType): JsonSchema {
  const schema = z.toJSONSchema(dataSchemas[type], {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
    override: ({ zodSchema, jsonSchema, path }) => {
      const refinements = customChecks(zodSchema);
      const kind = zodSchema._zod.def.type;
      const name = propertyNameAt(path);
      const target = jsonSchema as JsonSchema;
      if (kind === 'array' && arrayRules[name] !== undefined) Object.assign(target, arrayRules[name]);
      if (refinements.length === 0) return;
      if (kind === 'object') {
        const rule = path.length === 0 ? objectRules[type] : undefined;
        if (rule === undefined) throw new ContractError(`${type}: data${path.length > 0 ? '.' + name : ''} has a rule json-schema.ts does not describe`);
        return void Object.assign(target, rule);
      }
      if (kind === 'string' && target['maxLength'] !== undefined && refinedFieldSchema(name, 'string', undefined) === undefined) {
        return void Object.assign(target, textField);
      }
      const field = kind === 'string' || kind === 'number' ? refinedFieldSchema(name, kind, refinements[0]?.fn) : undefined;
      if (field === undefined) throw new ContractError(`${type}: data.${name} has a rule json-schema.ts does not describe`);
      Object.assign(target, field);
    },
  }) as JsonSchema;
  delete schema['$schema'];
  return schema;
}

/**
 * The JSON Schema (draft 2020-12) of a whole CloudEvent of `type`: the
 * envelope (EVENTS.md), `type` fixed to this type, and `data` generated from
 * `dataSchemas[type]`. Unknown fields are refused at every level
 * (`additionalProperties: false`). Rules JSON Schema cannot express are in
 * `description`s; a document that passes this schema can still be rejected
 * for them (`invalid_envelope`/`invalid_data`) and for the producer allowlist
 * (`forbidden_type`).
 *
 * @throws ContractError when `dataSchemas[type]` carries a refinement this module cannot describe.
 */
export function eventJsonSchema(type: EventType): JsonSchema {
  const earliest = new Date(earliestEventMs).toISOString().replace('.000Z', 'Z');
  return {
    $schema: jsonSchemaDialect,
    $id: eventSchemaId(type),
    title: type,
    description: [
      `A ${type} event: a CloudEvents 1.0 envelope in JSON structured mode, as one SQS message body or one element of POST /v1/events.`,
      `(source, id) is the idempotency key. The whole event is at most ${maxEventBytes / 1024} KiB of UTF-8 JSON.`,
      'Also checked on arrival: the source must be a producer allowed to send this type (deployment configuration).',
      'No string anywhere in the event (field names and the envelope included) but an ID-number field (idNumber, mentorIdNumber, apprenticeIdNumber) may contain a resident ID number: 18 characters, 17 digits and a check digit or X passing ISO 7064 MOD 11-2, also inside longer text or in full-width digits; such an event is rejected invalid_data.',
      'Text that was not valid UTF-8 (U+FFFD, unpaired surrogates) is rejected.',
    ].join(' '),
    type: 'object',
    properties: {
      specversion: { const: '1.0' },
      id: {
        type: 'string',
        minLength: 1,
        maxLength: 128,
        pattern: '^[\\x20-\\x7e]{1,128}$',
        description: '1–128 printable ASCII characters, unique within `source`.',
      },
      source: {
        type: 'string',
        pattern: '^[a-z][a-z0-9.-]{1,63}$',
        description: 'A registered producer, e.g. `hrss.zhongxian`.',
      },
      type: { const: type },
      time: {
        type: 'string',
        format: 'date-time',
        pattern: timestampPattern,
        description: [
          'When it happened: RFC 3339 with an offset (Z or ±hh:mm) naming a real date and time.',
          `Not before ${earliest} and not more than ${maxClockSkewMs / 60_000} minutes in the future at arrival.`,
          'The event counts on the Asia/Shanghai (UTC+8) calendar date of this instant.',
        ].join(' '),
      },
      datacontenttype: { const: 'application/json' },
      data: dataJsonSchema(type),
    },
    required: ['specversion', 'id', 'source', 'type', 'time', 'data'],
    additionalProperties: false,
  };
}
